"""Faults survived on a converged host: each test breaks something the way production does.

converge ran playbooks/site.yml (perch on SQLite, plain HTTP). Figures (recovery times, requests
under load) go to .roost/reports/faults.json.
"""

import subprocess
import time

import pytest
from conftest import (
    Load,
    http_get,
    live_release,
    output,
    process_tree,
    run_playbook,
    supervised_pid,
    supervisord_pid,
    wait_until,
    write_figures,
)

testinfra_hosts = ["ansible://roost-operations-debian12"]

FIGURES = {}


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    write_figures("faults", FIGURES)


def serving(host):
    try:
        return http_get(host, "/healthz").status == 200
    except Exception:  # the host itself may be restarting
        return False


def uwsgi_processes(host):
    """PIDs of every uWSGI process of perch, wherever it hangs in the process tree."""
    out = host.run("pgrep -u perch -f 'perch.ini'").stdout
    return {int(pid) for pid in out.split()}


# Runs on the host: kill -9 the master, then time until every old process is gone and /healthz
# answers 200 again through nginx (polled every 50 ms, for at most 30 s).
KILL_AND_TIME = r"""
import http.client, os, sys, time
master, old = int(sys.argv[1]), [int(pid) for pid in sys.argv[2:]]
started = time.monotonic()
os.kill(master, 9)
while time.monotonic() - started < 30:
    alive = [pid for pid in old if os.path.exists(f"/proc/{pid}")]
    try:
        connection = http.client.HTTPConnection("127.0.0.1", 80, timeout=2)
        connection.request("GET", "/healthz", headers={"Host": "localhost"})
        status = connection.getresponse().status
    except OSError:
        status = 0
    if not alive and status == 200:
        print(round(time.monotonic() - started, 2))
        break
    time.sleep(0.05)
else:
    print("never")
"""


def test_killed_uwsgi_master_is_back_within_5_seconds(host):
    master = supervised_pid(host, "perch")
    old_tree = process_tree(host, master)
    took = host.check_output("python3 -c %s %s " + " ".join(["%s"] * len(old_tree)), KILL_AND_TIME, str(master),
                             *map(str, sorted(old_tree)))
    FIGURES["uwsgi_master_kill9_recovery_s"] = took
    assert took != "never" and float(took) <= 5, f"perch answered again after {took} s"
    # The old workers died with their master: only the new master's tree is left.
    new_master = supervised_pid(host, "perch")
    assert new_master != master
    assert uwsgi_processes(host) == process_tree(host, new_master)


def test_killed_supervisord_is_restarted_by_systemd_and_the_app_comes_back(host):
    daemon = supervisord_pid(host)
    master = supervised_pid(host, "perch")
    host.run(f"kill -9 {daemon}")
    FIGURES["supervisord_kill9_recovery_s"] = wait_until(
        lambda: serving(host) and host.run("supervisorctl status perch").rc == 0
        and supervised_pid(host, "perch") != master, 30, "supervisord and perch are back")
    assert supervisord_pid(host) != daemon
    # Exactly one uWSGI: the one the new supervisord started (none orphaned by the old one).
    assert uwsgi_processes(host) == process_tree(host, supervised_pid(host, "perch"))


def test_host_restart_serves_again_without_a_manual_step(host):
    container = host.backend.host
    subprocess.run(["docker", "restart", "--time", "20", container], check=True, capture_output=True, timeout=120)
    FIGURES["host_restart_recovery_s"] = wait_until(lambda: serving(host), 90, "perch answers after the restart")
    for service in ("nginx", "supervisor"):
        assert host.service(service).is_running
    assert host.file("/run/uwsgi/perch/uwsgi.sock").is_socket


def test_nginx_worker_killed_and_nginx_reloaded_under_load_fail_no_request(host):
    load = Load(host, rate=200, seconds=60, max_requests=20000)
    load.start()
    time.sleep(2)
    workers = host.check_output("pgrep -f 'nginx: worker process'").split()
    host.run(f"kill -9 {workers[0]}")
    time.sleep(2)
    host.run("systemctl reload nginx")
    time.sleep(2)
    host.run("systemctl reload nginx")
    time.sleep(2)
    result = load.stop()
    FIGURES["nginx_faults_under_load"] = Load.summary(result)  # includes retried_on_a_new_connection
    assert result["requests"] > 500
    assert result["failures"] == 0, Load.summary(result)


def test_app_that_crashes_at_start_is_rolled_back_and_the_old_release_serves(host, perch_variants):
    before = live_release(host)
    run = run_playbook("deploy", "-e", f"wsgi_app_project={perch_variants['crash_at_start']}")
    assert run.returncode != 0
    assert "failed its health gate" in output(run), output(run)[-3000:]
    assert live_release(host) == before
    FIGURES["crash_at_start_recovery_s"] = wait_until(lambda: serving(host), 30, "the old release serves")
    assert http_get(host, "/healthz").headers["x-perch-release"] == before
    # supervisord gave up on the crashing one and runs the old one again.
    assert supervised_pid(host, "perch") > 0


def test_full_disk_in_shared_fails_the_deploy_cleanly(host, perch_variants):
    before = live_release(host)
    backups = "/srv/perch/shared/backups"
    host.run(f"mount -t tmpfs -o size=64k,uid=perch,gid=perch,mode=0750 tmpfs {backups}")
    try:
        host.run(f"sudo -u perch dd if=/dev/zero of={backups}/filler bs=4k count=15")
        run = run_playbook("deploy", "-e", f"wsgi_app_project={perch_variants['v2']}")
        assert run.returncode != 0
        text = output(run)
        assert "could not be backed up" in text and "disk is full" in text, text[-3000:]
        assert f"{before} still serves" in text
        assert live_release(host) == before
        assert serving(host)
        # Nothing half-written is left behind to fill the disk further.
        assert host.check_output(f"ls {backups}").split() == ["filler"]
    finally:
        host.run(f"umount {backups}")
