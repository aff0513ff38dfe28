"""Two apps on one host, each with its own user, socket, program, releases and server name.

converge deployed perch (from its directory, with hook tasks), wren v1 (from a git tag, its
dependencies from the package index on the host's loopback) and mysite (a Django project with only a
requirements.txt, its tree the release's code, collectstatic in its release phase). The tests run in
order: the later ones deploy wren v2, a perch release whose after_switch hook fails and a mysite
release whose release phase fails.
"""

import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import converge, http_get, live_release, recap_changes, releases, supervised_pid, wait_until

APPS = ("perch", "wren", "mysite")
# uwsgi_run_dir and uwsgi_config_dir, as molecule.yml sets them (not /run/uwsgi and /etc/uwsgi).
RUN_DIR, CONFIG_DIR = "/run/roost-uwsgi", "/etc/roost-uwsgi"
MYSITE = "mysite.localhost"


def converge_with(*extra_vars):
    """converge.yml again, with -e for each of extra_vars."""
    return converge(*[arg for extra in extra_vars for arg in ("-e", extra)])


def only(app):
    """-e for a test about one app's deploy alone: the other apps would only be checked unchanged again."""
    return json.dumps({"converge_apps": [app]})


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
    socket = host.file(f"{RUN_DIR}/{app}/uwsgi.sock")
    assert socket.is_socket and socket.user == app and socket.group == "www-data" and socket.mode == 0o660
    pid = supervised_pid(host, app)
    assert host.process.get(pid=pid).user == app
    assert len(releases(host, app)) == 1
    assert host.file(f"/etc/nginx/sites-enabled/{app}.conf").is_symlink


def test_the_uwsgi_directories_of_the_inventory_are_the_only_ones_used(host):
    for app in APPS:
        assert host.file(f"{CONFIG_DIR}/{app}.ini").exists and not host.file(f"/etc/uwsgi/{app}.ini").exists
        assert f"--ini {CONFIG_DIR}/{app}.ini" in host.file(f"/etc/supervisor/conf.d/{app}.conf").content_string
        assert f"unix:{RUN_DIR}/{app}/uwsgi.sock" in host.file(f"/etc/nginx/sites-available/{app}.conf").content_string
    assert not host.file("/run/uwsgi").exists
    # Found through its ini: the stats socket answers with the app's workers, and the master FIFO
    # takes a graceful reload (the deploys take chain reloads through it).
    status = json.loads(host.check_output("/usr/local/sbin/roost-uwsgi-ctl status wren"))
    assert status["pid"] == supervised_pid(host, "wren") and len(status["workers"]) == 1
    host.check_output("/usr/local/sbin/roost-uwsgi-ctl reload wren")
    again = json.loads(host.check_output("/usr/local/sbin/roost-uwsgi-ctl status wren"))
    assert again["pid"] == status["pid"] and again["workers"][0]["pid"] != status["workers"][0]["pid"]


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
    assert "plugins = python3" in host.file(f"{CONFIG_DIR}/wren.ini").content_string
    assert host.file(f"/srv/perch/releases/{live_release(host, 'perch')}/venv/bin/uwsgi").exists
    assert "binary-path = " in host.file(f"{CONFIG_DIR}/perch.ini").content_string
    assert host.package("uwsgi-plugin-python3").is_installed
    assert "/usr/bin/uwsgi" in host.file("/etc/supervisor/conf.d/wren.conf").content_string


def test_the_hooks_ran_around_the_first_switch(host):
    release = live_release(host, "perch")
    assert hooks_log(host) == [["before_switch", release], ["after_switch", release, release]]


