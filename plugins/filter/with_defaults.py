# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

from collections.abc import Mapping

DOCUMENTATION = r"""
---
name: with_defaults
short_description: Each entry of a list of dicts, over the role's defaults for its entries
version_added: "0.1.0"
description:
  - Returns the list with each entry laid over O(defaults) (a key the entry sets wins), the way every
    role fills in its list variables (C(nginx_sites), C(uwsgi_apps), C(supervisor_programs),
    C(postgresql_databases)) before it checks them.
  - An entry that is not a mapping is returned as it is (the role's argument specs refuse it).
options:
  _input:
    description: The entries.
    type: list
    elements: dict
    required: true
  defaults:
    description: The default of each key.
    type: dict
    required: true
"""

EXAMPLES = r"""
__uwsgi_apps: "{{ uwsgi_apps | roost.wsgi.with_defaults({'state': 'present', 'processes': uwsgi_processes}) }}"
"""

RETURN = r"""
_value:
  description: The entries, each with every default key.
  type: list
  elements: dict
"""


def with_defaults(entries, defaults):
    return [{**defaults, **entry} if isinstance(entry, Mapping) else entry for entry in entries]


class FilterModule:
    def filters(self):
        return {"with_defaults": with_defaults}
