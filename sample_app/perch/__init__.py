"""perch: a small Flask CMS."""

import json
import os
from importlib.metadata import PackageNotFoundError, version

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

try:
    __version__ = version("perch")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

# Keys that look like secrets but are not: a deploy must never run with one of these.
_PLACEHOLDER_KEYS = {"", "dev", "change-me", "changeme", "secret"}
_MIN_SECRET_KEY_LENGTH = 32

csrf = CSRFProtect()


class _SessionInterface(SecureCookieSessionInterface):
    """``SESSION_COOKIE_SECURE = "auto"``: the cookie is Secure whenever the request came over TLS."""

    def get_cookie_secure(self, app):
        setting = app.config["SESSION_COOKIE_SECURE"]
        if setting == "auto":
            return request.is_secure
        return bool(setting)


def create_app(test_config=None):
    """Create and configure the app.

    Configuration is layered: code defaults, then the JSON file named by ``PERCH_CONFIG`` (the
    deploy writes it), then ``PERCH_*`` environment variables (``PERCH_SECRET_KEY`` sets
    ``SECRET_KEY``) and ``DATABASE_URL``. ``test_config`` replaces the last two, for tests.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "perch.sqlite"),
        DATABASE_URL=None,
        SITE_NAME="perch",
        SITE_DESCRIPTION="A site made with perch",
        RELEASE=os.environ.get("ROOST_RELEASE") or release_of(__file__),
        SECRET_KEY=None,
        SESSION_COOKIE_SECURE="auto",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        LOGIN_FAILURE_LIMIT=5,
        LOGIN_FAILURE_WINDOW=15 * 60,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )

    if test_config is None:
        config_file = os.environ.get("PERCH_CONFIG")
        if config_file:
            app.config.from_file(config_file, load=json.load)
        app.config.from_prefixed_env("PERCH")
        if os.environ.get("DATABASE_URL"):
            app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        app.config.from_mapping(test_config)

    _check_secret_key(app)
    app.session_interface = _SessionInterface()
    csrf.init_app(app)

    from . import admin, api, assets, auth, db, health, site

    db.init_app(app)
    auth.init_app(app)
    assets.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # token-authenticated, never cookie-authenticated
    app.register_blueprint(health.bp)
    app.register_blueprint(site.bp)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.after_request(_add_release_header)
    return app


def release_of(path):
    """The release a file belongs to: roost.wsgi installs each in <root>/releases/<id>/.

    The path is resolved now, so code loaded through the `current` symlink names the release it
    really came from, which is what a deploy's health check needs to see.
    """
    parts = os.path.realpath(path).split(os.sep)
    if "releases" in parts[:-1]:
        return parts[parts.index("releases") + 1]
    return "unreleased"


def _check_secret_key(app):
    if app.testing:
        return
    key = app.config.get("SECRET_KEY") or ""
    if key.lower() in _PLACEHOLDER_KEYS or len(key) < _MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(
            "perch needs a random SECRET_KEY of at least "
            f"{_MIN_SECRET_KEY_LENGTH} characters: set it in the file named by PERCH_CONFIG "
            "or in PERCH_SECRET_KEY"
        )


def _handle_http_error(error):
    from flask import render_template

    from .api import json_error

    if request.path.startswith("/api/"):
        return json_error(error)
    if error.code in (404, 400, 403, 405, 413, 429):
        return render_template("error.html", error=error), error.code
    return error


def _add_release_header(response):
    # Lets a deploy's health gate (and a curious operator) see which release answered.
    from flask import current_app

    response.headers["X-Perch-Release"] = current_app.config["RELEASE"]
    return response