def test_the_django_tree_is_the_release_code_and_its_static_files_were_collected(host):
    release_dir = f"/srv/mysite/releases/{live_release(host, 'mysite')}"
    assert host.file(f"{release_dir}/code/manage.py").user == "root"
    assert not host.file(f"{release_dir}/code/pyproject.toml").exists
    # collectstatic wrote the manifest in the release phase; the code is root's again since.
    manifest = host.file(f"{release_dir}/code/staticfiles/staticfiles.json")
    assert manifest.exists and manifest.user == "root"
    assert host.run(f"find {release_dir}/code ! -user root").stdout == ""
    wheels = host.file(f"{release_dir}/wheels/requirements.txt").content_string
    assert "django==5.2.19 --hash=sha256:" in wheels.lower() and "asgiref==" in wheels
    # The release's virtualenv finds the project's package through the release's code directory.
    assert host.file(f"{release_dir}/venv/lib/python3.11/site-packages/roost-app-code.pth").content_string == "../../../../code\n"


def test_django_serves_its_admin_and_nginx_its_manifest_static_files(host):
    health = http_get(host, "/healthz", host_header=MYSITE)
    assert health.status == 200 and health.json() == {"status": "ok"}
    login = http_get(host, "/admin/login/", host_header=MYSITE)
    assert login.status == 200 and "Django administration" in login.body
    css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.body)
    assert css, "the admin page does not name ManifestStaticFilesStorage's fingerprinted file"
    static = http_get(host, css.group(1), host_header=MYSITE)
    assert static.status == 200 and "text/css" in static.headers["content-type"]
    assert "immutable" in static.headers.get("cache-control", ""), static.headers


LOGIN = r"""
import http.client, re, sys
def request(method, path, body=None, headers={}):
    connection = http.client.HTTPConnection("127.0.0.1", 80, timeout=10)
    connection.request(method, path, body, {"Host": "mysite.localhost", **headers})
    response = connection.getresponse()
    return response, response.read().decode()
page, body = request("GET", "/admin/login/")
cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
form = f"csrfmiddlewaretoken={token}&username=admin&password={sys.argv[1]}&next=/admin/"
done, _ = request("POST", "/admin/login/", form, {"Cookie": f"csrftoken={cookie}",
                  "Content-Type": "application/x-www-form-urlencoded"})
session = re.search(r"sessionid=([^;]+)", done.getheader("Set-Cookie") or "")
admin, text = request("GET", "/admin/", headers={"Cookie": f"sessionid={session.group(1) if session else ''}"})
print(done.status, done.getheader("Location"), admin.status, "Site administration" in text)
"""


def test_django_admin_login_through_nginx_with_csrf(host):
    password = "a-long-test-password-" + live_release(host, "mysite")
    # roost-run passes on none of the caller's environment: env(1) adds the one variable Django reads.
    created = host.run("roost-run mysite env %s python manage.py createsuperuser --noinput --username admin "
                       "--email admin@mysite.localhost", f"DJANGO_SUPERUSER_PASSWORD={password}")
    assert created.rc == 0 or "already taken" in created.stderr, created.stderr
    assert host.check_output("python3 -c %s %s", LOGIN, password).split() == ["302", "/admin/", "200", "True"]


ENQUEUE = r"""
import http.client, sys, urllib.parse
connection = http.client.HTTPConnection("127.0.0.1", 80, timeout=10)
connection.request("POST", "/enqueue", urllib.parse.urlencode({"text": sys.argv[1], "seconds": sys.argv[2]}),
                   {"Host": "mysite.localhost", "Content-Type": "application/x-www-form-urlencoded"})
response = connection.getresponse()
print(response.read().decode()) if response.status == 200 else sys.exit(f"{response.status}")
"""


def enqueue(host, text, seconds=0):
    """Queue mysite.jobs.record through Django's view, through nginx."""
    return json.loads(host.check_output("python3 -c %s %s %s", ENQUEUE, text, str(seconds)))


def logged(host, name):
    """The lines of mysite's shared/data/NAME, split into words."""
    log = host.file(f"/srv/mysite/shared/data/{name}")
    return [line.split() for line in log.content_string.splitlines()] if log.exists else []


