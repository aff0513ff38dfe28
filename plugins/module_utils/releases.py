# Copyright: roost.wsgi developers
# MIT License (see LICENSE)
"""How an app root records its releases: <root>/history.log, a line per switch ending with the release
that went live (written by roles/wsgi_app/tasks/link.yml)."""

from __future__ import annotations

import os

HISTORY = "history.log"


def recent_releases(history_text):
    """The releases of a history, newest first, each once: the first is live, the second is where a
    rollback goes."""
    recent = []
    for line in reversed(history_text.splitlines()):
        fields = line.split()
        if fields and fields[-1] not in recent:
            recent.append(fields[-1])
    return recent


def read_history(root):
    """recent_releases() of <root>/history.log; raises OSError when it cannot be read."""
    with open(os.path.join(root, HISTORY), encoding="utf-8") as handle:
        return recent_releases(handle.read())
