"""Logging in and out, who may write, and the accounts behind it."""

import functools
import hashlib
import os
import secrets
import sys
from datetime import timedelta
from urllib.parse import urlsplit

import click
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.cli import with_appcontext
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .db import api_token, get_db, login_failure, user, utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")

MIN_PASSWORD_LENGTH = 12


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class LogoutForm(FlaskForm):
    """Only its CSRF token: logging out is a POST a foreign site cannot forge."""


@bp.before_app_request
def load_logged_in_user():
    user_id = session.get("user_id")
    g.user = None
    if user_id is not None:
        g.user = get_db().execute(sa.select(user.c.id, user.c.username).where(user.c.id == user_id)).mappings().first()


@bp.app_context_processor
def inject_logout_form():
    return {"logout_form": LogoutForm() if g.get("user") else None}


def login_required(view):
    @functools.wraps(view)
    def wrapped_view(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return wrapped_view


def _too_many_failures(username):
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW"])
    since = utcnow() - window
    limit = current_app.config["LOGIN_FAILURE_LIMIT"]
    db = get_db()
    db.execute(login_failure.delete().where(login_failure.c.at < since))
    count = sa.select(sa.func.count()).select_from(login_failure).where(login_failure.c.at >= since)
    by_address = db.execute(count.where(login_failure.c.remote_addr == (request.remote_addr or "?"))).scalar()
    by_user = db.execute(count.where(login_failure.c.username == username)).scalar()
    return by_address >= limit or by_user >= limit


def _safe_next(target):
    """Only a path on this site: never an open redirect to somewhere else."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=("GET", "POST"))
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        if _too_many_failures(username):
            current_app.logger.warning("login refused for %r from %s: too many failures", username, request.remote_addr)
            flash("Too many failed logins. Wait a few minutes and try again.", "error")
            return render_template("auth/login.html", form=form), 429
        account = get_db().execute(sa.select(user).where(user.c.username == username)).mappings().first()
        if account is not None and check_password_hash(account["password_hash"], form.password.data):
            get_db().execute(login_failure.delete().where(login_failure.c.username == username))
            session.clear()
            session["user_id"] = account["id"]
            return redirect(_safe_next(request.args.get("next")) or url_for("admin.index"))
        get_db().execute(login_failure.insert().values(
            remote_addr=request.remote_addr or "?", username=username[:64], at=utcnow()))
        current_app.logger.warning("failed login for %r from %s", username, request.remote_addr)
        flash("Wrong username or password.", "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    if not LogoutForm().validate_on_submit():
        abort(400)
    session.clear()
    return redirect(url_for("site.index"))


def set_password(username, password):
    """Create the account or change its password; return 'created' or 'updated'."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    db = get_db()
    password_hash = generate_password_hash(password)
    if db.execute(sa.select(user.c.id).where(user.c.username == username)).first():
        db.execute(user.update().where(user.c.username == username).values(password_hash=password_hash))
        return "updated"
    db.execute(user.insert().values(username=username, password_hash=password_hash, created_at=utcnow()))
    return "created"


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def token_is_valid(token):
    if not token:
        return False
    found = get_db().execute(sa.select(api_token.c.id).where(api_token.c.token_hash == hash_token(token))).first()
    return found is not None


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--if-missing", is_flag=True, help="Do nothing when the account exists already.")
def create_admin_command(username, if_missing):
    """Create an admin account, or set its password.

    The password is read from PERCH_ADMIN_PASSWORD or, when that is not set, from standard input
    (prompted for on a terminal); never from the command line, where other users could see it.
    """
    db = get_db()
    if if_missing and db.execute(sa.select(user.c.id).where(user.c.username == username)).first():
        click.echo(f"{username} exists")
        return
    password = os.environ.get("PERCH_ADMIN_PASSWORD")
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\n")
    outcome = set_password(username, password)
    db.commit()
    click.echo(f"{username} {outcome}")


@click.command("create-token")
@with_appcontext
@click.argument("name")
def create_token_command(name):
    """Create an API token called NAME and print it: it is stored hashed and shown only this once."""
    db = get_db()
    if db.execute(sa.select(api_token.c.id).where(api_token.c.name == name)).first():
        raise click.ClickException(f"a token called {name!r} exists; revoke it first")
    token = secrets.token_urlsafe(32)
    db.execute(api_token.insert().values(name=name, token_hash=hash_token(token), created_at=utcnow()))
    db.commit()
    click.echo(token)


@click.command("revoke-token")
@with_appcontext
@click.argument("name")
def revoke_token_command(name):
    """Delete the API token called NAME."""
    db = get_db()
    if db.execute(api_token.delete().where(api_token.c.name == name)).rowcount == 0:
        raise click.ClickException(f"no token called {name!r}")
    db.commit()
    click.echo(f"revoked {name}")


def init_app(app):
    for command in (create_admin_command, create_token_command, revoke_token_command):
        app.cli.add_command(command)
