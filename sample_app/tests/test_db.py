import sqlite3

import pytest

from perch.db import get_db, init_db


def test_connection_is_per_request_and_closed(app):
    with app.app_context():
        db = get_db()
        assert db is get_db()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")


def test_init_db_is_idempotent(app, runner):
    with app.app_context():
        assert init_db() is False
    result = runner.invoke(args=["init-db"])
    assert result.output.strip() == "up to date"


def test_init_db_creates_a_fresh_database(tmp_path):
    from perch import create_app

    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "new.sqlite")})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.output.strip() == "created"
    with app.app_context():
        assert get_db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