def mysite_copy(tmp_path):
    """A copy of the scenario's Django project, free to change into a new release."""
    project = tmp_path / "mysite"
    subprocess.run(["cp", "-r", os.path.join(os.path.dirname(os.path.dirname(__file__)), "mysite"), str(project)], check=True)
    return project


def test_a_job_queued_through_django_is_run_by_the_rq_worker_of_the_live_release(host):
    live = live_release(host, "mysite")
    program = host.file("/etc/supervisor/conf.d/mysite-worker.conf")
    assert program.mode == 0o600 and f"/srv/mysite/releases/{live}/venv/bin/python -m mysite.worker" in program.content_string
    assert host.process.get(pid=supervised_pid(host, "mysite-worker")).user == "mysite"
    assert enqueue(host, "first")["release"] == live
    wait_until(lambda: [live, "first", "done"] in logged(host, "jobs.log"), 30, "the worker ran the job")


def test_the_scheduled_job_runs_from_the_live_release_as_the_app_user(host):
    live = live_release(host, "mysite")
    assert host.run("systemctl is-enabled roost-mysite-tick.timer").stdout.strip() == "enabled"
    wait_until(lambda: any(line[0] == live for line in logged(host, "ticks.log")), 30, "the timer ran the job")
    assert host.file("/srv/mysite/shared/data/ticks.log").user == "mysite"
    shown = host.check_output("systemctl show -p User -p Result roost-mysite-tick.service")
    assert "User=mysite" in shown and "Result=success" in shown


def test_a_redeploy_moves_the_worker_and_the_job_once_the_web_app_passed_its_gate(host, tmp_path):
    before = live_release(host, "mysite")
    project = mysite_copy(tmp_path)
    (project / "mysite" / "changed.py").write_text("CHANGED = True\n")

    worker_log = host.file("/var/log/supervisor/mysite-worker.log")
    logged_before = len(worker_log.content_string)
    with ThreadPoolExecutor(1) as deploy:
        running = deploy.submit(converge_with, f"mysite_project={project}", only("mysite"))
        # Once mysite's switch is under way, its worker is moved within seconds: a job queued now
        # (of at most 120 s; stopwaitsecs is 150) is in flight when the old worker is asked to stop, and
        # is let finish only then.
        wait_until(lambda: host.file("/srv/mysite/.switching").exists or running.done(), 600, "mysite's switch began")
        long_job = enqueue(host, "long", 120)["job"]
        wait_until(lambda: "shut down requested" in worker_log.content_string[logged_before:] or running.done(), 150,
                   "the old worker was asked to stop")
        host.run_expect([0], "touch /srv/mysite/shared/data/go-long")
        run = running.result()
    host.run_expect([0], "rm -f /srv/mysite/shared/data/go-long")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    after = live_release(host, "mysite")
    assert after != before
    assert f"/srv/mysite/releases/{after}/venv/" in host.file("/etc/supervisor/conf.d/mysite-worker.conf").content_string
    # The old worker was asked to stop while the job ran, finished it (RQ's warm shutdown, within
    # stopwaitsecs), and it ran once.
    log = host.file("/var/log/supervisor/mysite-worker.log").content_string
    assert 0 < log.rfind("shut down requested") < log.rfind(f"Job OK ({long_job})"), log[-3000:]
    jobs = logged(host, "jobs.log")
    assert [before, "long", "done"] in jobs and [line[1] for line in jobs].count("long") == 2, jobs
    enqueue(host, "second")
    wait_until(lambda: [after, "second", "done"] in logged(host, "jobs.log"), 30, "the new worker ran the job")
    wait_until(lambda: logged(host, "ticks.log")[-1][0] == after, 30, "the next scheduled run used the new release")


