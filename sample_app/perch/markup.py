"""Markdown in, safe HTML out; and the slugs content is addressed by."""

import re
import unicodedata

import markdown
import nh3

# nh3 (ammonia) drops <script>, <style>, event-handler attributes and any URL scheme not listed.
_ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX_LENGTH = 80


def render(text):
    """Render Markdown and sanitize the result: raw HTML in the source is allowed but cleaned."""
    html = markdown.markdown(text, extensions=_EXTENSIONS, output_format="html")
    return nh3.clean(html, url_schemes=_ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer")


def slugify(title):
    """``"Hello, Wörld!"`` -> ``"hello-world"``; empty when the title has no letters or digits."""
    ascii_title = unicodedata.normalize("NFKD", title.replace("ß", "ss")).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].rstrip("-")
