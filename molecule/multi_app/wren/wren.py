"""A plain WSGI app: any WSGI callable deploys, not only Flask ones."""

import json
import os
from importlib.metadata import version

from markupsafe import escape

VERSION = version("wren")


def release():
    """The release this code was installed into: /srv/wren/releases/<id>/venv/..."""
    parts = os.path.realpath(__file__).split(os.sep)
    return parts[parts.index("releases") + 1] if "releases" in parts else "dev"


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        body = json.dumps({"status": "ok", "version": VERSION, "release": release()}).encode()
        content_type = "application/json"
    else:
        body = f"wren {escape(VERSION)}\n".encode()
        content_type = "text/plain; charset=utf-8"
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body))),
                              ("X-Wren-Release", release())])
    return [body]
