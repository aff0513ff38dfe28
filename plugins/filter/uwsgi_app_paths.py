# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

import posixpath

DOCUMENTATION = r"""
---
name: uwsgi_app_paths
short_description: Where roost.wsgi.uwsgi puts each app's files
version_added: "0.1.0"
description:
  - The one place the names of a uWSGI app's files are made. roost.wsgi.uwsgi keeps the result as the
    fact C(uwsgi_app_paths), writes its ini and its runtime directory from it, and the roles that serve
    the app read it from there (roost.wsgi.wsgi_app hands the socket to nginx and the ini to supervisord).
    C(roost-uwsgi-ctl) reads the socket, stats socket and master FIFO from the app's ini.
  - Entries without a C(name) are left out (the role's checks refuse them).
options:
  _input:
    description: The apps (C(uwsgi_apps) entries), each with a C(name).
    type: list
    elements: dict
    required: true
  run_dir:
    description: C(uwsgi_run_dir), the parent of each app's runtime directory.
    type: path
    required: true
  config_dir:
    description: C(uwsgi_config_dir), where the ini files are.
    type: path
    required: true
"""

EXAMPLES = r"""
uwsgi_app_paths: "{{ uwsgi_apps | roost.wsgi.uwsgi_app_paths(uwsgi_run_dir, uwsgi_config_dir) }}"
# {"perch": {"ini": "/etc/uwsgi/perch.ini", "run_dir": "/run/uwsgi/perch", "socket": "/run/uwsgi/perch/uwsgi.sock", ...}}
"""

RETURN = r"""
_value:
  description: For each app's name, C(ini), C(tmpfiles), C(run_dir), C(socket), C(stats) and C(master_fifo).
  type: dict
"""


def app_paths(apps, run_dir, config_dir):
    paths = {}
    for app in apps:
        name = app.get("name") if isinstance(app, dict) else None
        if not isinstance(name, str) or not name:
            continue
        run = posixpath.join(run_dir, name)
        paths[name] = {
            "ini": posixpath.join(config_dir, f"{name}.ini"),
            # /run is a tmpfs: systemd-tmpfiles makes the runtime directory again at every boot.
            "tmpfiles": f"/etc/tmpfiles.d/uwsgi-{name}.conf",
            "run_dir": run,
            "socket": posixpath.join(run, "uwsgi.sock"),
            "stats": posixpath.join(run, "stats.sock"),
            "master_fifo": posixpath.join(run, "master.fifo"),
        }
    return paths


class FilterModule:
    def filters(self):
        return {"uwsgi_app_paths": app_paths}
