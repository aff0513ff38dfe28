"""SQLite access: one connection per request, on ``g``."""

import sqlite3

import click
from flask import current_app, g
from flask.cli import with_appcontext

SCHEMA = """
CREATE TABLE IF NOT EXISTS page (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT UNIQUE NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT ''
);
"""

WELCOME = (
    "welcome",
    "Welcome to perch",
    "This site was deployed by roost.wsgi: nginx in front, uWSGI behind it, supervisord keeping it up.",
)


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"], detect_types=sqlite3.PARSE_DECLTYPES)
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(e=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    """Create the schema and the welcome page; return True if anything was created."""
    db = get_db()
    before = db.total_changes
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    db.execute("INSERT OR IGNORE INTO page (slug, title, body) VALUES (?, ?, ?)", WELCOME)
    db.commit()
    return db.total_changes > before


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database schema if it is missing (safe to run again)."""
    click.echo("created" if init_db() else "up to date")


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
