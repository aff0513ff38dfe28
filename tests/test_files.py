"""The files module, run by ansible on this controller against real files in a temporary directory."""

import grp
import os
import pwd
import stat
from pathlib import Path

import pytest
from conftest import run_module

ROOT = Path(__file__).resolve().parent.parent
OWNER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def files(paths, *flags):
    """Run roost.wsgi.files on localhost with these paths; return its result (failed or not)."""
    return run_module("files", {"paths": [{"owner": OWNER, "group": GROUP, **entry} for entry in paths]}, *flags)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def layout(tmp_path):
    """A directory to create, a file in it, a file beside it and a file to remove."""
    stale = tmp_path / "stale.conf"
    stale.write_text("old\n")
    return [
        {"path": str(tmp_path / "conf.d"), "state": "directory", "mode": "0750"},
        {"path": str(tmp_path / "conf.d" / "app.conf"), "content": "listen 80;\n", "mode": "0640"},
        {"path": str(tmp_path / "helper"), "content": "#!/bin/sh\nexit 0\n", "mode": "0755"},
        {"path": str(stale), "state": "absent"},
    ]


@pytest.mark.every_core
def test_puts_everything_in_place_then_changes_nothing(layout, tmp_path):
    first = files(layout)
    assert not first.get("failed"), first.get("msg")
    assert first["changed"] is True
    assert first["changed_paths"] == [entry["path"] for entry in layout]
    assert (tmp_path / "conf.d" / "app.conf").read_text() == "listen 80;\n"
    assert mode_of(tmp_path / "conf.d") == 0o750
    assert mode_of(tmp_path / "conf.d" / "app.conf") == 0o640
    assert mode_of(tmp_path / "helper") == 0o755
    assert not (tmp_path / "stale.conf").exists()

    again = files(layout)
    assert again["changed"] is False and again["changed_paths"] == []


def test_a_mode_alone_is_corrected_without_rewriting_the_file(layout, tmp_path):
    files(layout)
    helper = tmp_path / "helper"
    helper.chmod(0o700)
    inode = helper.stat().st_ino
    again = files(layout)
    assert again["changed_paths"] == [str(helper)]
    assert mode_of(helper) == 0o755 and helper.stat().st_ino == inode


