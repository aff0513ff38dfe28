"""The database: SQLAlchemy Core tables, one connection per request, migrations by Alembic.

SQLite (a file, in WAL mode) unless ``DATABASE_URL`` names another database, such as
``postgresql+psycopg://perch:...@db.internal/perch``.
"""

import os
from datetime import UTC, datetime

import click
import sqlalchemy as sa
from flask import current_app, g
from flask.cli import AppGroup

metadata = sa.MetaData()

user = sa.Table(
    "user",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

# Pages (served at /<slug>, listed in the navigation) and posts (served at /blog/<slug>, listed on
# the home page and in the feed). Markdown is rendered and sanitized once, when it is saved.
entry = sa.Table(
    "entry",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("slug", sa.String(80), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("body_html", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("published_at", sa.DateTime),
    sa.UniqueConstraint("kind", "slug"),
    sa.Index("ix_entry_kind_status_published_at", "kind", "status", "published_at"),
)

login_failure = sa.Table(
    "login_failure",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("remote_addr", sa.String(64), nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
)

api_token = sa.Table(
    "api_token",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


def utcnow():
    """Now, in UTC, without tzinfo: what every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def database_url(config):
    return config.get("DATABASE_URL") or "sqlite:///" + config["DATABASE"]


def create_engine(url):
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 15})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    # Readers never wait for the writer; a writer waits (busy timeout) instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_db():
    """The request's connection, in a transaction committed at the end of a successful request."""
    if "db" not in g:
        g.db = current_app.extensions["perch.engine"].connect()
    return g.db


def close_db(exc=None):
    connection = g.pop("db", None)
    if connection is None:
        return
    try:
        if exc is None and connection.in_transaction():
            connection.commit()
    finally:
        connection.close()


def alembic_config(connection):
    # Alembic is imported only where the schema changes: a worker serving pages never loads it.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "perch:migrations")
    config.attributes["connection"] = connection
    return config


def upgrade(app, revision="head"):
    """Bring the database schema to ``revision``; return (before, after) revisions."""
    from alembic.runtime.migration import MigrationContext

    from alembic import command

    engine = app.extensions["perch.engine"]
    with engine.begin() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(alembic_config(connection), revision)
        after = MigrationContext.configure(connection).get_current_revision()
    return before, after


def current_revision(connection):
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


db_cli = AppGroup("db", help="The database schema.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision):
    """Migrate the schema to REVISION (default: the newest). Safe to run again."""
    before, after = upgrade(current_app, revision)
    click.echo(f"upgraded {before or 'empty'} -> {after}" if before != after else f"up to date ({after})")


@db_cli.command("current")
def current_command():
    """Print the schema's revision."""
    with current_app.extensions["perch.engine"].connect() as connection:
        click.echo(current_revision(connection) or "empty")


def init_app(app):
    url = database_url(app.config)
    if url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(url.removeprefix("sqlite:///")) or ".", exist_ok=True)
    app.extensions["perch.engine"] = create_engine(url)
    app.teardown_appcontext(close_db)
    app.cli.add_command(db_cli)
