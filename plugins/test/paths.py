# Copyright: roost.wsgi developers
# MIT License (see LICENSE)
"""Jinja tests for the directories roost writes under, so every role refuses the same bad paths."""

from __future__ import annotations

import posixpath
import re

DOCUMENTATION = r"""
---
name: own_dir
short_description: Whether a path may be a directory roost creates and owns
version_added: "0.1.0"
description:
  - True for an absolute path without C(..), C(.) or empty parts that is not C(/), not one of the system's own
    directories (C(/etc), C(/usr), C(/usr/local), C(/bin), C(/sbin), C(/lib*), C(/boot), C(/dev), C(/proc),
    C(/sys), C(/run), C(/var), C(/tmp), C(/home), C(/root), C(/srv), C(/opt), C(/mnt), C(/media)) and not under
    C(/dev), C(/proc) or C(/sys). C(/etc/uwsgi) and C(/run/uwsgi) are fine.
  - With O(app=true), the stricter rule for an app's root, which holds its code and data, refuses
    anything under C(/etc), C(/usr), C(/bin), C(/sbin), C(/lib*), C(/boot), C(/tmp) or C(/root) too.
options:
  _input:
    description: The path.
    type: str
    required: true
  app:
    description: Apply the stricter rule for an app's root.
    type: bool
    default: false
"""

EXAMPLES = r"""
- ansible.builtin.assert:
    that: wsgi_app_root is roost.wsgi.own_dir(app=true)
"""

RETURN = r"""
_value:
  description: Whether the path may be used.
  type: bool
"""

_SYSTEM = re.compile(r"^/(etc|usr|usr/local|bin|sbin|lib[^/]*|boot|dev|proc|sys|run|var|tmp|home|root|srv|opt|mnt|media)$")
_NEVER_UNDER = re.compile(r"^/(dev|proc|sys)/")
_NO_APP_UNDER = re.compile(r"^/(etc|usr|bin|sbin|lib[^/]*|boot|tmp|root)/")


def own_dir(path, app=False):
    if not isinstance(path, str) or not path.startswith("/") or any(c in path for c in "\n\r\0"):
        return False
    parts = path.rstrip("/").split("/")[1:]
    if not parts or any(part in ("", ".", "..") for part in parts):
        return False
    normal = posixpath.join("/", *parts)
    if _SYSTEM.match(normal) or _NEVER_UNDER.match(normal):
        return False
    return not (app and _NO_APP_UNDER.match(normal))


class TestModule:
    def tests(self):
        return {"own_dir": own_dir}
