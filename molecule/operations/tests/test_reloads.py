"""What a change restarts, and what it must leave running.

converge deployed perch (site.yml) and two plain programs, alpha and beta, under supervisord.
A changed uWSGI setting reloads perch's workers under the same master with no failed request; a
changed program restarts that program alone.
"""

import json
import re
import secrets

from conftest import Load, converge, http_get, process_tree, supervised_pid, write_figures

testinfra_hosts = ["ansible://roost-operations-debian12"]


def pids(host):
    return {name: supervised_pid(host, name) for name in ("perch", "alpha", "beta")}


def supervisord_pid(host):
    return int(host.check_output("cat /run/supervisord.pid"))


def test_a_changed_program_restarts_that_program_only(host):
    before, daemon = pids(host), supervisord_pid(host)
    run = converge("-e", "beta_variant=2")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    after = pids(host)
    assert after["beta"] != before["beta"], "beta's environment changed: it must run anew"
    assert after["alpha"] == before["alpha"] and after["perch"] == before["perch"]
    assert supervisord_pid(host) == daemon
    assert "VARIANT=2" in host.check_output(f"cat /proc/{after['beta']}/environ | tr '\\0' '\\n'")


def test_a_uwsgi_setting_reloads_the_workers_under_the_same_master(host):
    master = supervised_pid(host, "perch")
    workers = process_tree(host, master) - {master}
    assert len(workers) == 2
    run, load = Load(host, seconds=300, max_requests=60000).around(
        converge, "-e", "wsgi_app_processes=3", "-e", "beta_variant=2")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]

    assert supervised_pid(host, "perch") == master, "a setting change must not restart uWSGI's master"
    new_workers = process_tree(host, master) - {master}
    assert len(new_workers) == 3 and not new_workers & workers, "every worker was replaced by the reload"
    assert re.search(r"^processes = 3$", host.file("/etc/uwsgi/perch.ini").content_string, re.MULTILINE)
    assert load["requests"] > 500 and load["failures"] == 0, Load.summary(load)
    assert http_get(host, "/healthz").status == 200


def test_a_changed_environment_reaches_the_app_by_a_chain_reload_and_stays_private(host):
    master = supervised_pid(host, "perch")
    workers = process_tree(host, master) - {master}
    token = "env-secret-" + secrets.token_hex(8)
    env = {"PERCH_SITE_NAME": "perch, from its environment", "ROOST_TEST_TOKEN": token}
    run, load = Load(host, seconds=300, max_requests=60000).around(
        converge, "-e", json.dumps({"wsgi_app_env": env, "wsgi_app_processes": 3, "beta_variant": "2"}))
    write_figures("reloads-environment", Load.summary(load))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert load["requests"] > 500 and load["failures"] == 0, Load.summary(load)
    assert supervised_pid(host, "perch") == master, "an environment change must not restart uWSGI's master"
    assert not (process_tree(host, master) - {master}) & workers, "every worker was replaced by the reload"
    assert "perch, from its environment" in http_get(host, "/").body
    assert token not in run.stdout + run.stderr
    # The value is in one file, root's and the app's group's alone; not in the program's file.
    env_file = host.file("/srv/perch/shared/environment.json")
    assert (env_file.user, env_file.group, env_file.mode) == ("root", "perch", 0o640)
    assert json.loads(env_file.content_string)["ROOST_TEST_TOKEN"] == token
    assert host.run("sudo -u nobody cat /srv/perch/shared/environment.json").rc != 0
    program = host.file("/etc/supervisor/conf.d/perch.conf")
    assert token not in program.content_string and "environment=" not in program.content_string
    assert (program.user, program.mode) == ("root", 0o600)


def test_supervisorctl_is_reachable_by_root_only(host):
    socket = host.file("/run/supervisor.sock")
    assert socket.is_socket and socket.user == "root" and socket.mode == 0o700
    conf = host.file("/etc/supervisor/supervisord.conf").content_string
    assert "[inet_http_server]" not in conf
    assert f"pid={supervisord_pid(host)}," not in host.check_output("ss -Htlnp")
    assert host.run("sudo -u nobody supervisorctl status").rc != 0


def test_uwsgi_stops_gracefully_restarts_and_rotates_its_log(host):
    program = host.file("/etc/supervisor/conf.d/perch.conf").content_string
    for line in ("stopsignal=TERM", "stopwaitsecs=30", "autorestart=true", "startretries=3",
                 "stdout_logfile=/var/log/supervisor/perch.log"):
        assert f"\n{line}\n" in program, line
    assert re.search(r"^stdout_logfile_maxbytes=\S+$", program, re.MULTILINE)
    assert re.search(r"^stdout_logfile_backups=[1-9]\d*$", program, re.MULTILINE)
