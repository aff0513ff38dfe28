# Copyright: roost.wsgi developers
# MIT License (see LICENSE)
"""How an app root records its releases: <root>/current, the symbolic link to the live one under
releases/, and <root>/history.log, a line per switch ending with the release that went live. link()
(roost.wsgi.release_link) writes both; app_host and release_cleanup read them."""

from __future__ import annotations

import os
import time

HISTORY = "history.log"
CURRENT = "current"


def live_release(root):
    """The release <root>/current names, or "" when there is none."""
    try:
        return os.path.basename(os.readlink(os.path.join(root, CURRENT)))
    except OSError:
        return ""


def installed(root, release):
    """Whether releases/<release> is a release directory of the root (not a link to elsewhere)."""
    path = os.path.join(root, "releases", release)
    return os.path.isdir(path) and not os.path.islink(path)


def link(root, release):
    """Point <root>/current at releases/<release> and record it in history.log.

    A new link is renamed over the old one, so `current` is never missing, not even for an instant.
    Returns the release it named before ("" for none). Raises ValueError when the release is not an
    installed release directory.
    """
    target = os.path.join("releases", release)
    if not installed(root, release):
        raise ValueError(f"{os.path.join(root, target)} is not an installed release")
    before = live_release(root)
    staged = os.path.join(root, f".{CURRENT}.new")
    try:
        os.unlink(staged)
    except FileNotFoundError:
        pass
    os.symlink(target, staged)
    os.rename(staged, os.path.join(root, CURRENT))
    with open(os.path.join(root, HISTORY), "a", encoding="utf-8") as history:
        history.write(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {release}\n")
        history.flush()
        os.fsync(history.fileno())
    return before


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
