#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: app_host
short_description: Read, in one round trip, all that a deploy of an app needs to know of its host
version_added: "0.1.0"
description:
  - Reports the host's Python, C library and architecture (for the wheels), which of O(packages) are
    missing, the app user, whether the app's directories all have their owner, group and mode, whether
    the web stack is provisioned, the releases installed under O(root), the live one, a switch a killed
    deploy left unfinished, and the server names of every nginx site enabled.
  - Changes nothing; it runs in check mode too.
options:
  root:
    description: The app's root (C(releases/), C(shared/), C(current)).
    type: path
    required: true
  user:
    description: The app user.
    type: str
    required: true
  dirs:
    description: The app's directories as M(roost.wsgi.files) takes them (V(path), V(owner), V(group), V(mode)).
    type: list
    elements: dict
    default: []
  packages:
    description: Debian packages a release needs.
    type: list
    elements: str
    default: []
  allow_untested_os:
    description:
      - Go on, with a warning, on a system roost.wsgi does not support (set C(roost_allow_untested_os)).
      - Otherwise the probe fails on it, naming the system found and the ones supported, as M(roost.wsgi.host_check) does.
    type: bool
    default: false
  name:
    description: The app's name; with it, the app's own programs and jobs are reported too.
    type: str
    default: ""
  uv:
    description: Where the deploy keeps the uv binary it installs releases with; RV(host.uv) says whether it is there.
    type: path
    default: ""
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Read the host
  roost.wsgi.app_host:
    root: /srv/perch
    user: perch
    dirs:
      - {path: /srv/perch, owner: root, group: root, mode: "0755"}
    packages: [python3-venv, acl]
  register: probe
"""

RETURN = r"""
host:
  description: What the host has.
  returned: always
  type: dict
  contains:
    os:
      description: "The system found (C(id), C(version_id), C(name), C(supported)), as M(roost.wsgi.host_check) returns it."
      type: dict
    python:
      description: "The host's python3 as C(major.minor)."
      type: str
      sample: "3.11"
    glibc:
      description: "The C library's version."
      type: str
      sample: "2.36"
    machine:
      description: "The CPU architecture."
      type: str
      sample: x86_64
    missing_packages:
      description: "Those of O(packages) not installed."
      type: list
      elements: str
    user:
      description: "The app user's home and shell, or null when there is no such user."
      type: dict
    dirs_ok:
      description: "Whether every one of O(dirs) is a directory with its owner, group and mode."
      type: bool
    stack:
      description: "Whether nginx, roost-uwsgi-ctl and supervisord are provisioned."
      type: bool
    live:
      description: "The release C(current) names, or an empty string."
      type: str
    pending:
      description: The switch a killed deploy left unfinished (C(from), C(to)), or null.
      type: dict
    installed:
      description: "The complete releases under C(releases/), sorted."
      type: list
      elements: str
    history:
      description: The releases C(history.log) records as having gone live, newest first, each once (empty without one).
      type: list
      elements: str
    uv:
      description: "Whether O(uv) is an executable file only root can change (false without O(uv))."
      type: bool
    pip_wheel:
      description: "The newest pip wheel of python3-venv, or an empty string before it is installed."
      type: str
    sites:
      description: "Server names of each enabled nginx site, by file name."
      type: dict
    programs:
      description: The app's own supervisord programs beside its web app (C(NAME-PROGRAM.conf)), by program name, sorted.
      type: list
      elements: str
    jobs:
      description: The app's scheduled jobs (systemd timers C(roost-NAME-JOB.timer)), by job name, sorted.
      type: list
      elements: str
    jobs_up:
      description: Those of RV(host.jobs) whose timer systemd has enabled and running.
      type: list
      elements: str
