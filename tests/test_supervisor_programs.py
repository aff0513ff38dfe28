"""The supervisor_programs module against a real supervisord (from PyPI) on this controller: program
files under a temporary conf.d, applied and started through the real supervisorctl."""

import grp
import os
import pwd
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_module

SLEEPER = f"{sys.executable} -c 'import signal; signal.pause()'"
# .venv's (requirements-dev.txt), also when another ansible-core's virtualenv runs the tests
# (scripts/test cores puts its bin first on the PATH, and .venv's after it).
BIN = Path(shutil.which("supervisord") or sys.executable).parent
OWNER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


@pytest.fixture
def supervisord(tmp_path, monkeypatch):
    """A supervisord of this test's own, with no program yet; supervisorctl finds its configuration in
    the working directory (./supervisord.conf), as the module runs it."""
    conf_d = tmp_path / "conf.d"
    conf_d.mkdir()
    (tmp_path / "supervisord.conf").write_text(f"""\
[unix_http_server]
file = {tmp_path}/supervisor.sock

[supervisord]
logfile = {tmp_path}/supervisord.log
pidfile = {tmp_path}/supervisord.pid
childlogdir = {tmp_path}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl = unix://{tmp_path}/supervisor.sock

[include]
files = {conf_d}/*.conf
""")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{BIN}:{os.environ['PATH']}")
    subprocess.run([BIN / "supervisord", "-c", tmp_path / "supervisord.conf"], check=True)
    for _attempt in range(50):
        if (tmp_path / "supervisor.sock").exists():
            break
        time.sleep(0.1)
    yield conf_d
    subprocess.run([BIN / "supervisorctl", "shutdown"], capture_output=True, check=False)


def program(conf_d, name, command=SLEEPER, more=""):
    """A program's file, owned by whoever runs the test."""
    return {"path": str(conf_d / f"{name}.conf"), "mode": "0600", "owner": OWNER, "group": GROUP,
            "content": f"[program:{name}]\ncommand = {command}\nstartsecs = 0\nautorestart = true\n{more}"}


def status(name):
    out = subprocess.run([BIN / "supervisorctl", "status", name], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(RUNNING|STOPPED|STARTING|FATAL|EXITED|BACKOFF)\s+(?:pid (\d+))?", out)
    return (match.group(1), match.group(2)) if match else (out.strip(), None)


def programs(paths, running, *flags):
    return run_module("supervisor_programs", {"paths": list(paths), "running": running}, *flags)


def test_new_programs_are_added_and_run_then_a_rerun_changes_nothing(supervisord):
    paths = [program(supervisord, "alpha"), program(supervisord, "beta")]
    first = programs(paths, ["alpha", "beta"])
    assert not first.get("failed"), first.get("msg")
    assert first["changed"] and first["updated"] == ["alpha", "beta"]
    assert status("alpha")[0] == "RUNNING" and status("beta")[0] == "RUNNING"
    again = programs(paths, ["alpha", "beta"])
    assert (again["changed"], again["changed_paths"], again["updated"], again["started"]) == (False, [], [], [])


def test_a_changed_program_alone_restarts_and_a_removed_one_stops(supervisord):
    alpha, beta = program(supervisord, "alpha"), program(supervisord, "beta")
    programs([alpha, beta], ["alpha", "beta"])
    before = {name: status(name)[1] for name in ("alpha", "beta")}
    changed = programs([alpha, program(supervisord, "beta", more="environment = VARIANT=\"2\"\n")], ["alpha", "beta"])
    assert changed["updated"] == ["beta"] and changed["started"] == []
    assert status("alpha")[1] == before["alpha"], "a program whose file did not change keeps running"
    assert status("beta")[0] == "RUNNING" and status("beta")[1] != before["beta"]
    removed = programs([alpha, {"path": beta["path"], "state": "absent"}], ["alpha"])
    assert removed["updated"] == ["beta"] and not Path(beta["path"]).exists()
    assert "no such process" in status("beta")[0].lower() and status("alpha")[1] == before["alpha"]


def test_a_program_stopped_by_hand_is_started_with_nothing_else_changed(supervisord):
    paths = [program(supervisord, "alpha"), program(supervisord, "beta")]
    programs(paths, ["alpha", "beta"])
    alpha = status("alpha")[1]
    subprocess.run([BIN / "supervisorctl", "stop", "beta"], capture_output=True, check=True)
    assert status("beta")[0] == "STOPPED"
    result = programs(paths, ["alpha", "beta"])
    assert (result["changed"], result["changed_paths"], result["updated"], result["started"]) == (True, [], [], ["beta"])
    assert status("beta")[0] == "RUNNING" and status("alpha")[1] == alpha


def test_check_mode_reports_the_files_and_leaves_supervisord_alone(supervisord):
    result = programs([program(supervisord, "alpha")], ["alpha"], "--check")
    assert result["changed"] and result["changed_paths"] == [str(supervisord / "alpha.conf")]
    assert (result["updated"], result["started"]) == ([], [])
    assert not (supervisord / "alpha.conf").exists() and "no such process" in status("alpha")[0].lower()


@pytest.mark.every_core
def test_a_program_that_cannot_start_fails_the_task_naming_what_supervisorctl_said(supervisord):
    # Not started by the update (autostart is off), so that the start meets the failure itself: a
    # program that fails while supervisord retries it in the background is BACKOFF, which
    # supervisorctl counts as started.
    result = programs([program(supervisord, "broken", "/nonexistent/roost-no-such-command", "autostart = false\n")],
                      ["broken"])
    assert result.get("failed")
    assert result["msg"].startswith("supervisorctl could not start every program of broken: broken: ERROR"), result["msg"]
