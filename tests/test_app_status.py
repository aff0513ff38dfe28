"""roost.wsgi.app_status: what it makes of a host's records, history, supervisord, systemd and uWSGI's
stats (multi_app runs playbooks/status.yml on a host with three apps, one of them stopped in turn)."""

import json
import os
import time

import pytest
from ansible_collections.roost.wsgi.plugins.modules import app_status
from conftest import run_module

NOW = time.mktime((2026, 12, 8, 12, 0, 0, 0, 0, -1)) - time.timezone  # 2026-12-08T12:00:00Z

SUPERVISORCTL = """\
perch                            RUNNING   pid 812, uptime 2:03:04
perch-two                        RUNNING   pid 900, uptime 0:10:00
perch-two-worker                 STOPPED   Dec 08 11:00 AM
perch-worker:perch-worker_00     RUNNING   pid 815, uptime 2:03:01
perch-worker:perch-worker_01     FATAL     Exited too quickly (process log may have details)
"""


def fake_run(answers):
    """A run(argv) that answers by the command's first words, and records what it was asked."""
    def run(argv):
        run.asked.append(argv)
        for prefix, answer in answers.items():
            if " ".join(argv).startswith(prefix):
                return answer
        return 127, "", f"{argv[0]}: No such file or directory"
    run.asked = []
    return run


def test_the_live_release_and_the_one_before_come_from_history_with_their_times(tmp_path):
    (tmp_path / "releases" / "bbb").mkdir(parents=True)
    (tmp_path / "current").symlink_to("releases/bbb")
    (tmp_path / "history.log").write_text("2026-12-01T10:00:00Z aaa\n2026-12-05T09:30:00Z bbb\n"
                                          "2026-12-06T08:00:00Z aaa\n2026-12-07T12:00:00Z bbb\n")
    assert app_status.releases(str(tmp_path), NOW) == {
        "live": "bbb", "live_since": "2026-12-07T12:00:00Z", "live_for": "1d 0h",
        "previous": "aaa", "previous_since": "2026-12-06T08:00:00Z"}
    assert app_status.releases(str(tmp_path / "nothing"), NOW)["live"] == ""


def test_programs_are_the_apps_own_and_not_those_of_an_app_whose_name_starts_like_it():
    run = fake_run({"supervisorctl status": (3, SUPERVISORCTL, "")})
    assert [(program["name"], program["state"]) for program in app_status.programs(run, "perch", ["perch", "perch-two"])] == [
        ("perch", "RUNNING"), ("perch-worker:perch-worker_00", "RUNNING"), ("perch-worker:perch-worker_01", "FATAL")]
    assert [program["name"] for program in app_status.programs(run, "perch-two", ["perch", "perch-two"])] == [
        "perch-two", "perch-two-worker"]
    down = fake_run({"supervisorctl status": (4, "", "unix:///run/supervisor.sock no such file")})
    assert app_status.programs(down, "perch") == [{"name": "perch", "state": "UNKNOWN",
                                                   "detail": "unix:///run/supervisor.sock no such file"}]


def test_uwsgi_workers_are_summed_from_the_stats_socket():
    stats = {"pid": 700, "workers": [
        {"id": 1, "status": "busy", "requests": 120, "respawn_count": 1, "rss": 40 * 2**20},
        {"id": 2, "status": "idle", "requests": 80, "respawn_count": 3, "rss": 41 * 2**20}]}
    run = fake_run({"/usr/local/sbin/roost-uwsgi-ctl status perch": (0, json.dumps(stats), "")})
    assert app_status.uwsgi(run, "perch") == {"master": 700, "workers": 2, "busy": 1, "requests": 200,
                                              "respawns": 2, "rss_mb": 81.0}
    stopped = fake_run({"/usr/local/sbin/roost-uwsgi-ctl": (1, "", "perch: no uWSGI answers on /run/uwsgi/perch/stats.sock\n")})
    assert app_status.uwsgi(stopped, "perch") == {"error": "perch: no uWSGI answers on /run/uwsgi/perch/stats.sock"}


