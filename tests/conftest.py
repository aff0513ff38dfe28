"""Helpers of the repo-level tests: the collection's plugins run by real Ansible on this controller."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The tests import the plugins as the collection they are: ansible_collections.roost.wsgi.plugins...
sys.path.insert(0, str(ROOT / "collections"))


def run_module(name, args, *flags, timeout=120):
    """Run roost.wsgi.<name> (or any module by its full name) on localhost with these arguments, as
    `ansible localhost -m` does; return its result, failed or not."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    module = name if "." in name else f"roost.wsgi.{name}"
    arguments = args if isinstance(args, str) else json.dumps(args)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ansible"), "localhost", "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}", *flags, "-m", module, "-a", arguments],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.stdout, done.stderr[-2000:]
    plays = json.loads(done.stdout)["plays"]
    return plays[0]["tasks"][0]["hosts"]["localhost"]
