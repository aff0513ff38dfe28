# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations


class ModuleDocFragment:
    # The options of the modules that read the apps' records (plugins/module_utils/app_records.py).
    DOCUMENTATION = r"""
options:
  records:
    description: The directory of the apps' records (C(APP.json)), which roost.wsgi.wsgi_app writes at each deploy.
    type: path
    default: /etc/roost-wsgi/apps
  apps:
    description: The apps to read; all those with a record when empty. An app without one is refused.
    type: list
    elements: str
    default: []
"""