"""

import glob
import grp
import json
import os
import platform
import pwd
import re
import stat
import sys

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.roost.wsgi.plugins.module_utils.host_os import check, missing_packages, services_up
from ansible_collections.roost.wsgi.plugins.module_utils.releases import live_release, read_history

# What the roles install: a host with all of them is provisioned.
STACK = ("/usr/local/sbin/roost-nginx-check", "/usr/local/sbin/roost-uwsgi-ctl", "/usr/local/lib/roost-app-env.py")
SUPERVISORD_CONF = "/etc/supervisor/supervisord.conf"
SITES = "/etc/nginx/sites-enabled/*"
# Debian's python3-venv ships pip as a wheel; a release's virtualenv is made without pip and installs with it.
PIP_WHEELS = "/usr/share/python-wheels/pip-*.whl"
PROGRAMS = "/etc/supervisor/conf.d"
TIMERS = "/etc/systemd/system"
# A program's or job's own name has no '-': what follows the last one in a file name is that name,
# and what comes before it the app's (app names may have a '-').
OWN_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SERVER_NAME = re.compile(r"^\s*server_name\s+([^;]+);", re.M)


def account(user):
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return {"home": entry.pw_dir, "shell": entry.pw_shell}


def dir_ok(entry):
    try:
        st = os.stat(entry["path"])
        return (stat.S_ISDIR(st.st_mode) and st.st_uid == pwd.getpwnam(entry["owner"]).pw_uid
                and st.st_gid == grp.getgrnam(entry["group"]).gr_gid
                and stat.S_IMODE(st.st_mode) == int(str(entry["mode"]), 8))
    except (OSError, KeyError, ValueError):
        return False


def pending_switch(root):
    try:
        with open(os.path.join(root, ".switching"), encoding="utf-8") as marker:
            pending = json.load(marker)
    except (OSError, ValueError):
        return None
    return pending if isinstance(pending, dict) else None


def installed_releases(root):
    releases = os.path.join(root, "releases")
    if not os.path.isdir(releases):
        return []
    return sorted(r for r in os.listdir(releases) if os.path.isfile(os.path.join(releases, r, ".installed")))


def history(root):
    try:
        return read_history(root)
    except OSError:
        return []


def sites(pattern=SITES):
    found = {}
    for path in glob.glob(pattern):
        try:
            with open(path, encoding="utf-8") as site:
                text = site.read()
        except OSError:
            continue
        found[os.path.basename(path)] = sorted({name for line in SERVER_NAME.findall(text) for name in line.split()})
    return found


def owned(directory, prefix, suffix):
    """Names N of files PREFIX-N.SUFFIX in directory, N a program's or job's own name."""
    found = []
    for path in glob.glob(os.path.join(directory, glob.escape(prefix) + "-*" + suffix)):
        base = os.path.basename(path)[:-len(suffix)]
        owner, _dash, name = base.rpartition("-")
        if owner == prefix and OWN_NAME.match(name):
            found.append(name)
    return sorted(found)


def root_executable(path):
    """Whether path is an executable file that only root can change."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == 0 and not info.st_mode & 0o022 and bool(info.st_mode & 0o100)


def read_host(module, root, user, dirs, packages, system, name="", programs=PROGRAMS, timers=TIMERS, uv=""):
    jobs = owned(timers, "roost-" + name, ".timer") if name else []
    up = services_up(module, [f"roost-{name}-{job}.timer" for job in jobs])
    return {
        "os": system,
        "python": "%d.%d" % sys.version_info[:2],
        "glibc": platform.libc_ver()[1],
        "machine": platform.machine(),
        "missing_packages": missing_packages(module, packages),
        "user": account(user),
        "dirs_ok": all(dir_ok(entry) for entry in dirs),
        "stack": all(os.access(path, os.R_OK) for path in STACK) and os.path.isfile(SUPERVISORD_CONF),
        "live": live_release(root),
        "pending": pending_switch(root),
        "installed": installed_releases(root),
        "history": history(root),
        "pip_wheel": (sorted(glob.glob(PIP_WHEELS)) or [""])[-1],
        "uv": bool(uv) and root_executable(uv),
        "sites": sites(),
        "programs": owned(programs, name, ".conf") if name else [],
        "jobs": jobs,
        "jobs_up": [job for job in jobs if f"roost-{name}-{job}.timer" in up],
    }


def main():
    module = AnsibleModule(
        argument_spec={
            "root": {"type": "path", "required": True},
            "user": {"type": "str", "required": True},
            "dirs": {"type": "list", "elements": "dict", "default": []},
            "packages": {"type": "list", "elements": "str", "default": []},
            "allow_untested_os": {"type": "bool", "default": False},
            "name": {"type": "str", "default": ""},
            "uv": {"type": "path", "default": ""},
        },
        supports_check_mode=True,
    )
    params = module.params
    system = check(module, params["allow_untested_os"])
    module.exit_json(changed=False, host=read_host(module, params["root"], params["user"], params["dirs"], params["packages"],
                                                   system, params["name"], uv=params["uv"]))


if __name__ == "__main__":
    main()
