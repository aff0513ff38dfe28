"""What visitors see: the home page, pages, posts and the Atom feed."""

from flask import Blueprint, abort, make_response, render_template, url_for

from . import content

bp = Blueprint("site", __name__)

HOME_POSTS = 10
FEED_POSTS = 20


@bp.app_context_processor
def inject_navigation():
    return {"navigation": content.navigation}


@bp.get("/")
def index():
    return render_template("site/index.html", posts=content.published("post", limit=HOME_POSTS))


@bp.get("/blog/<slug>")
def post(slug):
    return _published_entry("post", slug)


@bp.get("/feed.xml")
def feed():
    posts = content.published("post", limit=FEED_POSTS)
    response = make_response(render_template("site/feed.xml", posts=posts,
                                             feed_url=url_for("site.feed", _external=True)))
    response.mimetype = "application/atom+xml"
    return response


@bp.get("/<slug>")
def page(slug):
    return _published_entry("page", slug)


def _published_entry(kind, slug):
    found = content.get_published(kind, slug)
    if found is None:
        abort(404)
    return render_template("site/entry.html", entry=found)
