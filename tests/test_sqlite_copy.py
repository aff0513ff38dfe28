"""roost.wsgi.sqlite_copy, run by ansible on this controller against real SQLite databases."""

import os
import sqlite3

import pytest
from conftest import run_module


def rows(path):
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT body FROM entry ORDER BY id")]


@pytest.fixture
def live(tmp_path):
    """A database in WAL mode with a write still in its -wal file, held open as a live app holds it."""
    path = tmp_path / "data" / "app.sqlite"
    path.parent.mkdir()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO entry (body) VALUES ('first'), ('second')")
    db.commit()
    yield path, db
    db.close()


@pytest.mark.every_core
def test_a_backup_is_consistent_and_a_restore_writes_into_the_live_file(live, tmp_path):
    path, db = live
    backup = tmp_path / "backup.sqlite"
    done = run_module("sqlite_copy", {"src": str(path), "dest": str(backup)})
    assert (done.get("failed"), done["changed"], done["copied"]) == (None, True, True)
    assert rows(backup) == ["first", "second"] and not os.path.exists(f"{backup}.partial")
    # A migration goes wrong; the restore puts the data back into the very file the app has open.
    db.execute("INSERT INTO entry (body) VALUES ('half a migration')")
    db.commit()
    inode = os.stat(path).st_ino
    done = run_module("sqlite_copy", {"src": str(backup), "dest": str(path), "mode": "restore"})
    assert done["copied"] is True
    assert os.stat(path).st_ino == inode
    assert [row[0] for row in db.execute("SELECT body FROM entry ORDER BY id")] == ["first", "second"]


def test_no_database_yet_is_nothing_to_back_up(tmp_path):
    done = run_module("sqlite_copy", {"src": str(tmp_path / "none.sqlite"), "dest": str(tmp_path / "b.sqlite")})
    assert (done.get("failed"), done["changed"], done["copied"]) == (None, False, False)
    assert not os.path.exists(tmp_path / "b.sqlite")


def test_a_failed_backup_names_the_error_and_the_room_left_and_leaves_nothing(live, tmp_path):
    # (The operations scenario fills a real disk during a deploy.)
    path, _connection = live
    done = run_module("sqlite_copy", {"src": str(path), "dest": str(tmp_path / "missing" / "b.sqlite")})
    assert done["failed"] and done["copied"] is False
    assert "unable to open database file" in done["msg"] and f"KiB free in {tmp_path}" in done["msg"]
    assert sorted(os.listdir(tmp_path)) == ["data"]


@pytest.mark.every_core
def test_check_mode_copies_nothing(live, tmp_path):
    path, _connection = live
    done = run_module("sqlite_copy", {"src": str(path), "dest": str(tmp_path / "b.sqlite")}, "--check")
    assert done["changed"] is True and not os.path.exists(tmp_path / "b.sqlite")
