"""Every kind of change to the app's settings goes live under load with no failed request.

Each test adds one change to those before it and runs converge (site.yml and the programs alpha and
beta) again, under the bounded load loop on the host's own loopback (200 requests/s through nginx),
then checks that the change reached the host and what it restarted: a change that silently did nothing
would pass the load check for nothing. A uWSGI setting and the app's environment replace every worker
under the same master; a changed program restarts alone. The last test takes every change back at once
(also under load) and writes the table, one row per change, to .roost/reports/every-change.json; the
next test files find the host as converge left it.
"""

import json
import os
import re
import secrets

import pytest
import yaml

from conftest import (PROJECT_DIR, Load, converge, http_get, process_tree, supervised_pid, supervisord_pid,
                      write_figures)

testinfra_hosts = ["ansible://roost-operations-debian12"]

# What converge deploys perch with: each change is made to these.
with open(os.path.join(PROJECT_DIR, "molecule", "shared", "group_vars", "app.yml")) as handle:
    PERCH = yaml.safe_load(handle)
SLEEPER = "import signal; signal.pause()"
TOKEN = "env-secret-" + secrets.token_hex(8)


def processes(host):
    """The PIDs a change may keep or replace: supervisord, perch's uWSGI master and workers, alpha, beta."""
    master = supervised_pid(host, "perch")
    return {"supervisord": supervisord_pid(host), "master": master,
            "workers": process_tree(host, master) - {master},
            "alpha": supervised_pid(host, "alpha"), "beta": supervised_pid(host, "beta")}


def ini(host):
    return host.file("/etc/uwsgi/perch.ini").content_string


def site(host):
    return host.file("/etc/nginx/sites-available/perch.conf").content_string


def reached_config(host, before, run):
    assert "perch, from its config" in http_get(host, "/").body


def reached_workers(host, before, run):
    assert re.search(r"^threads = 2$", ini(host), re.MULTILINE)
    assert re.search(r"^processes = 3$", ini(host), re.MULTILINE)
    workers = processes(host)["workers"]
    assert len(before["workers"]) == 2 and len(workers) == 3
    assert not workers & before["workers"], "every worker was replaced by the reload"
    assert http_get(host, "/healthz").status == 200


def reached_environment(host, before, run):
    assert "perch, from its environment" in http_get(host, "/").body
    assert not processes(host)["workers"] & before["workers"], "every worker was replaced by the reload"
    assert TOKEN not in run.stdout + run.stderr
    # The value is in one file, root's and the app's group's alone; not in the program's file.
    env_file = host.file("/srv/perch/shared/environment.json")
    assert (env_file.user, env_file.group, env_file.mode) == ("root", "perch", 0o640)
    assert json.loads(env_file.content_string)["ROOST_TEST_TOKEN"] == TOKEN
    assert host.run("sudo -u nobody cat /srv/perch/shared/environment.json").rc != 0
    program = host.file("/etc/supervisor/conf.d/perch.conf")
    assert TOKEN not in program.content_string and "environment=" not in program.content_string
    assert (program.user, program.mode) == ("root", 0o600)


def reached_harakiri(host, before, run):
    assert re.search(r"^harakiri = 20$", ini(host), re.MULTILINE)


def reached_preload(host, before, run):
    assert "shared-import = markdown" not in ini(host) and "shared-import = nh3" in ini(host)


def reached_static(host, before, run):
    assert "location /assets/" in site(host)
    assert http_get(host, "/assets/style.css").status == 200


def reached_server_name(host, before, run):
    assert "www.localhost" in site(host)
    assert http_get(host, "/", host_header="www.localhost").status == 200


def reached_cache(host, before, run):
    http_get(host, "/")
    assert http_get(host, "/").headers.get("x-cache-status") in {"HIT", "MISS", "EXPIRED", "UPDATING"}


