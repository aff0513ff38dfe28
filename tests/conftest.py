"""Helpers of the repo-level tests: the collection's plugins run by real Ansible on this controller, or in this process."""

import contextlib
import importlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The tests import the plugins as the collection they are: ansible_collections.roost.wsgi.plugins...
sys.path.insert(0, str(ROOT / "collections"))


def run_module(name, args, *flags, timeout=120):
    """Run roost.wsgi.<name> (or any module by its full name) with these arguments and return its
    result, failed or not. flags: "--check", "--diff".

    In a test marked every_core (pytest.ini), and for any module not of this collection, the module runs
    as `ansible localhost -m` runs it: through real Ansible on this controller, on each ansible-core
    `scripts/test cores` tries. Everywhere else it runs in this process (module_here), as its JSON
    says it: about 2 s of CPU less each time, which was most of the repo-level tests' time.
    """
    if "." in name or RUNNING["through_ansible"]:
        return module_through_ansible(name, args, *flags, timeout=timeout)
    return module_here(name, args, *flags)


# Set for each test by through_ansible_in_every_core_tests below.
RUNNING = {"through_ansible": True}


@pytest.fixture(autouse=True)
def through_ansible_in_every_core_tests(request):
    RUNNING["through_ansible"] = request.node.get_closest_marker("every_core") is not None


def module_through_ansible(name, args, *flags, timeout=120):
    """`ansible localhost -m` of the module, from the test's working directory (the repository's, unless
    the test changed it): its result as the json callback reports it."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    module = name if "." in name else f"roost.wsgi.{name}"
    arguments = args if isinstance(args, str) else json.dumps(args)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible"), "localhost", "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}", *flags, "-m", module, "-a", arguments],
        cwd=os.getcwd(), env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.stdout, done.stderr[-2000:]
    plays = json.loads(done.stdout)["plays"]
    return plays[0]["tasks"][0]["hosts"]["localhost"]


def module_here(name, args, *flags):
    """The module's main() in this process, with these arguments: the JSON it prints, as a dict (exit_json
    and fail_json themselves run, so no_log values are masked and warnings kept as Ansible would)."""
    # Not imported at the top: ansible-core 2.16, which runs the every_core tests alone, has no such module.
    from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel

    unknown = set(flags) - {"--check", "--diff"}
    assert not unknown, f"module_here takes --check and --diff only, not {sorted(unknown)}"
    module = importlib.import_module(f"ansible_collections.roost.wsgi.plugins.modules.{name}")
    arguments = dict(args, _ansible_check_mode="--check" in flags, _ansible_diff="--diff" in flags)
    printed = io.StringIO()
    with patch_module_args(arguments), contextlib.redirect_stdout(printed), pytest.raises(SystemExit):
        module.main()
    return json.loads(printed.getvalue())
