"""The app's programs and jobs as supervisord and systemd get them (module_utils/processes.py)."""

import shlex

from ansible_collections.roost.wsgi.plugins.module_utils.processes import job_units, supervisor_programs

ENV = "/srv/perch/shared/environment.json"


def test_programs_run_from_the_named_release_in_the_apps_environment():
    programs = supervisor_programs([{"name": "worker", "command": ["rq", "worker", "--url", "redis://127.0.0.1/0"],
                                     "processes": 2, "stopwaitsecs": 120}],
                                   app="perch", root="/srv/perch", user="perch", env_file=ENV, release="0123456789ab",
                                   existing=["worker", "mailer"])
    worker, removed = programs
    assert shlex.split(worker["command"]) == ["/usr/bin/python3", "/usr/local/lib/roost-app-env.py", ENV,
                                              "/srv/perch/releases/0123456789ab/venv/bin/rq", "worker", "--url",
                                              "redis://127.0.0.1/0"]
    assert (worker["name"], worker["user"], worker["directory"]) == ("perch-worker", "perch", "/srv/perch/shared")
    assert (worker["numprocs"], worker["stopsignal"], worker["stopwaitsecs"], worker["startsecs"]) == (2, "TERM", 120, 5)
    # A program the list no longer names is removed; one it still names is not.
    assert removed == {"name": "perch-mailer", "state": "absent"}


def test_a_word_with_spaces_or_quotes_stays_one_word():
    (program,) = supervisor_programs([{"name": "say", "command": ["echo", "it's a 'test'", "$HOME"]}],
                                     app="a", root="/srv/a", user="a", env_file=ENV, release="r")
    assert shlex.split(program["command"])[-2:] == ["it's a 'test'", "$HOME"]


def test_jobs_run_the_live_release_with_systemd_quoting():
    paths = job_units([{"name": "tick", "schedule": "*:0/5", "command": ["python", "-m", "perch.tick", "100%", "$HOME x"]}],
                      app="perch", root="/srv/perch", user="perch", env_file=ENV, existing=["tick", "gone"])
    service, timer, *removed = paths
    assert service["path"] == "/etc/systemd/system/roost-perch-tick.service" and service["mode"] == "0644"
    assert ('ExecStart="/usr/bin/python3" "/usr/local/lib/roost-app-env.py" "/srv/perch/shared/environment.json" '
            '"/srv/perch/current/venv/bin/python" "-m" "perch.tick" "100%%" "$$HOME x"\n') in service["content"]
    assert "Type=oneshot\n" in service["content"] and "User=perch\n" in service["content"]
    assert timer["path"] == "/etc/systemd/system/roost-perch-tick.timer"
    assert "OnCalendar=*:0/5\n" in timer["content"] and "Persistent=true\n" in timer["content"]
    assert "AccuracySec=1s\n" in timer["content"]
    assert "Unit=roost-perch-tick.service\n" in timer["content"]
    assert removed == [{"path": "/etc/systemd/system/roost-perch-gone.timer", "state": "absent"},
                       {"path": "/etc/systemd/system/roost-perch-gone.service", "state": "absent"}]
