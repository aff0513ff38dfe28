"""``/healthz``: cheap enough to poll, honest enough to gate a deploy on."""

from flask import Blueprint, current_app, jsonify

from . import __version__
from .db import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    body = {"version": __version__, "release": current_app.config["RELEASE"]}
    try:
        get_db().execute("SELECT 1 FROM page LIMIT 1").fetchall()
    except Exception as exc:  # any database failure makes the app unhealthy
        current_app.logger.error("health check failed: %s", exc)
        return jsonify(status="error", error="database unavailable", **body), 503
    return jsonify(status="ok", **body)
