"""The lb + app + db shape: who may reach what, failover, and rolling deploys under load.

The load loops run on the balancer's own loopback, so every request crosses the balancer to an app
host and, through it, to PostgreSQL. Their figures go to .roost/reports/scale_out.json.
"""

import json
import os
import re
import subprocess
import time
import uuid

import pytest
import testinfra
from conftest import (
    UWSGI_PROBE,
    Load,
    http_get,
    live_release,
    output,
    run_playbook,
    task_results,
    wait_until,
    write_figures,
)

testinfra_hosts = ["ansible://roost-scale-lb"]

APPS = ["roost-scale-app1", "roost-scale-app2"]
ADDRESSES = {"roost-scale-lb": "10.231.7.10", "roost-scale-app1": "10.231.7.11",
             "roost-scale-app2": "10.231.7.12", "roost-scale-db": "10.231.7.13"}

# Runs on a host: opens a PostgreSQL session to ADDRESS as perch, to database perch, and prints how the
# server answered: the authentication it asks for, or its error.
PG_PROBE = r"""
import json, socket, struct, sys
try:
    s = socket.create_connection((sys.argv[1], 5432), timeout=5)
except OSError as error:
    print(json.dumps({"unreachable": str(error)}))
    sys.exit()
params = b"user\x00perch\x00database\x00perch\x00\x00"
s.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
kind, length = s.recv(1), struct.unpack("!i", s.recv(4))[0]
body = b""
while len(body) < length - 4:
    body += s.recv(length - 4 - len(body))
if kind == b"R":
    print(json.dumps({"auth": struct.unpack("!i", body[:4])[0], "mechanisms": body[4:].decode("latin-1")}))
else:
    print(json.dumps({"error": body.decode("utf-8", "replace")}))
"""

# Runs on a host: GET / from ADDRESS:80 with the site's name, and print the status.
DIRECT_GET = ("import http.client as h, sys; c = h.HTTPConnection(sys.argv[1], 80, timeout=5); "
              "c.request('GET', '/', headers={'Host': 'localhost'}); print(c.getresponse().status)")


FIGURES = {}


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    write_figures("scale_out", FIGURES)


def get_host(name):
    return testinfra.get_host(f"ansible://{name}", ansible_inventory=os.environ["MOLECULE_INVENTORY_FILE"])


@pytest.fixture(scope="module")
def lb():
    return get_host("roost-scale-lb")


@pytest.fixture(scope="module")
def apps():
    return [get_host(name) for name in APPS]


@pytest.fixture(scope="module")
def db():
    return get_host("roost-scale-db")


def served_by(lb, count=8):
    """Which app hosts answered count requests through the balancer."""
    return [http_get(lb, "/healthz").headers.get("x-served-by") for _request in range(count)]


def psql(db, query):
    return db.check_output("runuser -u postgres -- psql -XAtq -d perch -c %s", query)


# --- Who may reach what ---------------------------------------------------------------------------

def test_responses_come_from_both_app_hosts(lb, apps):
    names = {app.check_output("hostname") for app in apps}
    answers = served_by(lb)
    assert set(answers) == names, answers
    page = http_get(lb, "/")
    assert page.status == 200 and "perch" in page.body


def test_the_balancer_sends_each_security_header_once(lb):
    headers = http_get(lb, "/").header_list
    for name in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy"):
        assert [key for key, _value in headers if key.lower() == name.lower()] == [name], headers


def test_app_hosts_see_the_visitor_not_the_balancer(lb, apps):
    marker = uuid.uuid4().hex
    for _request in range(4):  # round robin: both app hosts get some
        assert http_get(lb, f"/healthz?probe={marker}").status == 200

    def logged():  # nginx writes its access log at least once a second (nginx_access_log_flush)
        return [line for app in apps for line in app.check_output("cat /var/log/nginx/access.log").splitlines()
                if marker in line]

    wait_until(lambda: len(logged()) == 4, 10, "the four requests in the app hosts' access logs")
    lines = logged()
    # The balancer's own loopback client, from X-Forwarded-For; never the balancer's address.
    assert all(line.startswith("127.0.0.1 ") for line in lines), lines


def test_app_hosts_answer_the_balancer_only(db, apps):
    for app in APPS:
        assert db.check_output("python3 -c %s %s", DIRECT_GET, ADDRESSES[app]) == "403"


