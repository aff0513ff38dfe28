import sqlite3

import pytest
import sqlalchemy as sa

from perch import create_app
from perch.db import current_revision, get_db, upgrade


@pytest.fixture
def empty_app(tmp_path):
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "new.sqlite"), "RELEASE": "test",
                       "SECRET_KEY": "k"})


def tables(app):
    return set(sa.inspect(app.extensions["perch.engine"]).get_table_names())


def test_upgrade_an_empty_database(empty_app):
    assert upgrade(empty_app) == (None, "0002")
    assert {"user", "entry", "login_failure", "api_token", "alembic_version"} <= tables(empty_app)
    with empty_app.app_context():
        welcome = get_db().execute(sa.text("SELECT title, status FROM entry WHERE slug = 'welcome'")).one()
    assert welcome == ("Welcome to perch", "published")


def test_upgrade_from_the_previous_revision_keeps_content(empty_app):
    upgrade(empty_app, "0001")
    assert "api_token" not in tables(empty_app)
    with empty_app.app_context():
        get_db().execute(sa.text(
            "INSERT INTO entry (kind, slug, title, body, body_html, status, created_at, updated_at) "
            "VALUES ('page', 'kept', 'Kept', 'x', '<p>x</p>', 'draft', '2026-01-01', '2026-01-01')"))
        get_db().commit()
    assert upgrade(empty_app) == ("0001", "0002")
    assert {"api_token", "login_failure"} <= tables(empty_app)
    with empty_app.app_context():
        assert get_db().execute(sa.text("SELECT title FROM entry WHERE slug = 'kept'")).scalar() == "Kept"


def test_upgrade_twice_changes_nothing(empty_app):
    upgrade(empty_app)
    assert upgrade(empty_app) == ("0002", "0002")


def test_sqlite_runs_in_wal_mode(app):
    path = app.config["DATABASE"]
    with app.app_context():
        get_db().execute(sa.text("SELECT 1"))
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cli_upgrade_and_current(empty_app):
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["db", "current"])
    assert result.output.strip() == "empty"
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "empty -> 0002" in result.output
    result = runner.invoke(args=["db", "upgrade"])
    assert "up to date (0002)" in result.output
    with empty_app.extensions["perch.engine"].connect() as connection:
        assert current_revision(connection) == "0002"


def test_database_url_wins_over_database(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE": str(tmp_path / "ignored.sqlite"),
                      "DATABASE_URL": f"sqlite:///{tmp_path}/used.sqlite"})
    upgrade(app)
    assert (tmp_path / "used.sqlite").exists()
    assert not (tmp_path / "ignored.sqlite").exists()


def test_a_failed_request_is_rolled_back(app):
    @app.get("/boom")
    def boom():
        get_db().execute(sa.text("UPDATE entry SET title = 'changed'"))
        raise RuntimeError("boom")

    app.testing = False  # let the error become a 500 instead of propagating
    assert app.test_client().get("/boom").status_code == 500
    with app.app_context():
        assert get_db().execute(sa.text("SELECT title FROM entry")).scalar() == "Welcome to perch"
