"""Two apps on one host, each with its own user, socket, program, releases and server name.

converge deployed perch (from its directory, with hook tasks) and wren v1 (from a git tag, its
dependencies from the package index on the host's loopback). The tests run in order: the later
ones deploy wren v2 and a perch release whose after_switch hook fails.
"""

import os
import re
import subprocess

import pytest
from conftest import converge, http_get, live_release, recap_changes, releases, supervised_pid

APPS = ("perch", "wren")


def converge_with(*extra_vars):
    """converge.yml again, with -e for each of extra_vars."""
    return converge(*[arg for extra in extra_vars for arg in ("-e", extra)])


def hooks_log(host):
    return [line.split() for line in host.check_output("cat /srv/perch/shared/hooks.log").splitlines()]


def test_each_app_answers_on_its_own_server_name(host):
    perch = http_get(host, "/healthz", host_header="perch.localhost")
    wren = http_get(host, "/healthz", host_header="wren.localhost")
    assert perch.status == 200 and perch.headers["x-perch-release"] == live_release(host, "perch")
    assert wren.status == 200 and wren.headers["x-wren-release"] == live_release(host, "wren")
    assert wren.json()["version"] == "1.0.0"
    assert http_get(host, "/", host_header="wren.localhost").body == "wren 1.0.0\n"


@pytest.mark.parametrize("app", APPS)
def test_each_app_has_its_own_user_socket_program_and_releases(host, app):
    assert host.user(app).exists and host.user(app).shell == "/usr/sbin/nologin"
    socket = host.file(f"/run/uwsgi/{app}/uwsgi.sock")
    assert socket.is_socket and socket.user == app and socket.group == "www-data" and socket.mode == 0o660
    pid = supervised_pid(host, app)
    assert host.process.get(pid=pid).user == app
    assert len(releases(host, app)) == 1
    assert host.file(f"/etc/nginx/sites-enabled/{app}.conf").is_symlink


def test_one_app_cannot_read_the_others_files(host):
    for reader, owner in (("wren", "perch"), ("perch", "wren")):
        denied = host.run(f"sudo -u {reader} cat /srv/{owner}/shared/config.json")
        assert denied.rc != 0 and "Permission denied" in denied.stderr


INSTALLED = ("/srv/perch/current/venv/bin/python -c "
             "'from importlib.metadata import distributions as d; print(*sorted(f\"{x.name}=={x.version}\" for x in d()))'")


def test_perch_installs_exactly_its_lock_and_no_pip(host):
    installed = host.check_output(INSTALLED).split()
    lock = open(os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], "sample_app", "requirements.lock")).read()
    assert any(name.startswith("perch==") for name in installed)
    for pin in installed:
        if not pin.startswith("perch=="):
            normalized = re.sub(r"[-_.]+", "-", pin.split("==")[0]).lower() + "==" + pin.split("==")[1]  # PEP 503
            assert f"\n{normalized} " in "\n" + lock.lower(), f"{pin} is not pinned in sample_app/requirements.lock"
    assert not any(name.startswith("pip==") for name in installed), "the release's virtualenv must not hold pip"


def test_wren_got_only_its_own_wheel_and_the_rest_from_the_index(host):
    release = live_release(host, "wren")
    wheels = host.check_output(f"ls /srv/wren/releases/{release}/wheels").split()
    assert [w for w in wheels if w.endswith(".whl")] == ["wren-1.0.0-py3-none-any.whl"]
    assert host.run(f"/srv/wren/releases/{release}/venv/bin/python -c 'import markupsafe'").rc == 0
    index_log = host.check_output("journalctl --no-pager -u roost-test-index")
    assert "GET /simple/markupsafe/" in index_log


def test_wren_runs_under_debians_uwsgi_and_perch_under_the_wheel(host):
    # Read as the app's own user: root in a container may not look at another user's process.
    executable = {app: host.check_output(f"sudo -u {app} readlink /proc/{supervised_pid(host, app)}/exe") for app in APPS}
    assert executable["wren"] == "/usr/bin/uwsgi-core"
    assert executable["perch"].startswith("/usr/bin/python3")
    assert not host.file(f"/srv/wren/releases/{live_release(host, 'wren')}/venv/bin/uwsgi").exists
    assert "plugins = python3" in host.file("/etc/uwsgi/wren.ini").content_string
    assert host.file(f"/srv/perch/releases/{live_release(host, 'perch')}/venv/bin/uwsgi").exists
    assert "binary-path = " in host.file("/etc/uwsgi/perch.ini").content_string
    assert host.package("uwsgi-plugin-python3").is_installed
    assert "/usr/bin/uwsgi" in host.file("/etc/supervisor/conf.d/wren.conf").content_string


def test_the_hooks_ran_around_the_first_switch(host):
    release = live_release(host, "perch")
    assert hooks_log(host) == [["before_switch", release], ["after_switch", release, release]]


def test_a_new_git_tag_deploys_without_touching_the_other_app(host):
    perch_pid, wren_before = supervised_pid(host, "perch"), live_release(host, "wren")
    run = converge_with("wren_version=v2")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    wren_after = live_release(host, "wren")
    assert wren_after != wren_before
    response = http_get(host, "/healthz", host_header="wren.localhost")
    assert (response.headers["x-wren-release"], response.json()["version"]) == (wren_after, "2.0.0")
    assert supervised_pid(host, "perch") == perch_pid
    assert len(hooks_log(host)) == 2, "perch did not change, so its hooks must not run"

    again = converge_with("wren_version=v2")
    assert again.returncode == 0 and set(recap_changes(again.stdout).values()) == {0}, again.stdout[-3000:]


def test_a_failing_after_switch_hook_rolls_back(host, tmp_path):
    live = live_release(host, "perch")
    project = tmp_path / "perch"
    source = os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], "sample_app")
    subprocess.run(["cp", "-r", source, str(project)], check=True)
    toml = project / "pyproject.toml"
    toml.write_text(toml.read_text().replace('version = "0.1.0"', 'version = "0.9.0"'))

    run = converge_with(f"perch_project={project}", "perch_after_switch=hooks/fail.yml", "wren_version=v2")
    assert run.returncode != 0
    said = " ".join((run.stdout + run.stderr).split())
    assert "failed its after_switch hook" in said and "the after_switch hook fails on purpose" in said and f"Rolled back: {live} serves again" in said
    assert live_release(host, "perch") == live
    response = http_get(host, "/healthz", host_header="perch.localhost")
    assert response.status == 200 and response.headers["x-perch-release"] == live
    # The hook before the switch ran for the bad release; nothing ran after it.
    assert hooks_log(host)[-1][0] == "before_switch" and hooks_log(host)[-1][1] != live