def test_uwsgi_is_reachable_from_no_other_host(db, apps):
    for app, name in zip(apps, APPS):
        listeners = app.check_output("ss -Htlnp")
        assert "uwsgi" not in listeners and "python" not in listeners, listeners
        ports = sorted({int(port) for port in re.findall(r":(\d+)\s", listeners)})
        assert 80 in ports
        for port in ports + [3031, 8000, 8080, 9090]:  # and the ports uWSGI is usually put on
            answer = db.check_output("python3 -c %s %s %s", UWSGI_PROBE, ADDRESSES[name], str(port))
            assert "X-Perch-Release" not in answer, f"{name}:{port} speaks uwsgi to the db host: {answer[:200]}"
        # The only way in is the unix socket, which nginx and the app alone may open.
        socket = app.file("/run/uwsgi/perch/uwsgi.sock")
        assert socket.is_socket and (socket.user, socket.group, socket.mode) == ("perch", "www-data", 0o660)


# --- PostgreSQL ----------------------------------------------------------------------------------

def test_postgresql_listens_on_loopback_and_the_private_address_only(db):
    addresses = set(re.findall(r"\s(\S+):5432\s", db.check_output("ss -Htln")))
    assert addresses <= {"127.0.0.1", "[::1]", ADDRESSES["roost-scale-db"]}, addresses
    assert ADDRESSES["roost-scale-db"] in addresses


def test_app_hosts_log_in_with_scram_and_no_other_host_may_try(lb, apps, db):
    for app in apps:
        answer = json.loads(app.check_output("python3 -c %s %s", PG_PROBE, ADDRESSES["roost-scale-db"]))
        assert answer.get("auth") == 10 and "SCRAM-SHA-256" in answer["mechanisms"], answer
    answer = json.loads(lb.check_output("python3 -c %s %s", PG_PROBE, ADDRESSES["roost-scale-db"]))
    assert "pg_hba.conf" in answer.get("error", ""), answer
    assert psql(db, "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'perch'") == "t"
    rules = psql(db, "SELECT type, database[1], user_name[1], address, auth_method FROM pg_hba_file_rules"
                     " WHERE type = 'host' AND address NOT IN ('127.0.0.1', '::1')").splitlines()
    assert sorted(rules) == [f"host|perch|perch|{ADDRESSES[app]}|scram-sha-256" for app in APPS]


def test_both_app_hosts_share_the_one_database(db, apps):
    assert psql(db, "SELECT count(*) FROM alembic_version") == "1"
    for app in apps:
        config = json.loads(app.file("/srv/perch/shared/config.json").content_string)
        assert config["DATABASE_URL"].endswith(f"@{ADDRESSES['roost-scale-db']}/perch")
    # The admin was made once; its password is on the host that made it, and on no other.
    assert psql(db, "SELECT count(*) FROM \"user\" WHERE username = 'admin'") == "1"
    assert sum(app.file("/srv/perch/shared/admin-password").exists for app in apps) == 1


# --- Failover ------------------------------------------------------------------------------------

def test_the_site_keeps_serving_when_an_app_host_stops(lb, apps):
    load = Load(lb, concurrency=4, rate=100, seconds=120, max_requests=20000).start()
    try:
        time.sleep(3)
        subprocess.run(["docker", "stop", "--time", "10", APPS[1]], check=True, capture_output=True, timeout=60)
        time.sleep(10)
        alone = set(served_by(lb, 6))
    finally:
        result = load.stop()
        subprocess.run(["docker", "start", APPS[1]], check=True, capture_output=True, timeout=60)
    FIGURES["app_host_stopped_under_load"] = Load.summary(result)
    assert result["requests"] > 500, "the load loop hardly ran; the test would prove nothing"
    assert result["failures"] == 0, Load.summary(result)
    assert alone == {apps[0].check_output("hostname")}
    # Started again, it boots, serves, and the balancer takes it back by itself.
    FIGURES["stopped_app_host_back_in_rotation_s"] = wait_until(lambda: APPS[1] in served_by(lb, 4), 120,
                                                                f"{APPS[1]} serves through the balancer again")


def test_with_the_database_stopped_health_says_so_and_recovers_by_itself(lb, apps, db):
    db.check_output("systemctl stop postgresql")
    try:
        own = [http_get(app, "/healthz") for app in apps]
        through_the_balancer = http_get(lb, "/healthz")
    finally:
        db.check_output("systemctl start postgresql")
    # Each app host's nginx: 503 JSON naming the driver's error (not perch's HTML error page, not a
    # cached 200), within a second; the balancer passes on a failure, never a 200.
    for answer in own:
        assert answer.status == 503 and answer.headers["content-type"] == "application/json", answer.body[:300]
        assert answer.json()["status"] == "error" and answer.json()["cause"].startswith("psycopg"), answer.body
        assert "x-cache-status" not in answer.headers and answer.elapsed < 1.0
    assert through_the_balancer.status in (502, 503) and through_the_balancer.elapsed < 1.0
    # PostgreSQL back: both app hosts answer 200 again by themselves, through the balancer too.
    FIGURES["healthy_again_after_postgresql_start_s"] = wait_until(
        lambda: all(http_get(app, "/healthz").status == 200 for app in apps), 60, "both app hosts healthy again")
    wait_until(lambda: http_get(lb, "/healthz").status == 200, 30, "healthy through the balancer again")


