"""playbooks/logs.yml on a host with three apps: each app's uWSGI, programs' and jobs' lines and nginx's,
each line with its host and source; and what keeps each log from filling the disk."""

import re

from conftest import http_get, recap_changes, run_playbook, wait_until

HOST = "roost-multi-app-debian12"


def test_logs_show_each_apps_uwsgi_programs_jobs_and_nginx_with_the_host_first(host):
    # uWSGI logs the requests that fail (log-4xx): this one is easy to find in perch's log and nginx's.
    assert http_get(host, "/no-such-page-for-the-logs", host_header="perch.localhost").status == 404
    # mysite's job runs every 10 s once it is scheduled.
    wait_until(lambda: host.run("journalctl -q -n1 -u roost-mysite-tick.service").stdout != "", 30, "mysite's job ran")
    run = run_playbook("logs", "--check", "-e", "lines=300")
    assert run.returncode == 0 and set(recap_changes(run.stdout).values()) == {0}, run.stdout[-3000:]
    lines = re.findall(r'^\s*"(.*)",?$', run.stdout, re.MULTILINE)
    sources = {re.match(rf"^{HOST} \[([^\]]+)\]", line).group(1) for line in lines if line.startswith(f"{HOST} [")}
    assert {"perch uwsgi", "wren uwsgi", "mysite uwsgi", "mysite program mysite-worker", "mysite jobs",
            "nginx access"} <= sources, sources
    assert any(line.startswith(f"{HOST} [perch uwsgi] ") and "/no-such-page-for-the-logs" in line for line in lines)
    assert any(line.startswith(f"{HOST} [nginx access] ") and "/no-such-page-for-the-logs" in line for line in lines)
    assert any(line.startswith(f"{HOST} [mysite jobs] ") and "roost-mysite-tick" in line for line in lines)


def test_one_apps_logs_since_a_time_and_bad_input_refused(host):
    run = run_playbook("logs", "-e", "app=mysite", "-e", "lines=5", "-e", "since='2 minutes ago'")
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"{HOST} [mysite jobs] " in run.stdout  # the tick runs every 10 s
    assert "[perch " not in run.stdout and "[wren " not in run.stdout
    refused = run_playbook("logs", "-e", "lines=lots")
    assert refused.returncode != 0
    assert "lines must be a number of lines from 1 to 9999" in refused.stdout + refused.stderr


def test_no_log_can_fill_the_disk(host):
    # supervisord turns each program's log over at 10 MB and keeps 5 (supervisor_log_maxbytes, _backups);
    # Debian's logrotate turns nginx's over; journald caps the journal (the jobs' output) by itself.
    for program in host.run("ls /etc/supervisor/conf.d/").stdout.split():
        conf = host.file(f"/etc/supervisor/conf.d/{program}").content_string
        assert "stdout_logfile_maxbytes=10MB" in conf and "stdout_logfile_backups=5" in conf, program
    rotation = host.run("logrotate --debug /etc/logrotate.d/nginx")
    assert rotation.rc == 0 and "/var/log/nginx/*.log" in rotation.stdout + rotation.stderr
    assert host.run("systemctl is-enabled logrotate.timer").stdout.strip() == "enabled"
