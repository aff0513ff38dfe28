"""Public pages."""

from flask import Blueprint, abort, render_template

from .db import get_db

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    pages = get_db().execute("SELECT slug, title, body FROM page ORDER BY id").fetchall()
    return render_template("index.html", pages=pages)


@bp.get("/<slug>")
def page(slug):
    row = get_db().execute("SELECT slug, title, body FROM page WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        abort(404)
    return render_template("page.html", page=row)
