"""Pages and posts: the queries every blueprint shares, and the rules an entry must follow."""

import sqlalchemy as sa

from .db import entry, get_db, utcnow
from .markup import SLUG_MAX_LENGTH, SLUG_PATTERN, render, slugify

KINDS = ("page", "post")
STATUSES = ("draft", "published")
# Pages live at /<slug>: these would shadow the app's own routes.
RESERVED_PAGE_SLUGS = {"admin", "api", "auth", "blog", "feed.xml", "healthz", "static"}


class InvalidEntry(ValueError):
    """The entry breaks a rule; ``errors`` maps a field to what is wrong with it."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


_COLUMNS = (entry.c.id, entry.c.kind, entry.c.slug, entry.c.title, entry.c.status,
            entry.c.created_at, entry.c.updated_at, entry.c.published_at)

# The statements every public page runs, built once: building a statement costs more than running it.
_PUBLISHED = {
    "post": sa.select(*_COLUMNS, entry.c.body_html)
              .where(entry.c.kind == "post", entry.c.status == "published").order_by(entry.c.published_at.desc()),
    "page": sa.select(*_COLUMNS, entry.c.body_html)
              .where(entry.c.kind == "page", entry.c.status == "published").order_by(entry.c.title),
}
_PUBLISHED_LIMITED = {kind: query.limit(sa.bindparam("limit")) for kind, query in _PUBLISHED.items()}
_NAVIGATION = (sa.select(entry.c.slug, entry.c.title)
               .where(entry.c.kind == "page", entry.c.status == "published").order_by(entry.c.title))
_PUBLISHED_ONE = sa.select(entry).where(entry.c.kind == sa.bindparam("kind"), entry.c.slug == sa.bindparam("slug"),
                                        entry.c.status == "published")


def published(kind, limit=None):
    """Published entries of a kind: posts newest first, pages by title."""
    if limit is None:
        return get_db().execute(_PUBLISHED[kind]).mappings().all()
    return get_db().execute(_PUBLISHED_LIMITED[kind], {"limit": limit}).mappings().all()


def navigation():
    """Published pages, for the menu: titles and slugs only."""
    return get_db().execute(_NAVIGATION).mappings().all()


def get_published(kind, slug):
    return get_db().execute(_PUBLISHED_ONE, {"kind": kind, "slug": slug}).mappings().first()


def get(entry_id):
    return get_db().execute(sa.select(entry).where(entry.c.id == entry_id)).mappings().first()


def get_by_slug(kind, slug):
    return get_db().execute(sa.select(entry).where(entry.c.kind == kind, entry.c.slug == slug)).mappings().first()


def all_entries():
    query = sa.select(*_COLUMNS).order_by(entry.c.kind, entry.c.updated_at.desc())
    return get_db().execute(query).mappings().all()


def validate(kind, title, slug, body, status, entry_id=None):
    """Check and normalise an entry's fields; return them as a dict or raise InvalidEntry."""
    errors = {}
    for field, value in (("title", title), ("slug", slug), ("body", body), ("status", status)):
        if value is not None and not isinstance(value, str):
            errors[field] = "must be text"
    if errors:
        raise InvalidEntry(errors)
    title = (title or "").strip()
    slug = (slug or "").strip() or slugify(title)
    if kind not in KINDS:
        errors["kind"] = f"must be one of {', '.join(KINDS)}"
    if not title:
        errors["title"] = "is required"
    elif len(title) > 200:
        errors["title"] = "must be at most 200 characters"
    if not slug:
        errors["slug"] = "is required (the title has no letters or digits to make one from)"
    elif len(slug) > SLUG_MAX_LENGTH or not SLUG_PATTERN.match(slug):
        errors["slug"] = f"must be lowercase letters, digits and single hyphens, at most {SLUG_MAX_LENGTH}"
    elif kind == "page" and slug in RESERVED_PAGE_SLUGS:
        errors["slug"] = f"'{slug}' is reserved for the site's own pages"
    elif kind in KINDS:
        existing = get_by_slug(kind, slug)
        if existing is not None and existing["id"] != entry_id:
            errors["slug"] = f"another {kind} already uses '{slug}'"
    body = body or ""
    if status not in STATUSES:
        errors["status"] = f"must be one of {', '.join(STATUSES)}"
    if errors:
        raise InvalidEntry(errors)
    return {"kind": kind, "title": title, "slug": slug, "body": body, "status": status}


def create(kind, title, slug, body, status):
    fields = validate(kind, title, slug, body, status)
    now = utcnow()
    values = dict(fields, body_html=render(fields["body"]), created_at=now, updated_at=now,
                  published_at=now if status == "published" else None)
    result = get_db().execute(entry.insert().values(**values))
    return get(result.inserted_primary_key[0])


def update(current, title, slug, body, status):
    fields = validate(current["kind"], title, slug, body, status, entry_id=current["id"])
    now = utcnow()
    published_at = current["published_at"]
    if status == "published" and published_at is None:
        published_at = now
    values = dict(fields, body_html=render(fields["body"]), updated_at=now, published_at=published_at)
    get_db().execute(entry.update().where(entry.c.id == current["id"]).values(**values))
    return get(current["id"])


def delete(entry_id):
    return get_db().execute(entry.delete().where(entry.c.id == entry_id)).rowcount > 0
