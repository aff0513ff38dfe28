"""One-off commands in an app, as `piku run` and `kamal app exec` give them: roost-run on the host, and
playbooks/run.yml from the controller. Django's manage.py (mysite, a project tree) and perch (a
package) each run in their live release, as their user, with their environment."""

import json
import re

from conftest import live_release, run_playbook

# What a command sees of where it runs: user, directory, Python and the config its environment names.
WHERE = "import os, sys; print(os.getuid(), os.getcwd(), sys.prefix, os.environ.get('{config}'))"


def test_a_django_command_runs_in_the_live_release_as_the_app_user(host):
    live = live_release(host, "mysite")
    # Django 5.2's shell may say first how many models it imported: the command's line is the last.
    said = host.check_output("roost-run mysite python manage.py shell -c %s", WHERE.format(config="MYSITE_CONFIG"))
    uid = host.user("mysite").uid
    assert said.splitlines()[-1].split() == [
        str(uid), f"/srv/mysite/releases/{live}/code", f"/srv/mysite/releases/{live}/venv", "/srv/mysite/shared/config.json"]
    # Django reads its settings from that config: the database it opens is the live one.
    database = host.check_output("roost-run mysite python manage.py shell -c %s",
                                 "from django.conf import settings; print(settings.DATABASES['default']['NAME'])")
    assert database.splitlines()[-1] == "/srv/mysite/shared/data/db.sqlite3"


def test_standard_input_reaches_the_command_and_its_exit_status_comes_back(host):
    count = host.run("echo %s | roost-run mysite python manage.py shell",
                     "from django.contrib.auth.models import User; print('users:', User.objects.count())")
    assert count.rc == 0 and re.search(r"users: [0-9]+$", count.stdout, re.MULTILINE), count.stdout + count.stderr
    assert host.run("roost-run mysite python -c 'raise SystemExit(3)'").rc == 3


def test_a_package_runs_in_shared_and_the_callers_environment_stays_out(host):
    live = live_release(host, "perch")
    said = host.check_output("LEAKED=1 roost-run perch python -c %s",
                             WHERE.format(config="PERCH_CONFIG") + "; print(os.environ.get('LEAKED'))")
    assert said.split() == [str(host.user("perch").uid), "/srv/perch/shared", f"/srv/perch/releases/{live}/venv",
                            "/srv/perch/shared/config.json", "None"]


def test_an_unknown_app_or_another_user_is_refused(host):
    unknown = host.run("roost-run blog true")
    assert unknown.rc == 2
    assert "no app named 'blog' on this host (the apps roost.wsgi deployed here: mysite, perch, wren)" in unknown.stderr
    other = host.run("sudo -u nobody roost-run mysite id")
    assert other.rc == 2 and "run it as root (sudo roost-run mysite ...) or as mysite" in other.stderr
    record = host.file("/etc/roost-wsgi/apps/mysite.json")
    assert (record.user, record.mode) == ("root", 0o644)
    assert json.loads(record.content_string) == {
        "user": "mysite", "root": "/srv/mysite", "env_file": "/srv/mysite/shared/environment.json",
        "health": {"path": "/healthz", "server_name": "mysite.localhost", "scheme": "http", "release_header": ""}}


def test_the_run_playbook_shows_the_output_and_fails_when_the_command_does(host):
    checked = run_playbook("run", "-e", "app=mysite", "-e", "cmd='python manage.py check'")
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "System check identified no issues" in checked.stdout
    failed = run_playbook("run", "-e", "app=mysite", "-e", "cmd='python manage.py nosuchcommand'")
    # A failed task's result goes to stderr (Molecule's display_failed_stderr).
    assert failed.returncode != 0 and "Unknown command: 'nosuchcommand'" in failed.stdout + failed.stderr
    refused = run_playbook("run", "-e", "app=mysite", "-e", "cmd=''")
    assert refused.returncode != 0
    said = " ".join((refused.stdout + refused.stderr).split())
    assert "cmd must be the command to run" in said and "Nothing was run." in said
