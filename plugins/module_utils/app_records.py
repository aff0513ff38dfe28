# Copyright: roost.wsgi developers
# MIT License (see LICENSE)
"""The apps a host has, as roost.wsgi.wsgi_app records them in /etc/roost-wsgi/apps/<app>.json at each
deploy (user, root, environment file, health path): read by app_status and app_logs, and by roost-run."""

from __future__ import annotations

import json
import os

# The options every module that reads the records takes (doc fragment roost.wsgi.app_records).
RECORDS_SPEC = {
    "records": {"type": "path", "default": "/etc/roost-wsgi/apps"},
    "apps": {"type": "list", "elements": "str", "default": []},
}


def recorded(directory):
    """The names of the apps with a record in directory."""
    return sorted(name[:-5] for name in os.listdir(directory) if name.endswith(".json"))


def named_apps(module):
    """(the apps to read, every app of the host), or the module fails naming what it cannot find."""
    directory = module.params["records"]
    try:
        everyone = recorded(directory)
    except OSError as error:
        module.fail_json(msg=f"cannot read the apps' records in {directory}: {error}. "
                             "Each app gets one when roost.wsgi.wsgi_app deploys it.")
    unknown = sorted(set(module.params["apps"]) - set(everyone))
    if unknown:
        module.fail_json(msg=f"no app named {', '.join(unknown)} on this host (the apps roost.wsgi deployed here: "
                             f"{', '.join(everyone) or 'none'})")
    return module.params["apps"] or everyone, everyone


def read(directory, app):
    """The app's record."""
    with open(os.path.join(directory, f"{app}.json"), encoding="utf-8") as handle:
        return json.load(handle)


def runner(module):
    """run(argv) -> (rc, stdout, stderr), where a command the host lacks is an answer too (rc 127)."""
    def run(argv):
        try:
            return module.run_command(argv, handle_exceptions=False)
        except OSError as error:
            return 127, "", f"{argv[0]}: {error.strerror}"
    return run