# --- Rolling deploys -----------------------------------------------------------------------------

def deploy_under_load(lb, project, what, *args):
    """deploy.yml with project (and args) while the balancer takes 100 requests/s; (the run, the load's
    summary)."""
    load = Load(lb, concurrency=4, rate=100, seconds=600, max_requests=60000).start()
    try:
        run = run_playbook("deploy", "-e", f"wsgi_app_project={project}", *args)
    finally:
        result = load.stop()
    FIGURES[what] = Load.summary(result)
    return run, result


def test_a_rolling_deploy_under_load_fails_no_request(lb, apps, db, perch_variants):
    before = {live_release(app) for app in apps}
    run, result = deploy_under_load(lb, perch_variants["v2"], "rolling_deploy_under_load")
    assert run.returncode == 0, output(run)[-3000:]
    assert result["requests"] > 1000, "the load loop hardly ran; the test would prove nothing"
    assert result["failures"] == 0, Load.summary(result)
    assert result["seconds"] < 600, "the load ran into its time bound: it outlived the deploy"
    after = {live_release(app) for app in apps}
    assert len(after) == 1 and after != before
    # One batch per host, and the migration ran once, on one host, before either switched.
    assert output(run).count("PLAY [Switch the app hosts in batches]") == 2
    migrations = task_results(run, "Run the migration command of the new release")
    assert [status for status, _host in migrations if status != "skipping"] == ["changed"], migrations
    assert db.file(f"/var/backups/postgresql/perch/perch-before-{after.pop()}.dump").exists
    assert {http_get(lb, "/healthz").headers["x-perch-release"] for _request in range(4)} == {live_release(apps[0])}


def test_a_failed_batch_is_rolled_back_and_stops_the_rollout(lb, apps, perch_variants):
    live = live_release(apps[0])
    # A release that answers 503 fails its gate once the timeout has passed: 15 s here, not the default 30
    # (the rollback to the release before gets as long).
    run, result = deploy_under_load(lb, perch_variants["unhealthy"], "failed_rollout_under_load",
                                    "-e", "wsgi_app_health_timeout=15")
    assert run.returncode != 0
    text = output(run)
    assert "failed its health gate" in text and f"Rolled back: {live} serves again" in text, text[-3000:]
    # The first batch went back; the second was never reached.
    assert [live_release(app) for app in apps] == [live, live]
    assert output(run).count("PLAY [Switch the app hosts in batches]") == 1
    assert result["failures"] == 0, Load.summary(result)


def test_one_failing_host_takes_its_whole_batch_back(apps, perch_variants, tmp_path):
    live = live_release(apps[0])
    hook = tmp_path / "fail_on_app2.yml"
    hook.write_text("- name: Fail on the second app host only\n"
                    "  ansible.builtin.fail:\n    msg: app2 refuses this release\n"
                    f"  when: inventory_hostname == '{APPS[1]}'\n")
    # v1 again: a release both hosts still have, so a switch; both hosts in one batch.
    run = run_playbook("deploy", "-e", "wsgi_app_serial=2", "-e", f"wsgi_app_after_switch_tasks={hook}",
                       "-e", f"wsgi_app_project={perch_variants['v1']}")
    assert run.returncode != 0
    text = output(run)
    assert "app2 refuses this release" in text
    assert f"rolled back here too: {APPS[1]} of the same batch failed" in text, text[-3000:]
    assert [live_release(app) for app in apps] == [live, live]


def test_a_failed_migration_of_the_shared_database_switches_no_host(apps, db, perch_variants):
    live = [live_release(app) for app in apps]
    run = run_playbook("deploy", "-e", f"wsgi_app_project={perch_variants['broken_migration']}")
    assert run.returncode != 0
    text = output(run)
    assert "its migration failed" in text, text[-3000:]
    assert "A dump taken just before it is in /var/backups/postgresql on roost-scale-db" in text
    # It stopped in the migration play: no host switched, and the content is still there.
    assert [live_release(app) for app in apps] == live
    assert psql(db, "SELECT count(*) FROM entry") != "0"
