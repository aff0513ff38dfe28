"""``/healthz``: cheap enough to poll, honest enough to gate a deploy on."""

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

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
        get_db().rollback()
        return jsonify(status="error", error="database unavailable", **body), 503
    return jsonify(status="ok", **body)
