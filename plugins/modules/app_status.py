#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: app_status
short_description: Say how each app roost.wsgi deployed on the host is doing, changing nothing
version_added: "0.1.0"
description:
  - For each app with a record in O(records) (roost.wsgi.wsgi_app writes one at each deploy, for
    C(roost-run) and this module), reads the live release and the one before it, with when each went live
    (C(history.log)); its health path through nginx right now, as the health gate asks it; uWSGI's
    workers (from the stats socket, through C(roost-uwsgi-ctl)), busy or idle, requests, respawns, memory;
    each of its supervisord programs' state and uptime; each scheduled job's last result and next run;
    the TLS certificate's expiry; the disk free under its root; and its newest backup's age.
  - Reads only, in one round trip; runs the same in check mode.
options:
  health_timeout:
    description: Seconds to wait for the health path's answer.
    type: float
    default: 5
extends_documentation_fragment:
  - roost.wsgi.app_records
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Read each app's status
  roost.wsgi.app_status:
  register: status

- name: Show it
  ansible.builtin.debug:
    msg: "{{ status.lines }}"
"""

RETURN = r"""
apps:
  description: For each app's name, what was read (C(root), C(releases), C(health), C(uwsgi), C(programs),
    C(jobs), C(certificate), C(disk), C(backup)); each part that could not be read says why in its C(error).
  returned: always
  type: dict
lines:
  description: The same as a readable table, a few lines per app.
  returned: always
  type: list
  elements: str
healthy:
  description: Whether every app's health path answered 200 from the app.
  returned: always
  type: bool
"""

import datetime
import glob
import json
import os
import shutil
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.roost.wsgi.plugins.module_utils.app_records import RECORDS_SPEC, named_apps, read, runner
from ansible_collections.roost.wsgi.plugins.module_utils.processes import UNIT_DIR, program_owner
from ansible_collections.roost.wsgi.plugins.module_utils.releases import HISTORY, live_release, recent_releases
from ansible_collections.roost.wsgi.plugins.module_utils.through_nginx import FROM_THE_APP, ask, healthy

UWSGI_CTL = "/usr/local/sbin/roost-uwsgi-ctl"
CERTIFICATES = "/etc/ssl/roost"


def releases(root, now):
    """The live release and the one before it (where a rollback goes), each with when it last went live."""
    live = live_release(root)
    try:
        with open(os.path.join(root, HISTORY), encoding="utf-8") as handle:
            history = handle.read()
    except OSError:
        history = ""
    # Each line is "TIME RELEASE"; a release's last line says when it last went live.
    went_live = {fields[1]: fields[0] for fields in map(str.split, history.splitlines()) if len(fields) == 2}
    previous = next((release for release in recent_releases(history) if release != live), "")
    return {"live": live, "live_since": went_live.get(live, ""), "live_for": age(went_live.get(live, ""), now),
            "previous": previous, "previous_since": went_live.get(previous, "")}


def age(stamp, now):
    """'3d 4h' since an ISO time such as history.log's (2026-12-08T03:20:00Z); '' when there is none."""
    if not stamp:
        return ""
    try:
        then = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return ""
    return duration(now - then.timestamp())


def duration(seconds):
    seconds = max(0, int(seconds))
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {seconds % 60}s"


def health(record, timeout):
    probe = record.get("health") or {}
    if not probe.get("server_name"):
        return {"error": "the app's record names no health path (deployed before roost.wsgi wrote it)"}
    scheme = probe.get("scheme", "http")
    answer = ask(scheme, 443 if scheme == "https" else 80, probe["server_name"], probe.get("path", "/healthz"),
                 probe.get("release_header", ""), timeout=timeout)
    answer["url"] = f"{scheme}://{probe['server_name']}{probe.get('path', '/healthz')}"
    answer["healthy"] = healthy(answer)
    return answer


def uwsgi(run, app):
    """uWSGI's workers from its stats socket: their count, busy ones, requests, respawns and memory."""
    rc, out, err = run([UWSGI_CTL, "status", app])
    if rc != 0:
        return {"error": (err or out).strip() or f"roost-uwsgi-ctl exited {rc}"}
    try:
        stats = json.loads(out)
    except ValueError:
        return {"error": "roost-uwsgi-ctl's answer is not JSON"}
    workers = stats.get("workers", [])
    return {"master": stats.get("pid", 0), "workers": len(workers),
            "busy": sum(1 for worker in workers if worker.get("status") == "busy"),
            "requests": sum(worker.get("requests", 0) for worker in workers),
            "respawns": sum(max(0, worker.get("respawn_count", 1) - 1) for worker in workers),
            "rss_mb": round(sum(worker.get("rss", 0) for worker in workers) / 2**20, 1)}


def programs(run, app, apps=()):
    """supervisord's programs of the app, among those of every app on the host (apps)."""
    _rc, out, err = run(["supervisorctl", "status"])  # exits 3 when a program is not running
    found = []
    for line in out.splitlines():
        words = line.split(None, 2)
        if len(words) >= 2 and program_owner(words[0], {app, *apps}) == app:
            found.append({"name": words[0], "state": words[1], "detail": words[2] if len(words) > 2 else ""})
    if not found and err.strip():
        return [{"name": app, "state": "UNKNOWN", "detail": err.strip()}]
    return found


