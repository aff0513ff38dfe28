"""Static files under names that change with their content, so they can be cached for a year.

``asset_url("style.css")`` is ``/static/style.<12 hex digits>.css``. nginx serves such a name by
removing the digest (roost.wsgi.nginx: a static location with ``fingerprinted: true``); without
nginx, perch's own static route does the same.
"""

import hashlib
import os
import re

from flask import current_app, send_from_directory, url_for

FINGERPRINT = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<suffix>\.[A-Za-z0-9]+)$")
ONE_YEAR = 365 * 24 * 3600

_digests = {}


def _digest(path):
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _digests:
        with open(path, "rb") as file:
            _digests[key] = hashlib.sha256(file.read()).hexdigest()[:12]
    return _digests[key]


def asset_url(filename):
    path = os.path.join(current_app.static_folder, filename)
    stem, suffix = os.path.splitext(filename)
    return url_for("static", filename=f"{stem}.{_digest(path)}{suffix}")


def send_static(filename):
    match = FINGERPRINT.match(filename)
    if match:
        plain = match["stem"] + match["suffix"]
        return send_from_directory(current_app.static_folder, plain, max_age=ONE_YEAR)
    return send_from_directory(current_app.static_folder, filename)


def init_app(app):
    # Replace Flask's static route with one that understands fingerprinted names.
    app.view_functions["static"] = send_static
    app.add_template_global(asset_url)