def test_a_worker_that_crashes_at_start_rolls_everything_back(host, tmp_path):
    before = live_release(host, "mysite")
    project = mysite_copy(tmp_path)
    worker = project / "mysite" / "worker.py"
    worker.write_text("raise SystemExit('the worker fails on purpose')\n" + worker.read_text())

    run = converge_with(f"mysite_project={project}", only("mysite"))
    assert run.returncode != 0
    said = " ".join((run.stdout + run.stderr).split())
    assert "the app's programs did not stay up" in said and f"Rolled back: {before} serves again" in said, said[-3000:]
    assert live_release(host, "mysite") == before
    assert f"/srv/mysite/releases/{before}/venv/" in host.file("/etc/supervisor/conf.d/mysite-worker.conf").content_string
    supervised_pid(host, "mysite-worker")
    assert http_get(host, "/healthz", host_header=MYSITE).status == 200


def test_a_new_git_tag_deploys_without_touching_the_other_app(host):
    perch_pid, wren_before = supervised_pid(host, "perch"), live_release(host, "wren")
    run = converge_with("wren_version=v2", only("wren"))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    wren_after = live_release(host, "wren")
    assert wren_after != wren_before
    response = http_get(host, "/healthz", host_header="wren.localhost")
    assert (response.headers["x-wren-release"], response.json()["version"]) == (wren_after, "2.0.0")
    assert supervised_pid(host, "perch") == perch_pid
    # The deploy ended with its summary: what went live, where, what the gate saw, what changed.
    assert f'"wren: release {wren_after} live (before it {wren_before}), deployed in ' in run.stdout, run.stdout[-3000:]
    assert '"  at       http://wren.localhost/"' in run.stdout
    assert f'"  health   200 from {wren_after} after ' in run.stdout and '"  changed  code"' in run.stdout
    # Molecule's idempotence step ran perch again unchanged: its hooks ran for converge's deploy alone.
    assert len(hooks_log(host)) == 2, "perch did not change, so its hooks must not run"

    # Molecule's idempotence step ran the three apps twice; here the new tag's second run changes nothing.
    again = converge_with("wren_version=v2", only("wren"))
    assert again.returncode == 0 and set(recap_changes(again.stdout).values()) == {0}, again.stdout[-3000:]
    assert '"  health   not asked: nothing went live"' in again.stdout and '"  changed  nothing"' in again.stdout


def test_a_failing_after_switch_hook_rolls_back(host, tmp_path):
    live = live_release(host, "perch")
    project = tmp_path / "perch"
    source = os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], "sample_app")
    subprocess.run(["cp", "-r", source, str(project)], check=True)
    toml = project / "pyproject.toml"
    toml.write_text(toml.read_text().replace('version = "0.1.0"', 'version = "0.9.0"'))

    run = converge_with(f"perch_project={project}", "perch_after_switch=hooks/fail.yml", only("perch"))
    assert run.returncode != 0
    said = " ".join((run.stdout + run.stderr).split())
    assert "failed its after_switch hook" in said and "the after_switch hook fails on purpose" in said and f"Rolled back: {live} serves again" in said
    assert live_release(host, "perch") == live
    response = http_get(host, "/healthz", host_header="perch.localhost")
    assert response.status == 200 and response.headers["x-perch-release"] == live
    # The hook before the switch ran for the bad release; nothing ran after it.
    assert hooks_log(host)[-1][0] == "before_switch" and hooks_log(host)[-1][1] != live


def test_a_failing_release_phase_leaves_mysite_as_it_was(host, tmp_path):
    live, before = live_release(host, "mysite"), releases(host, "mysite")
    project = mysite_copy(tmp_path)
    (project / "mysite" / "changed.py").write_text("PHASE = 'fails'\n")

    run = converge_with(f"mysite_project={project}", only("mysite"),
                        '{"mysite_release_commands": [["python", "manage.py", "nosuchcommand"]]}')
    assert run.returncode != 0
    said = " ".join((run.stdout + run.stderr).split())
    assert "its release phase failed at `python manage.py nosuchcommand`" in said, said[-3000:]
    assert "Unknown command: 'nosuchcommand'" in said and f"{live} still serves" in said
    assert live_release(host, "mysite") == live and releases(host, "mysite") == before
    assert http_get(host, "/healthz", host_header=MYSITE).status == 200