def jobs(run, app, units=UNIT_DIR):
    """Each scheduled job's timer (next run) and service (last result), from systemd."""
    timers = sorted(os.path.basename(path) for path in glob.glob(os.path.join(units, f"roost-{glob.escape(app)}-*.timer")))
    if not timers:
        return []
    services = [timer[:-len(".timer")] + ".service" for timer in timers]
    rc, out, err = run(["systemctl", "show", "--property=Id,NextElapseUSecRealtime,LastTriggerUSec,Result,"
                        "ExecMainStatus,ActiveState", *timers, *services])
    if rc != 0:
        return [{"name": timer[:-len(".timer")], "error": err.strip()} for timer in timers]
    shown = {}
    for block in out.strip().split("\n\n"):
        fields = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        shown[fields.get("Id", "")] = fields
    found = []
    for timer, service in zip(timers, services):
        timer_fields, service_fields = shown.get(timer, {}), shown.get(service, {})
        last = timer_fields.get("LastTriggerUSec", "")
        found.append({"name": timer[:-len(".timer")], "timer": timer_fields.get("ActiveState", ""),
                      "next": timer_fields.get("NextElapseUSecRealtime", "") or "-",
                      "last": last if last and last != "n/a" else "never",
                      "result": (service_fields.get("Result", "") if last and last != "n/a" else "")
                      + (f" (exit {service_fields['ExecMainStatus']})"
                         if service_fields.get("ExecMainStatus", "0") not in ("", "0") else "")})
    return found


def certificate(run, app, directory=CERTIFICATES):
    path = os.path.join(directory, app, "fullchain.pem")
    if not os.path.exists(path):
        return {}
    rc, out, err = run(["openssl", "x509", "-noout", "-enddate", "-in", path])
    if rc != 0 or not out.startswith("notAfter="):
        return {"path": path, "error": (err or out).strip() or "openssl could not read it"}
    expires = out.strip().split("=", 1)[1]
    try:
        left = datetime.datetime.strptime(expires, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=datetime.timezone.utc)
        days = int((left.timestamp() - time.time()) // 86400)
    except ValueError:
        days = None
    return {"path": path, "expires": expires, "days_left": days}


def disk(root):
    try:
        usage = shutil.disk_usage(root)
    except OSError as error:
        return {"error": str(error)}
    return {"free_gb": round(usage.free / 2**30, 1), "free_percent": round(100 * usage.free / usage.total, 1)}


def backup(root, now):
    """The newest file in the app's backups (the copies taken before migrations)."""
    directory = os.path.join(root, "shared", "backups")
    try:
        newest = max((entry for entry in os.scandir(directory) if entry.is_file()),
                     key=lambda entry: entry.stat().st_mtime, default=None)
    except OSError:
        newest = None
    if newest is None:
        return {}
    return {"path": newest.path, "age": duration(now - newest.stat().st_mtime)}


def status(app, record, run, now, timeout, apps=()):
    root = record["root"]
    return {"root": root, "releases": releases(root, now), "health": health(record, timeout), "uwsgi": uwsgi(run, app),
            "programs": programs(run, app, apps), "jobs": jobs(run, app), "certificate": certificate(run, app),
            "disk": disk(root), "backup": backup(root, now)}


def lines(app, found):
    """A few readable lines for one app."""
    rel, hl, uw, cert, dk, bk = (found[key] for key in ("releases", "health", "uwsgi", "certificate", "disk", "backup"))
    said = [f"{app}: release {rel['live'] or '(none)'}" + (f", live for {rel['live_for']}" if rel["live_for"] else "")
            + (f"; before it {rel['previous']}" if rel["previous"] else "")]
    if "url" not in hl:  # not asked: the record names no health path
        said.append(f"  health   {hl['error']}")
    else:
        answer = hl["status"] or hl["error"]
        cached = f" from nginx's cache ({hl['cache']})" if hl["cache"] not in FROM_THE_APP else ""
        said.append(f"  health   {'OK' if hl['healthy'] else 'FAILING'}: {hl['url']} answered {answer}{cached}"
                    + (f", release {hl['release']}" if hl["release"] else ""))
    said.append(f"  uwsgi    {uw['error']}" if "error" in uw else
                f"  uwsgi    master {uw['master']}, {uw['workers']} workers ({uw['busy']} busy), {uw['requests']} requests, "
                f"{uw['respawns']} respawns, {uw['rss_mb']} MB")
    said += [f"  program  {program['name']} {program['state']} {program['detail']}".rstrip() for program in found["programs"]]
    said += [f"  job      {job['name']}: {job['error']}" if "error" in job else
             f"  job      {job['name']}: last run {' '.join(filter(None, (job['last'], job['result'])))}, next {job['next']}"
             for job in found["jobs"]]
    if cert:
        said.append(f"  tls      {cert['error']}" if "error" in cert else
                    f"  tls      certificate expires {cert['expires']} ({cert['days_left']} days)")
    said.append(f"  disk     {dk['error']}" if "error" in dk else
                f"  disk     {dk['free_gb']} GB free under {found['root']} ({dk['free_percent']} %)")
    said.append(f"  backup   newest {bk['age']} old: {bk['path']}" if bk else "  backup   none")
    return said


def main():
    module = AnsibleModule(
        argument_spec={**RECORDS_SPEC, "health_timeout": {"type": "float", "default": 5}},
        supports_check_mode=True,
    )
    apps, everyone = named_apps(module)
    try:
        found = {app: read(module.params["records"], app) for app in apps}
    except (OSError, ValueError) as error:
        module.fail_json(msg=f"cannot read an app's record in {module.params['records']}: {error}")
    run, now = runner(module), time.time()
    statuses, said = {}, []
    for app, record in found.items():
        statuses[app] = status(app, record, run, now, module.params["health_timeout"], everyone)
        said += lines(app, statuses[app])
    module.exit_json(changed=False, apps=statuses, lines=said,
                     healthy=all(app["health"].get("healthy", False) for app in statuses.values()))


if __name__ == "__main__":
    main()