def reached_programs(host, before, run):
    supervised_pid(host, "perch-worker")
    after = processes(host)
    assert after["beta"] != before["beta"], "beta's environment changed: it must run anew"
    assert "VARIANT=2" in host.check_output(f"cat /proc/{after['beta']}/environ | tr '\\0' '\\n'")
    assert (after["alpha"], after["supervisord"]) == (before["alpha"], before["supervisord"])
    assert after["workers"] == before["workers"], "a program beside the app must not reload uWSGI"


def reached_job(host, before, run):
    assert host.run("systemctl is-active roost-perch-tick.timer").stdout.strip() == "active"


# (what changes, the extra vars that change it on top of the changes before, the check that it did)
CHANGES = [
    ("wsgi_app_config: a key added",
     {"wsgi_app_config": {**PERCH["wsgi_app_config"], "SITE_NAME": "perch, from its config"}}, reached_config),
    ("wsgi_app_env: a value and a secret added",
     {"wsgi_app_env": {"PERCH_SITE_NAME": "perch, from its environment", "ROOST_TEST_TOKEN": TOKEN}},
     reached_environment),
    ("uWSGI: threads 1 -> 2, processes 2 -> 3", {"wsgi_app_threads": 2, "wsgi_app_processes": 3}, reached_workers),
    ("wsgi_app_harakiri: 30 -> 20", {"wsgi_app_harakiri": 20}, reached_harakiri),
    ("wsgi_app_preload: one library fewer",
     {"wsgi_app_preload": [name for name in PERCH["wsgi_app_preload"] if name != "markdown"]}, reached_preload),
    ("wsgi_app_static: a location added",
     {"wsgi_app_static": [*PERCH["wsgi_app_static"], {"location": "/assets/", "path": "perch/static"}]}, reached_static),
    ("wsgi_app_server_names: a name added",
     {"wsgi_app_server_names": [*PERCH["wsgi_app_server_names"], "www.localhost"]}, reached_server_name),
    ("wsgi_app_cache: off -> on", {"wsgi_app_cache": True}, reached_cache),
    ("programs: a worker added, beta's environment changed",
     {"wsgi_app_programs": [{"name": "worker", "command": ["python", "-c", SLEEPER]}], "beta_variant": "2"},
     reached_programs),
    ("wsgi_app_jobs: a job added", {"wsgi_app_jobs": [{"name": "tick", "schedule": "hourly",
                                                       "command": ["python", "-c", "print('tick')"]}]}, reached_job),
]

applied = {}
table = []


def converge_under_load(host, extra_vars, change):
    """Converge with extra_vars under load; return what ran before it and the run."""
    before = processes(host)
    run, load = Load(host, seconds=300, max_requests=60000).around(converge, "-e", json.dumps(extra_vars))
    master = "kept" if supervised_pid(host, "perch") == before["master"] else "replaced"
    table.append({"change": change, "requests": load["requests"], "failed": load["failures"],
                  "retried": load["retried_on_a_new_connection"], "p99_ms": load["p99_ms"], "max_ms": load["max_ms"],
                  "uwsgi_master": master})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert load["requests"] > 500 and load["failures"] == 0, Load.summary(load)
    assert master == "kept", f"{change}: uWSGI's master was restarted"
    return before, run


@pytest.mark.parametrize("change, extra_vars, reached", CHANGES, ids=[change for change, _vars, _check in CHANGES])
def test_a_change_goes_live_under_load_with_no_failed_request(host, change, extra_vars, reached):
    applied.update(extra_vars)
    before, run = converge_under_load(host, applied, change)
    reached(host, before, run)


def test_every_change_taken_back_at_once_fails_no_request_either(host):
    converge_under_load(host, {}, "all of the above taken back at once")
    write_figures("every-change", table)
    assert re.search(r"^threads = 1$", ini(host), re.MULTILINE) and "www.localhost" not in site(host)
    assert "perch-worker" not in host.run("supervisorctl status").stdout
    assert not host.file("/etc/systemd/system/roost-perch-tick.timer").exists
