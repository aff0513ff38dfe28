"""``/healthz``: cheap enough to poll, honest enough to gate a deploy on."""

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify

from . import __version__
from .db import entry, get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    body = {"version": __version__, "release": current_app.config["RELEASE"]}
    try:
        # Reads the table every page needs: a missing schema is as unhealthy as a missing database.
        get_db().execute(sa.select(entry.c.id).limit(1)).all()
    except Exception as exc:  # any database failure makes the app unhealthy
        current_app.logger.error("health check failed: %s", exc)
        _discard_connection()
        error = getattr(exc, "orig", None) or exc  # the driver's own error, under SQLAlchemy's
        return jsonify(status="error", error="database unavailable",
                       cause=f"{type(error).__module__}.{type(error).__qualname__}", **body), 503
    return jsonify(status="ok", **body)


def _discard_connection():
    """Drop the request's connection without another word to the database, which may be gone."""
    connection = g.pop("db", None)
    if connection is None:
        return
    try:
        connection.invalidate()
        connection.close()
    except Exception:  # noqa: BLE001  # nothing more can be done with a broken connection  # nosec B110
        pass
