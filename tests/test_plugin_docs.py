"""Every plugin of the collection documents itself in a form ansible-doc reads (ansible-lint does not look)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# What Ansible itself makes of the collection: on every ansible-core it claims (pytest.ini).
pytestmark = pytest.mark.every_core

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = [("module", path.stem) for path in sorted((ROOT / "plugins" / "modules").glob("*.py"))]
PLUGINS += [("test", "own_dir"), ("filter", "app_programs"), ("filter", "job_units")]


def test_every_module_is_listed():
    assert {"app_host", "files", "health", "sqlite_copy", "wheelhouse"} <= {name for _kind, name in PLUGINS}


@pytest.mark.parametrize(("kind", "name"), PLUGINS, ids=[f"{kind}:{name}" for kind, name in PLUGINS])
def test_ansible_doc_reads_it(kind, name):
    done = subprocess.run([str(Path(sys.executable).parent / "ansible-doc"), "--json", "-t", kind, f"roost.wsgi.{name}"],
                          cwd=ROOT, env=dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg")),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    doc = json.loads(done.stdout)[f"roost.wsgi.{name}"]["doc"]
    assert doc["short_description"] and doc["description"]
    if kind == "module":
        assert doc["author"], f"{name}: no author"
