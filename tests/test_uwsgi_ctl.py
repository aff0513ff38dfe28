"""roost-uwsgi-ctl's reading of a reload in progress (the operations scenario runs it on hosts)."""

import importlib.machinery
import importlib.util
from pathlib import Path

CTL = Path(__file__).resolve().parent.parent / "roles" / "uwsgi" / "files" / "usr" / "local" / "sbin" / "roost-uwsgi-ctl"
loader = importlib.machinery.SourceFileLoader("roost_uwsgi_ctl", str(CTL))
ctl = importlib.util.module_from_spec(importlib.util.spec_from_loader("roost_uwsgi_ctl", loader))
loader.exec_module(ctl)


def stats(master, *workers):
    return {"pid": master, "workers": [{"id": i, "pid": pid, "respawn_count": starts, "apps": [{}] if apps else []}
                                       for i, (pid, starts, apps) in enumerate(workers, start=1)]}


BEFORE = stats(100, (101, 1, True), (102, 1, True))


def test_a_chain_reload_is_done_when_every_worker_is_new_and_has_the_app():
    assert ctl.progress("chain-reload", BEFORE, stats(100, (201, 2, True), (102, 1, True)), 0) == ("wait", "")
    assert ctl.progress("chain-reload", BEFORE, stats(100, (201, 2, True), (202, 2, False)), 0) == ("wait", "")
    assert ctl.progress("chain-reload", BEFORE, stats(100, (201, 2, True), (202, 2, True)), 0) == \
        ("done", "workers 201, 202")


def test_a_master_that_exits_during_a_chain_reload_fails_it_at_once():
    for gone in range(1, ctl.GONE_READINGS):
        assert ctl.progress("chain-reload", BEFORE, None, gone) == ("wait", "")
    state, said = ctl.progress("chain-reload", BEFORE, None, ctl.GONE_READINGS)
    assert state == "failed" and "master exited during the chain reload" in said


def test_a_master_reload_may_go_quiet_but_not_come_back_as_another_process():
    assert ctl.progress("reload", BEFORE, None, 50) == ("wait", "")
    state, said = ctl.progress("reload", BEFORE, stats(300, (301, 1, True), (302, 1, True)), 0)
    assert state == "failed" and "pid 100, now 300" in said
    assert ctl.progress("reload", BEFORE, stats(100, (301, 1, True), (302, 1, True)), 0)[0] == "done"


def test_a_worker_that_keeps_dying_before_it_loads_the_app_fails_a_chain_reload():
    dying = 1 + ctl.CRASHES  # the chain reload's own start, then one per death
    assert ctl.progress("chain-reload", BEFORE, stats(100, (201, 1 + dying - 1, False), (102, 1, True)), 0)[0] == "wait"
    state, said = ctl.progress("chain-reload", BEFORE, stats(100, (201, 1 + dying, False), (102, 1, True)), 0)
    assert state == "failed" and said.startswith(f"worker 1 was started {dying} times")
    # A master reload counts its workers' starts from scratch: no verdict from them.
    assert ctl.progress("reload", BEFORE, stats(100, (201, 9, False), (102, 1, True)), 0) == ("wait", "")


def test_the_app_is_found_by_its_ini_and_its_sockets_by_what_the_ini_says(tmp_path, monkeypatch, capsys):
    run = tmp_path / "run" / "perch"
    run.mkdir(parents=True)
    (tmp_path / "perch.ini").write_text(f"[uwsgi]\nsocket = {run}/uwsgi.sock\nstats = {run}/stats.sock\n"
                                        f"master-fifo = {run}/master.fifo\nshared-import = flask\nshared-import = x\n")
    monkeypatch.setattr(ctl, "CONFIG_DIR", str(tmp_path))
    assert ctl.main(["status", "perch"]) == ctl.NOT_RUNNING
    assert f"no uWSGI answers on {run}/stats.sock" in capsys.readouterr().err
    assert ctl.main(["chain-reload", "perch"]) == ctl.NOT_RUNNING
    assert ctl.preloaded_record(ctl.ini_of("perch")) == f"{run}/preloaded.json"
    assert ctl.main(["status", "wren"]) == 1
    assert f"{tmp_path}/wren.ini is missing" in capsys.readouterr().err


def test_the_role_can_write_its_config_dir_into_the_helper():
    # roles/uwsgi/tasks/install.yml replaces this one line with uwsgi_config_dir.
    assert CTL.read_text().count('\nCONFIG_DIR = "/etc/uwsgi"\n') == 1
