"""The artifact `ansible-galaxy collection build` makes: what it holds, and that ansible-doc reads it.

galaxy-importer and the install-and-converge test run in `scripts/test galaxy` and the
full_stack scenario (which converges from the installed artifact); these checks are the fast part.
"""

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

# What Ansible itself makes of the collection: on every ansible-core it claims (pytest.ini).
pytestmark = pytest.mark.every_core

ROOT = Path(__file__).resolve().parent.parent
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
ROLES = sorted(path.name for path in (ROOT / "roles").iterdir() if path.is_dir())

REQUIRED = ["MANIFEST.json", "FILES.json", "README.md", "CHANGELOG.md", "LICENSE", "meta/runtime.yml",
            "changelogs/changelog.yaml", "playbooks/site.yml", "playbooks/deploy.yml", "playbooks/rollback.yml",
            "playbooks/run.yml", "playbooks/status.yml", "playbooks/logs.yml", "roles/wsgi_app/files/usr/local/bin/roost-run",
            "plugins/modules/wheelhouse.py", "plugins/modules/files.py", "docs/README.md", "docs/architecture.md", "docs/deploy-lifecycle.md",
            "docs/tls.md", "docs/scaling.md", "docs/operations.md", "CONTRIBUTING.md",
            *[f"roles/{role}/meta/argument_specs.yml" for role in ROLES],
            *[f"roles/{role}/README.md" for role in ROLES]]
# Nothing of the development setup, the sample app or the tests.
FORBIDDEN_PREFIXES = ("sample_app/", "inventories/", "molecule/", "scripts/", "tests/", "benchmarks/", ".venv/",
                      ".roost/", ".ansible/", ".ci/", ".config/", "collections/", ".git")
FORBIDDEN_FILES = ("requirements-dev.txt", "ansible.cfg", ".yamllint", ".ansible-lint", ".gitignore")
FORBIDDEN_PARTS = ("__pycache__", ".pytest_cache", ".coverage", ".plugin-cache.yaml")


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    out = tmp_path_factory.mktemp("artifact")
    subprocess.run(["ansible-galaxy", "collection", "build", "--output-path", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=120)
    return out / f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"


@pytest.fixture(scope="module")
def members(artifact):
    with tarfile.open(artifact) as tar:
        return {member.name.removeprefix("./") for member in tar.getmembers() if member.isfile()}


@pytest.mark.parametrize("name", REQUIRED)
def test_artifact_holds(members, name):
    assert name in members


def test_artifact_holds_nothing_from_development(members):
    unwanted = sorted(name for name in members
                      if name.startswith(FORBIDDEN_PREFIXES) or name in FORBIDDEN_FILES
                      or any(part in name.split("/") for part in FORBIDDEN_PARTS))
    assert unwanted == []


@pytest.fixture(scope="module")
def installed(artifact, tmp_path_factory):
    path = tmp_path_factory.mktemp("collections")
    # --force, and away from the checkout: its ansible.cfg puts the checkout itself on the collections
    # path, and ansible-galaxy would call the collection installed already.
    subprocess.run(["ansible-galaxy", "collection", "install", "--offline", "--force", "-p", str(path), str(artifact)],
                   check=True, capture_output=True, timeout=120, cwd=path)
    assert (path / "ansible_collections" / "roost" / "wsgi" / "MANIFEST.json").is_file()
    return path


def ansible_doc(installed, *args):
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(installed), "ANSIBLE_HOME": str(installed.parent / "home")}
    run = subprocess.run(["ansible-doc", *args], capture_output=True, text=True, timeout=120, env=env, cwd=installed,
                         check=False)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("role", ROLES)
def test_ansible_doc_shows_every_entry_point(installed, role):
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    doc = json.loads(ansible_doc(installed, "-t", "role", "--json", f"roost.wsgi.{role}"))
    shown = doc[f"roost.wsgi.{role}"]["entry_points"]
    assert sorted(shown) == sorted(specs)
    for entry_point, spec in specs.items():
        assert sorted(shown[entry_point].get("options", {})) == sorted(spec.get("options", {}))


def test_ansible_doc_reads_the_module(installed):
    doc = json.loads(ansible_doc(installed, "--json", "roost.wsgi.wheelhouse"))
    assert "lock" in doc["roost.wsgi.wheelhouse"]["doc"]["options"]
