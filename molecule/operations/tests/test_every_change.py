"""Every kind of change to the app's settings goes live under load with no failed request.

Each test adds one change to those before it and runs converge (site.yml) again, under the bounded load
loop on the host's own loopback (200 requests/s through nginx), then checks that the change reached
the host: a change that silently did nothing would pass the load check for nothing. The last test
takes every change back at once (also under load) and writes the table, one row per change, to
.roost/reports/every-change.json; the next test files find the host as converge left it.
"""

import json
import os
import re

import pytest
import yaml

from conftest import PROJECT_DIR, Load, converge, http_get, supervised_pid, write_figures

testinfra_hosts = ["ansible://roost-operations-debian12"]

# What converge deploys perch with: each change is made to these.
with open(os.path.join(PROJECT_DIR, "molecule", "shared", "group_vars", "app.yml")) as handle:
    PERCH = yaml.safe_load(handle)
SLEEPER = "import signal; signal.pause()"


def ini(host):
    return host.file("/etc/uwsgi/perch.ini").content_string


def site(host):
    return host.file("/etc/nginx/sites-available/perch.conf").content_string


def reached_config(host):
    assert "perch, from its config" in http_get(host, "/").body


def reached_threads(host):
    assert re.search(r"^threads = 2$", ini(host), re.MULTILINE)


def reached_harakiri(host):
    assert re.search(r"^harakiri = 20$", ini(host), re.MULTILINE)


def reached_preload(host):
    assert "shared-import = markdown" not in ini(host) and "shared-import = nh3" in ini(host)


def reached_static(host):
    assert "location /assets/" in site(host)
    assert http_get(host, "/assets/style.css").status == 200


def reached_server_name(host):
    assert "www.localhost" in site(host)
    assert http_get(host, "/", host_header="www.localhost").status == 200


def reached_cache(host):
    http_get(host, "/")
    assert http_get(host, "/").headers.get("x-cache-status") in {"HIT", "MISS", "EXPIRED", "UPDATING"}


def reached_program(host):
    supervised_pid(host, "perch-worker")


def reached_job(host):
    assert host.run("systemctl is-active roost-perch-tick.timer").stdout.strip() == "active"


# (what changes, the extra vars that change it on top of the changes before, the check that it did)
CHANGES = [
    ("wsgi_app_config: a key added",
     {"wsgi_app_config": {**PERCH["wsgi_app_config"], "SITE_NAME": "perch, from its config"}}, reached_config),
    ("wsgi_app_threads: 1 -> 2", {"wsgi_app_threads": 2}, reached_threads),
    ("wsgi_app_harakiri: 30 -> 20", {"wsgi_app_harakiri": 20}, reached_harakiri),
    ("wsgi_app_preload: one library fewer",
     {"wsgi_app_preload": [name for name in PERCH["wsgi_app_preload"] if name != "markdown"]}, reached_preload),
    ("wsgi_app_static: a location added",
     {"wsgi_app_static": [*PERCH["wsgi_app_static"], {"location": "/assets/", "path": "perch/static"}]}, reached_static),
    ("wsgi_app_server_names: a name added",
     {"wsgi_app_server_names": [*PERCH["wsgi_app_server_names"], "www.localhost"]}, reached_server_name),
    ("wsgi_app_cache: off -> on", {"wsgi_app_cache": True}, reached_cache),
    ("wsgi_app_programs: a worker added",
     {"wsgi_app_programs": [{"name": "worker", "command": ["python", "-c", SLEEPER]}]}, reached_program),
    ("wsgi_app_jobs: a job added", {"wsgi_app_jobs": [{"name": "tick", "schedule": "hourly",
                                                       "command": ["python", "-c", "print('tick')"]}]}, reached_job),
]

applied = {}
table = []


def converge_under_load(host, extra_vars, change):
    master = supervised_pid(host, "perch")
    run, load = Load(host, seconds=300, max_requests=60000).around(converge, "-e", json.dumps(extra_vars))
    table.append({"change": change, "requests": load["requests"], "failed": load["failures"],
                  "retried": load["retried_on_a_new_connection"], "p99_ms": load["p99_ms"], "max_ms": load["max_ms"],
                  "uwsgi_master": "kept" if supervised_pid(host, "perch") == master else "replaced"})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert load["requests"] > 500 and load["failures"] == 0, Load.summary(load)


@pytest.mark.parametrize("change, extra_vars, reached", CHANGES, ids=[change for change, _vars, _check in CHANGES])
def test_a_change_goes_live_under_load_with_no_failed_request(host, change, extra_vars, reached):
    applied.update(extra_vars)
    converge_under_load(host, applied, change)
    reached(host)


def test_every_change_taken_back_at_once_fails_no_request_either(host):
    converge_under_load(host, {}, "all of the above taken back at once")
    write_figures("every-change", table)
    assert re.search(r"^threads = 1$", ini(host), re.MULTILINE) and "www.localhost" not in site(host)
    assert "perch-worker" not in host.run("supervisorctl status").stdout
    assert not host.file("/etc/systemd/system/roost-perch-tick.timer").exists
