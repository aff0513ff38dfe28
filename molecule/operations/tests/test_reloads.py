"""How supervisord runs uWSGI, and who may drive it.

converge deployed perch (site.yml) and two plain programs, alpha and beta, under supervisord. What a
change restarts and what it leaves running (a uWSGI setting, the environment, a program) is checked
under load by test_every_change.py.
"""

import re

from conftest import supervisord_pid

testinfra_hosts = ["ansible://roost-operations-debian12"]


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
