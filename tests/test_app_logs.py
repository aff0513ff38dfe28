"""roost.wsgi.app_logs: which logs are an app's, their last lines read from the end, the jobs' journal
(multi_app runs playbooks/logs.yml on a host with three apps)."""

import json

from ansible_collections.roost.wsgi.plugins.modules import app_logs
from conftest import run_module


def test_the_last_lines_are_read_from_the_end_of_a_log_of_any_size(tmp_path):
    log = tmp_path / "perch.log"
    log.write_text("".join(f"line {n} " + "x" * 200 + "\n" for n in range(1, 5001)))  # 1 MB
    last = app_logs.tail(str(log), 3)
    assert [line.split()[:2] for line in last] == [["line", "4998"], ["line", "4999"], ["line", "5000"]]
    assert app_logs.tail(str(tmp_path / "nothing.log"), 3) == []
    (tmp_path / "short.log").write_text("only\n")
    assert app_logs.tail(str(tmp_path / "short.log"), 50) == ["only"]


def test_an_apps_logs_are_its_uwsgi_and_programs_not_those_of_an_app_named_like_it(tmp_path):
    for name in ("perch", "perch-worker_00", "perch-worker_01", "perch-mailer", "perch-two", "perch-two-worker",
                 "perchx", "supervisord"):
        (tmp_path / f"{name}.log").write_text("")
    assert [source for source, _path in app_logs.app_files("perch", ["perch", "perch-two"], str(tmp_path))] == [
        "perch uwsgi", "perch program perch-mailer", "perch program perch-worker_00", "perch program perch-worker_01"]
    assert [source for source, _path in app_logs.app_files("perch-two", ["perch", "perch-two"], str(tmp_path))] == [
        "perch-two uwsgi", "perch-two program perch-two-worker"]


def test_the_jobs_come_from_the_journal_since_a_time_and_a_journal_that_cannot_be_read_says_so():
    asked = []

    def run(argv):
        asked.append(argv)
        return 0, "2026-12-08T10:00:00+0000 host python[12]: tick\n", ""
    assert app_logs.journal(run, "mysite", 20, "1 hour ago") == (
        "mysite jobs", "roost-mysite-*.service", ["2026-12-08T10:00:00+0000 host python[12]: tick"])
    assert asked == [["journalctl", "--no-pager", "--quiet", "--output=short-iso", "--lines=20",
                      "--unit=roost-mysite-*.service", "--since=1 hour ago"]]
    assert app_logs.journal(lambda argv: (1, "", "Failed to parse timestamp: whenever\n"), "mysite", 20, "whenever")[2] == [
        "(journalctl: Failed to parse timestamp: whenever)"]
    # Jobs that have not run yet: the journal has nothing for their units.
    assert app_logs.journal(lambda argv: (1, "", "Failed to add filter for units: No data available\n"), "mysite", 20, "")[2] == []


def test_the_module_reads_every_recorded_app_then_nginx_and_refuses_an_unknown_app(tmp_path):
    records, logs = tmp_path / "apps", tmp_path / "log"
    records.mkdir()
    logs.mkdir()
    (records / "shop.json").write_text(json.dumps({"user": "nobody", "root": "/srv/shop", "env_file": "/dev/null"}))
    (logs / "shop.log").write_text("[pid: 1|app: 0|req: 1/1] GET /boom => generated 500\n")
    (tmp_path / "error.log").write_text("one\ntwo\nthree\n")
    args = {"records": str(records), "log_dir": str(logs), "lines": 2,
            "nginx_logs": [str(tmp_path / "error.log"), str(tmp_path / "access.log")]}
    result = run_module("app_logs", args, "--check")
    assert result["changed"] is False
    # shop has no job units: no journal to read.
    assert [log["source"] for log in result["logs"]] == ["shop uwsgi", "nginx error", "nginx access"]
    assert result["lines"][0] == "[shop uwsgi] [pid: 1|app: 0|req: 1/1] GET /boom => generated 500"
    assert result["lines"][-2:] == ["[nginx error] two", "[nginx error] three"]
    refused = run_module("app_logs", dict(args, apps=["blog"]))
    assert refused["failed"] and refused["msg"] == "no app named blog on this host (the apps roost.wsgi deployed here: shop)"
    assert run_module("app_logs", dict(args, lines=0))["msg"] == "lines must be between 1 and 10000; got 0"
