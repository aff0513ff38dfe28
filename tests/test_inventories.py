"""The example inventories parse, show both shapes, and share the app's variables."""

import json
import subprocess
from pathlib import Path

import pytest

# What Ansible itself makes of the collection: on every ansible-core it claims (pytest.ini).
pytestmark = pytest.mark.every_core

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "inventories" / "production.example"


def inventory(shape):
    out = subprocess.run(["ansible-inventory", "-i", str(EXAMPLES / shape), "--list"], cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return json.loads(out)


def test_single_is_one_app_host():
    data = inventory("single")
    assert data["app"]["hosts"] == ["web1.example.org"]
    assert "lb" not in data and "db" not in data


def test_lb_app_db_names_every_private_address():
    data = inventory("lb-app-db")
    groups = {name: data[name]["hosts"] for name in ("lb", "app", "db")}
    assert [len(hosts) for hosts in groups.values()] == [1, 2, 1]
    hostvars = data["_meta"]["hostvars"]
    for hosts in groups.values():
        for host in hosts:
            assert hostvars[host]["private_address"].startswith("10.0.0.")


def test_growing_changes_none_of_the_apps_variables():
    single = (EXAMPLES / "single" / "group_vars" / "app" / "perch.yml").read_text()
    grown = (EXAMPLES / "lb-app-db" / "group_vars" / "app" / "perch.yml").read_text()
    assert single == grown and "wsgi_app_name: perch" in single


@pytest.mark.parametrize("shape", ["single", "lb-app-db"])
def test_site_playbook_parses_with_each_shape(shape):
    run = subprocess.run(["ansible-playbook", "-i", str(EXAMPLES / shape), "--syntax-check", "playbooks/site.yml"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
