"""roost.wsgi.app_host, run by ansible on this controller against a real app root in a temporary directory."""

import grp
import json
import os
import pwd

import pytest
from ansible_collections.roost.wsgi.plugins.modules.app_host import owned, read_host
from conftest import run_module

OWNER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


@pytest.fixture
def root(tmp_path):
    """An app root with two complete releases, one half-installed, `current` on the first."""
    root = tmp_path / "app"
    for release in ("aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"):
        (root / "releases" / release).mkdir(parents=True)
    for release in ("aaaaaaaaaaaa", "bbbbbbbbbbbb"):
        (root / "releases" / release / ".installed").write_text("{}")
    (root / "current").symlink_to("releases/aaaaaaaaaaaa")
    (root / "history.log").write_text("2026-01-01T00:00:00Z aaaaaaaaaaaa\n2026-01-02T00:00:00Z bbbbbbbbbbbb\n"
                                      "\n2026-01-03T00:00:00Z aaaaaaaaaaaa\n")
    (root / "shared").mkdir(mode=0o750)
    os.chmod(root / "shared", 0o750)
    return root


def probe(root, **args):
    result = run_module("app_host", {"root": str(root), "user": OWNER, **args})
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    return result["host"]


@pytest.mark.every_core
def test_it_reports_releases_user_and_missing_packages(root):
    host = probe(root, packages=["dpkg", "roost-no-such-package"])
    assert host["live"] == "aaaaaaaaaaaa"
    assert host["installed"] == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]  # the half-installed one is not a release
    assert host["history"] == ["aaaaaaaaaaaa", "bbbbbbbbbbbb"]  # newest first, each once: live, then the rollback target
    assert host["pending"] is None
    assert host["missing_packages"] == ["roost-no-such-package"]
    assert host["user"] == {"home": pwd.getpwnam(OWNER).pw_dir, "shell": pwd.getpwnam(OWNER).pw_shell}
    assert host["python"].count(".") == 1 and host["machine"] and host["glibc"]
    assert isinstance(host["sites"], dict) and host["stack"] in (True, False)
    # This controller is Debian 12 with python3-venv, as the hosts are.
    assert host["pip_wheel"].startswith("/usr/share/python-wheels/pip-") and host["pip_wheel"].endswith(".whl")
    assert host["os"]["id"] == "debian" and host["os"]["supported"] is True


def test_an_unknown_user_and_a_new_root_are_reported_as_missing(tmp_path):
    result = run_module("app_host", {"root": str(tmp_path / "nothing-here"), "user": "roost-no-such-user"})
    host = result["host"]
    assert (host["user"], host["live"], host["installed"], host["pending"], host["history"]) == (None, "", [], None, [])


def test_directories_are_ok_only_with_their_owner_group_and_mode(root):
    shared = {"path": str(root / "shared"), "owner": OWNER, "group": GROUP, "mode": "0750"}
    assert probe(root, dirs=[shared])["dirs_ok"] is True
    assert probe(root, dirs=[dict(shared, mode="0755")])["dirs_ok"] is False
    assert probe(root, dirs=[dict(shared, path=str(root / "missing"))])["dirs_ok"] is False
    assert probe(root, dirs=[dict(shared, owner="roost-no-such-user")])["dirs_ok"] is False


def test_a_switch_left_unfinished_is_reported(root):
    (root / ".switching").write_text(json.dumps({"from": "aaaaaaaaaaaa", "to": "bbbbbbbbbbbb"}))
    assert probe(root)["pending"] == {"from": "aaaaaaaaaaaa", "to": "bbbbbbbbbbbb"}
    (root / ".switching").write_text("half a json")
    assert probe(root)["pending"] is None


@pytest.mark.every_core
def test_it_runs_in_check_mode(root):
    result = run_module("app_host", {"root": str(root), "user": OWNER}, "--check")
    assert not result.get("failed") and result["host"]["live"] == "aaaaaaaaaaaa"


def test_the_apps_own_programs_and_jobs_are_found_by_their_file_names(tmp_path):
    programs, timers = tmp_path / "conf.d", tmp_path / "system"
    programs.mkdir()
    timers.mkdir()
    for name in ("perch.conf", "perch-worker.conf", "perch-mail_out.conf", "perch-a-b.conf", "perch-Bad.conf",
                 "perchx-worker.conf", "other-worker.conf"):
        (programs / name).write_text("")
    for name in ("roost-perch-tick.timer", "roost-perch-tick.service", "roost-perch-a-b.timer", "roost-perch.timer"):
        (timers / name).write_text("")
    # perch's own, not the web program itself, nor those of an app called perch-a, perchx or other.
    assert owned(str(programs), "perch", ".conf") == ["mail_out", "worker"]
    assert owned(str(programs), "perch-a", ".conf") == ["b"]
    assert owned(str(timers), "roost-perch", ".timer") == ["tick"]
    assert owned(str(programs), "nothing", ".conf") == []


class Systemd:
    """What read_host() asks of an AnsibleModule: systemctl, whose timers these are enabled and active."""

    def __init__(self, enabled, active):
        self.enabled, self.active = enabled, active

    def get_bin_path(self, name):
        return f"/usr/bin/{name}"

    def run_command(self, argv):
        states = self.enabled if argv[1] == "is-enabled" else self.active
        return 0, "".join(states.get(unit, "unknown") + "\n" for unit in argv[2:]), ""


def test_the_jobs_up_are_those_whose_timer_is_enabled_and_running(root, tmp_path):
    timers = tmp_path / "system"
    timers.mkdir()
    for name in ("daily", "hourly", "weekly"):
        (timers / f"roost-perch-{name}.timer").write_text("")
    systemd = Systemd({"roost-perch-daily.timer": "enabled", "roost-perch-hourly.timer": "enabled",
                       "roost-perch-weekly.timer": "disabled"},
                      {"roost-perch-daily.timer": "active", "roost-perch-hourly.timer": "inactive",
                       "roost-perch-weekly.timer": "active"})
    host = read_host(systemd, str(root), OWNER, [], [], {}, "perch", programs=str(tmp_path), timers=str(timers))
    assert host["jobs"] == ["daily", "hourly", "weekly"]
    assert host["jobs_up"] == ["daily"]


@pytest.mark.skipif(os.getuid() != 0, reason="the uv binary counts only when root owns it")
def test_the_hosts_uv_counts_only_as_an_executable_only_root_can_change(root, tmp_path):
    uv = tmp_path / "uv"
    assert probe(root, uv=str(uv))["uv"] is False
    uv.write_bytes(b"\x7fELF")
    for mode, there in ((0o755, True), (0o775, False), (0o757, False), (0o644, False)):
        os.chmod(uv, mode)
        assert probe(root, uv=str(uv))["uv"] is there, oct(mode)
    assert probe(root)["uv"] is False