def test_a_file_that_fails_its_check_is_never_put_in_place(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text("good\n")
    before = conf.stat()
    result = files([
        {"path": str(tmp_path / "first"), "content": "one\n", "mode": "0644"},
        {"path": str(conf), "content": "bad\n", "mode": "0644", "validate": "grep -q good %s"},
    ])
    assert result["failed"] is True
    assert "failed its check" in result["msg"] and str(conf) in result["msg"]
    assert conf.read_text() == "good\n" and conf.stat().st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first", "nginx.conf"]  # no temporary file left


def test_a_check_sees_the_new_content_under_a_temporary_name(tmp_path):
    conf = tmp_path / "nginx.conf"
    result = files([{"path": str(conf), "content": "good\n", "mode": "0644",
                     "validate": "sh -c 'grep -q good \"$1\" && test \"$1\" != " + str(conf) + "' check %s"}])
    assert not result.get("failed"), result
    assert conf.read_text() == "good\n"


@pytest.mark.every_core
@pytest.mark.parametrize(("entry", "message"), [
    ({"path": "relative/path", "content": "x", "mode": "0644"}, "must be an absolute path"),
    ({"content": "x", "mode": "0644", "owner": "no-such-user-here"}, "no user named 'no-such-user-here'"),
    ({"content": "x", "mode": "0644", "group": "no-such-group-here"}, "no group named 'no-such-group-here'"),
    ({"content": "x", "mode": "rw-r--r--"}, "mode must be an octal string"),
    ({"content": "x", "mode": "0644", "validate": "nginx -t"}, "validate must contain %s"),
    ({"mode": "0644"}, "content is required"),
    ({"content": "x"}, "mode is required"),
])
def test_bad_input_fails_before_anything_changes(tmp_path, entry, message):
    first = tmp_path / "first"
    entry = {"path": str(tmp_path / "second"), **entry}
    result = files([{"path": str(first), "content": "one\n", "mode": "0644"}, entry])
    assert result["failed"] is True
    assert message in result["msg"]
    assert not first.exists()


def test_a_path_in_a_missing_directory_is_refused_unless_the_list_creates_it(tmp_path):
    missing = tmp_path / "missing"
    first = tmp_path / "first"
    for entry in ({"path": str(missing / "app.conf"), "content": "x\n", "mode": "0644"},
                  {"path": str(missing / "conf.d"), "state": "directory", "mode": "0755"}):
        refused = files([{"path": str(first), "content": "one\n", "mode": "0644"}, entry])
        assert refused["failed"] is True and f"the directory {missing} does not exist" in refused["msg"]
        assert not first.exists()
    created = files([{"path": str(missing), "state": "directory", "mode": "0755"},
                     {"path": str(missing / "app.conf"), "content": "x\n", "mode": "0644"}])
    assert not created.get("failed"), created.get("msg")
    assert (missing / "app.conf").read_text() == "x\n"


def test_directories_and_links_are_never_replaced_by_files(tmp_path):
    (tmp_path / "real").write_text("real\n")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "dir").mkdir()
    linked = files([{"path": str(tmp_path / "link"), "content": "x\n", "mode": "0644"}])
    assert linked["failed"] is True and "not a regular file" in linked["msg"]
    assert (tmp_path / "real").read_text() == "real\n"
    removed = files([{"path": str(tmp_path / "dir"), "state": "absent"}])
    assert removed["failed"] is True and "is a directory" in removed["msg"]
    assert (tmp_path / "dir").is_dir()


@pytest.mark.every_core
def test_check_mode_reports_and_diff_mode_shows_without_touching_anything(layout, tmp_path):
    result = files(layout, "--check", "--diff")
    assert result["changed"] is True
    assert result["changed_paths"] == [entry["path"] for entry in layout]
    assert not (tmp_path / "conf.d").exists() and not (tmp_path / "helper").exists()
    assert (tmp_path / "stale.conf").exists()
    shown = [diff.get("after") for diff in result["diff"]]
    assert "#!/bin/sh\nexit 0\n" in shown


def test_a_link_is_made_then_pointed_elsewhere_in_one_rename_and_never_replaces_a_file(tmp_path):
    link = tmp_path / "sites-enabled-perch.conf"
    made = files([{"path": str(link), "state": "link", "src": "/etc/nginx/sites-available/perch.conf"}])
    assert made["changed"] is True and made["changed_paths"] == [str(link)]
    assert os.readlink(link) == "/etc/nginx/sites-available/perch.conf"
    again = files([{"path": str(link), "state": "link", "src": "/etc/nginx/sites-available/perch.conf"}])
    assert again["changed"] is False
    moved = files([{"path": str(link), "state": "link", "src": "/etc/nginx/sites-available/wren.conf"}], "--diff")
    assert moved["changed"] is True and os.readlink(link) == "/etc/nginx/sites-available/wren.conf"
    assert moved["diff"][0]["before"]["src"] == "/etc/nginx/sites-available/perch.conf"
    assert [path.name for path in tmp_path.iterdir()] == [link.name], "no temporary link is left behind"
    (tmp_path / "plain").write_text("x\n")
    refused = files([{"path": str(tmp_path / "plain"), "state": "link", "src": "/etc/hostname"}])
    assert refused["failed"] is True and "not a symbolic link" in refused["msg"]
    assert (tmp_path / "plain").read_text() == "x\n"
    missing = files([{"path": str(tmp_path / "other"), "state": "link"}])
    assert missing["failed"] is True and "src is required with state=link" in missing["msg"]