def test_jobs_are_read_from_their_timers_and_services_in_one_systemctl_call(tmp_path):
    for unit in ("roost-perch-tick.timer", "roost-perch-report.timer", "roost-perchx-tick.timer"):
        (tmp_path / unit).write_text("")
    shown = ("Id=roost-perch-report.timer\nActiveState=active\nNextElapseUSecRealtime=Tue 2026-12-08 13:00:00 UTC\n"
             "LastTriggerUSec=n/a\n\n"
             "Id=roost-perch-tick.timer\nActiveState=active\nNextElapseUSecRealtime=Tue 2026-12-08 12:00:10 UTC\n"
             "LastTriggerUSec=Tue 2026-12-08 12:00:00 UTC\n\n"
             "Id=roost-perch-report.service\nResult=success\nExecMainStatus=0\n\n"
             "Id=roost-perch-tick.service\nResult=exit-code\nExecMainStatus=2\n")
    run = fake_run({"systemctl show": (0, shown, "")})
    assert app_status.jobs(run, "perch", units=str(tmp_path)) == [
        {"name": "roost-perch-report", "timer": "active", "next": "Tue 2026-12-08 13:00:00 UTC", "last": "never",
         "result": ""},
        {"name": "roost-perch-tick", "timer": "active", "next": "Tue 2026-12-08 12:00:10 UTC",
         "last": "Tue 2026-12-08 12:00:00 UTC", "result": "exit-code (exit 2)"}]
    assert run.asked == [["systemctl", "show", "--property=Id,NextElapseUSecRealtime,LastTriggerUSec,Result,"
                          "ExecMainStatus,ActiveState", "roost-perch-report.timer", "roost-perch-tick.timer",
                          "roost-perch-report.service", "roost-perch-tick.service"]]


def test_the_lines_say_what_is_failing(tmp_path):
    found = {
        "root": "/srv/perch",
        "releases": {"live": "bbb", "live_since": "", "live_for": "2h 5m", "previous": "aaa", "previous_since": ""},
        "health": {"status": 502, "release": "", "cache": "", "error": "", "url": "http://perch.localhost/healthz",
                   "healthy": False},
        "uwsgi": {"error": "perch: no uWSGI answers on /run/uwsgi/perch/stats.sock"},
        "programs": [{"name": "perch", "state": "STOPPED", "detail": "Dec 08 11:00 AM"}],
        "jobs": [], "certificate": {"path": "/etc/ssl/roost/perch/fullchain.pem", "expires": "Mar  8 12:00:00 2027 GMT",
                                    "days_left": 90},
        "disk": {"free_gb": 12.5, "free_percent": 61.0}, "backup": {},
    }
    assert app_status.lines("perch", found) == [
        "perch: release bbb, live for 2h 5m; before it aaa",
        "  health   FAILING: http://perch.localhost/healthz answered 502",
        "  uwsgi    perch: no uWSGI answers on /run/uwsgi/perch/stats.sock",
        "  program  perch STOPPED Dec 08 11:00 AM",
        "  tls      certificate expires Mar  8 12:00:00 2027 GMT (90 days)",
        "  disk     12.5 GB free under /srv/perch (61.0 %)",
        "  backup   none",
    ]


def test_the_module_reads_every_recorded_app_and_refuses_an_unknown_one(tmp_path):
    records, root = tmp_path / "apps", tmp_path / "srv" / "shop"
    records.mkdir()
    (root / "shared" / "backups").mkdir(parents=True)
    (root / "shared" / "backups" / "db.sqlite.before-aaa").write_text("")
    os.utime(root / "shared" / "backups" / "db.sqlite.before-aaa", (time.time() - 7200, time.time() - 7200))
    (records / "shop.json").write_text(json.dumps({"user": "nobody", "root": str(root), "env_file": "/dev/null"}))
    result = run_module("app_status", {"records": str(records)}, "--check")
    assert result["changed"] is False and result["healthy"] is False
    shop = result["apps"]["shop"]
    assert shop["releases"]["live"] == "" and shop["backup"]["age"] == "2h 0m"
    assert shop["health"] == {"error": "the app's record names no health path (deployed before roost.wsgi wrote it)"}
    assert result["lines"][0] == "shop: release (none)"
    refused = run_module("app_status", {"records": str(records), "apps": ["blog"]})
    assert refused["failed"]
    assert refused["msg"] == "no app named blog on this host (the apps roost.wsgi deployed here: shop)"


@pytest.mark.parametrize("seconds, said", [(59, "0m 59s"), (3600 + 120, "1h 2m"), (86400 * 3 + 3600 * 5, "3d 5h")])
def test_durations_read_as_an_operator_says_them(seconds, said):
    assert app_status.duration(seconds) == said
