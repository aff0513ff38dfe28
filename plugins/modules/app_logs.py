#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: app_logs
short_description: The last lines of each app's logs on the host, changing nothing
version_added: "0.1.0"
description:
  - For each app with a record in O(records) (roost.wsgi.wsgi_app writes one at each deploy), reads the
    last O(lines) lines of its uWSGI log and of each of its programs' logs (supervisord's files in
    O(log_dir)), of its scheduled jobs' runs (systemd's journal), and of nginx's error and access logs
    (which the host's sites share).
  - Reads only, in one round trip; runs the same in check mode. The files are read from their end, so a
    log of any size costs the same.
options:
  lines:
    description: How many of the last lines of each log.
    type: int
    default: 50
  since:
    description:
      - Only the jobs' journal entries since this time, as journalctl reads it (C(1 hour ago), C(today),
        C(2026-12-08 10:00)); the files have no time of their own to filter on, so they give their last lines.
    type: str
    default: ""
  log_dir:
    description: supervisord's log directory, as roost.wsgi.supervisor writes the programs' logs.
    type: path
    default: /var/log/supervisor
  nginx_logs:
    description: nginx's logs, shared by the host's sites.
    type: list
    elements: path
    default: [/var/log/nginx/error.log, /var/log/nginx/access.log]
extends_documentation_fragment:
  - roost.wsgi.app_records
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Read the last 100 lines of each app's logs
  roost.wsgi.app_logs:
    lines: 100
  register: logs

- name: Show them
  ansible.builtin.debug:
    msg: "{{ logs.lines }}"
"""

RETURN = r"""
logs:
  description: For each log read, C(source) (what it is, such as C(perch uwsgi) or C(nginx error)), C(path)
    (or the journal's units) and its C(lines).
  returned: always
  type: list
  elements: dict
lines:
  description: Every line read, each prefixed with its source, the sources one after another.
  returned: always
  type: list
  elements: str
"""

import glob
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.roost.wsgi.plugins.module_utils.app_records import RECORDS_SPEC, named_apps, runner
from ansible_collections.roost.wsgi.plugins.module_utils.processes import UNIT_DIR, program_owner

CHUNK = 64 * 1024


def tail(path, count):
    """The last count lines of the file at path, read from its end; [] for a file that is not there."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            end = position = handle.tell()
            data = b""
            while position > 0 and data.count(b"\n") <= count:
                position = max(0, position - CHUNK)
                handle.seek(position)
                data = handle.read(end - position)
    except FileNotFoundError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    return lines[-count:] if count > 0 else []


def app_files(app, apps, log_dir):
    """(source, path) of the app's supervisord logs: uWSGI's (APP.log), then its programs' (APP-NAME.log,
    APP-NAME_00.log for several processes), not those of an app whose name starts like it."""
    found = []
    for path in glob.glob(os.path.join(glob.escape(log_dir), f"{glob.escape(app)}*.log")):
        name = os.path.basename(path)[:-len(".log")]
        if program_owner(name, apps) == app:
            found.append((name != app, name, path))
    return [(f"{app} program {name}" if program else f"{app} uwsgi", path) for program, name, path in sorted(found)]


def journal(run, app, count, since):
    """The last entries of the app's jobs' runs, from systemd's journal: (source, units, lines)."""
    argv = ["journalctl", "--no-pager", "--quiet", "--output=short-iso", f"--lines={count}", f"--unit=roost-{app}-*.service"]
    if since:
        argv.append(f"--since={since}")
    rc, out, err = run(argv)
    # A unit pattern the journal has nothing for yet (no job has run) fails the filter: nothing to show.
    if rc != 0 and "No data available" not in err:
        return f"{app} jobs", f"roost-{app}-*.service", [f"(journalctl: {(err or out).strip()})"]
    return f"{app} jobs", f"roost-{app}-*.service", out.splitlines() if rc == 0 else []


def read(apps, everyone, run, count, since, log_dir, nginx_logs, units_dir=UNIT_DIR):
    """Each log's source, path and last lines: the apps' files and jobs, then nginx's."""
    logs = []
    for app in apps:
        logs += [{"source": source, "path": path, "lines": tail(path, count)} for source, path in app_files(app, everyone, log_dir)]
        if glob.glob(os.path.join(units_dir, f"roost-{glob.escape(app)}-*.service")):
            source, units, lines = journal(run, app, count, since)
            logs.append({"source": source, "path": units, "lines": lines})
    for path in nginx_logs:
        logs.append({"source": f"nginx {os.path.basename(path).split('.')[0]}", "path": path, "lines": tail(path, count)})
    return logs


def main():
    module = AnsibleModule(
        argument_spec={
            **RECORDS_SPEC,
            "lines": {"type": "int", "default": 50},
            "since": {"type": "str", "default": ""},
            "log_dir": {"type": "path", "default": "/var/log/supervisor"},
            "nginx_logs": {"type": "list", "elements": "path",
                           "default": ["/var/log/nginx/error.log", "/var/log/nginx/access.log"]},
        },
        supports_check_mode=True,
    )
    params = module.params
    if not 1 <= params["lines"] <= 10000:
        module.fail_json(msg=f"lines must be between 1 and 10000; got {params['lines']}")
    apps, everyone = named_apps(module)
    logs = read(apps, everyone, runner(module), params["lines"], params["since"], params["log_dir"], params["nginx_logs"])
    module.exit_json(changed=False, logs=logs,
                     lines=[f"[{log['source']}] {line}" for log in logs for line in log["lines"]])


if __name__ == "__main__":
    main()
