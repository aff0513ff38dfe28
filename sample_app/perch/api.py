"""The JSON API: anyone reads what is published; writing needs a token (``flask create-token``).

    GET    /api/<kind>s            published entries (kind: page or post)
    GET    /api/<kind>s/<slug>     one published entry
    POST   /api/<kind>s            create: {"title", "body", "slug"?, "status"?}
    PUT    /api/<kind>s/<slug>     replace those fields (drafts too)
    DELETE /api/<kind>s/<slug>

Writes send ``Authorization: Bearer <token>``. Errors are JSON: {"error": ..., "details"?: {...}}.
"""

from flask import Blueprint, abort, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from . import content
from .auth import token_is_valid

bp = Blueprint("api", __name__, url_prefix="/api")

_COLLECTIONS = {"pages": "page", "posts": "post"}


def _kind(collection):
    if collection not in _COLLECTIONS:
        abort(404)
    return _COLLECTIONS[collection]


def _isoformat(moment):
    return moment.isoformat() + "Z" if moment else None


def _public(found, full=False):
    kind = found["kind"]
    view = "site.post" if kind == "post" else "site.page"
    data = {
        "kind": kind,
        "slug": found["slug"],
        "title": found["title"],
        "status": found["status"],
        "published_at": _isoformat(found["published_at"]),
        "updated_at": _isoformat(found["updated_at"]),
        "url": url_for(view, slug=found["slug"], _external=True),
    }
    if full:
        data.update(body=found["body"], html=found["body_html"])
    return data


def _require_token():
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token_is_valid(token.strip()):
        response = jsonify(error="a valid API token is required (Authorization: Bearer <token>)")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="perch"'
        abort(response)


def _payload():
    data = request.get_json(silent=True)
    if not request.is_json:
        abort(415, "send JSON (Content-Type: application/json)")
    if not isinstance(data, dict):
        abort(400, "the body must be a JSON object")
    return data


def _invalid(error):
    response = jsonify(error="invalid entry", details=error.errors)
    response.status_code = 409 if "already uses" in error.errors.get("slug", "") else 422
    return response


@bp.get("/<collection>")
def list_entries(collection):
    kind = _kind(collection)
    return jsonify([_public(found) for found in content.published(kind)])


@bp.get("/<collection>/<slug>")
def get_entry(collection, slug):
    found = content.get_published(_kind(collection), slug)
    if found is None:
        abort(404, f"no published {_kind(collection)} '{slug}'")
    return jsonify(_public(found, full=True))


@bp.post("/<collection>")
def create_entry(collection):
    kind = _kind(collection)
    _require_token()
    data = _payload()
    try:
        created = content.create(kind, data.get("title"), data.get("slug"), data.get("body", ""),
                                 data.get("status", "published"))
    except content.InvalidEntry as error:
        return _invalid(error)
    response = jsonify(_public(created, full=True))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_entry", collection=collection, slug=created["slug"])
    return response


@bp.put("/<collection>/<slug>")
def update_entry(collection, slug):
    kind = _kind(collection)
    _require_token()
    data = _payload()
    current = content.get_by_slug(kind, slug)
    if current is None:
        abort(404, f"no {kind} '{slug}'")
    try:
        updated = content.update(current, data.get("title", current["title"]), data.get("slug", current["slug"]),
                                 data.get("body", current["body"]), data.get("status", current["status"]))
    except content.InvalidEntry as error:
        return _invalid(error)
    return jsonify(_public(updated, full=True))


@bp.delete("/<collection>/<slug>")
def delete_entry(collection, slug):
    kind = _kind(collection)
    _require_token()
    current = content.get_by_slug(kind, slug)
    if current is None:
        abort(404, f"no {kind} '{slug}'")
    content.delete(current["id"])
    return "", 204


def json_error(error: HTTPException):
    """Errors under /api/ as JSON, whichever part of the app raised them."""
    response = jsonify(error=error.description if error.description else error.name)
    response.status_code = error.code
    original = error.get_response().headers
    for name in ("Allow", "WWW-Authenticate"):
        if name in original:
            response.headers[name] = original[name]
    return response
