"""perch: a small Flask CMS."""

import json
import os
from importlib.metadata import PackageNotFoundError, version

from flask import Flask

try:
    __version__ = version("perch")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"

# Keys that look like secrets but are not: a deploy must never run with one of these.
_PLACEHOLDER_KEYS = {"", "dev", "change-me", "changeme", "secret"}
_MIN_SECRET_KEY_LENGTH = 32


def create_app(test_config=None):
    """Create and configure the app.

    Configuration is layered: code defaults, then the JSON file named by ``PERCH_CONFIG``, then
    ``PERCH_*`` environment variables (``PERCH_SECRET_KEY`` sets ``SECRET_KEY``). ``test_config``
    replaces the last two, for tests.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "perch.sqlite"),
        SITE_NAME="perch",
        RELEASE=os.environ.get("ROOST_RELEASE") or release_of(__file__),
        SECRET_KEY=None,
    )

    if test_config is None:
        config_file = os.environ.get("PERCH_CONFIG")
        if config_file:
            app.config.from_file(config_file, load=json.load)
        app.config.from_prefixed_env("PERCH")
    else:
        app.config.from_mapping(test_config)

    _check_secret_key(app)
    os.makedirs(os.path.dirname(app.config["DATABASE"]) or ".", exist_ok=True)

    from . import db, health, site

    db.init_app(app)
    app.register_blueprint(site.bp)
    app.register_blueprint(health.bp)
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


def _add_release_header(response):
    # Lets a deploy's health gate (and a curious operator) see which release answered.
    from flask import current_app

    response.headers["X-Perch-Release"] = current_app.config["RELEASE"]
    return response
