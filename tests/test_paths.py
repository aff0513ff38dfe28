"""roost.wsgi.own_dir: the directories roost may create and own, as Jinja sees them in a real play."""

import sys
from pathlib import Path

import pytest
from conftest import run_module

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins" / "test"))

from paths import own_dir  # noqa: E402  # the plugin file itself, as Ansible loads it

# What Ansible itself makes of the collection: on every ansible-core it claims (pytest.ini).
pytestmark = pytest.mark.every_core

OWN = ["/etc/uwsgi", "/run/uwsgi", "/srv/perch", "/var/www/perch", "/home/perch/app", "/opt/perch",
       "/var/backups/postgresql", "/srv/perch/", "/usr/local/lib/roost"]
NEVER = ["/", "", "srv/perch", "/etc", "/etc/", "/usr", "/usr/local", "/bin", "/sbin", "/lib", "/lib64", "/boot",
         "/dev", "/proc", "/sys", "/run", "/var", "/var/", "/tmp", "/home", "/root", "/srv", "/opt",
         "/mnt", "/media", "/proc/1", "/sys/fs/x", "/dev/shm/app", "/srv/../etc", "/srv/./perch",
         "/srv//perch", "/srv/perch\n", None, 7]
APP_ONLY_REFUSED = ["/etc/uwsgi", "/usr/local/lib/roost", "/tmp/perch", "/root/perch", "/lib/x", "/boot/app"]


@pytest.mark.parametrize("path", OWN)
def test_own_dirs(path):
    assert own_dir(path)


@pytest.mark.parametrize("path", NEVER)
def test_never_owned(path):
    assert not own_dir(path) and not own_dir(path, app=True)


@pytest.mark.parametrize("path", APP_ONLY_REFUSED)
def test_an_app_root_is_stricter(path):
    assert own_dir(path) and not own_dir(path, app=True)


def test_ansible_finds_the_test_by_its_collection_name():
    expression = ("{{ ['/srv/perch' is roost.wsgi.own_dir(app=true), '/etc' is roost.wsgi.own_dir,"
                  " '/etc/uwsgi' is roost.wsgi.own_dir, '/etc/uwsgi' is roost.wsgi.own_dir(app=true)] }}")
    result = run_module("ansible.builtin.debug", f"msg={expression}")
    assert result["msg"] == [True, False, True, False], result
