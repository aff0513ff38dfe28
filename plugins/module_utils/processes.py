# Copyright: roost.wsgi developers
# MIT License (see LICENSE)
"""An app's other processes, as supervisord and systemd run them: its programs (workers) from one
release, and its scheduled jobs from the live one, both in the app's environment as the app user."""

from __future__ import annotations

import shlex

ENV_LOADER = "/usr/local/lib/roost-app-env.py"
SYSTEM_PYTHON = "/usr/bin/python3"
PROGRAM_DEFAULTS = {"processes": 1, "stopsignal": "TERM", "stopwaitsecs": 30, "startsecs": 5}
# Where the jobs' systemd units are written (job_units), and read by app_status and app_logs.
UNIT_DIR = "/etc/systemd/system"


def in_env(env_file, bin_dir, command):
    """The argv that runs command (its first word from bin_dir) in the app's environment."""
    return [SYSTEM_PYTHON, ENV_LOADER, env_file, f"{bin_dir}/{command[0]}"] + [str(word) for word in command[1:]]


def program_name(app, name):
    return f"{app}-{name}"


def program_owner(program, apps):
    """The app of apps a supervisord program (or its log file's name) belongs to: uWSGI's program is
    named after the app, the app's own programs APP-NAME (APP-NAME:APP-NAME_00, log APP-NAME_00, for
    several processes); the longest app name that fits wins, so perch-two's are not perch's."""
    group = program.split(":", 1)[0]
    fits = [app for app in apps if group == app or group.startswith(app + "-") or group.startswith(app + "_")]
    return max(fits, key=len, default="")


def supervisor_programs(programs, app, root, user, env_file, release, existing=()):
    """supervisor_programs entries for the app's programs, each run from releases/<release>; those the
    host has (existing) and the list no longer names are removed."""
    bin_dir = f"{root}/releases/{release}/venv/bin"
    entries = []
    for program in programs:
        program = {**PROGRAM_DEFAULTS, **program}
        entries.append({
            "name": program_name(app, program["name"]),
            "command": shlex.join(in_env(env_file, bin_dir, program["command"])),
            "user": user,
            "directory": f"{root}/shared",
            "numprocs": int(program["processes"]),
            "stopsignal": program["stopsignal"],
            "stopwaitsecs": int(program["stopwaitsecs"]),
            "startsecs": int(program["startsecs"]),
        })
    named = {program["name"] for program in programs}
    entries += [{"name": program_name(app, name), "state": "absent"} for name in sorted(set(existing) - named)]
    return entries


def systemd_word(word):
    """One word of an ExecStart= line, quoted as systemd reads it: no specifier (%), variable ($) or
    escape (\\) is expanded."""
    escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"'


def unit_name(app, job):
    return f"roost-{app}-{job}"


def job_units(jobs, app, root, user, env_file, existing=(), directory=UNIT_DIR):
    """roost.wsgi.files paths for each job's service and timer (and removals of the jobs the host has
    that the list no longer names). The service runs the live release's command (through current),
    once at a time: a timer that elapses while its run goes on starts nothing more."""
    bin_dir = f"{root}/current/venv/bin"
    paths = []
    for job in jobs:
        unit = unit_name(app, job["name"])
        command = " ".join(systemd_word(word) for word in in_env(env_file, bin_dir, job["command"]))
        service = (
            "# Written by roost.wsgi.wsgi_app; changes here are lost at the next deploy.\n"
            "[Unit]\n"
            f"Description=Job {job['name']} of {app} (roost.wsgi)\n"
            "\n[Service]\n"
            "Type=oneshot\n"
            f"User={user}\n"
            f"Group={user}\n"
            f"WorkingDirectory={root}/shared\n"
            f"ExecStart={command}\n"
            "NoNewPrivileges=yes\n"
            "PrivateTmp=yes\n"
            "ProtectSystem=full\n"
            "ProtectHome=yes\n"
        )
        timer = (
            "# Written by roost.wsgi.wsgi_app; changes here are lost at the next deploy.\n"
            "[Unit]\n"
            f"Description=Schedule of job {job['name']} of {app} (roost.wsgi)\n"
            "\n[Timer]\n"
            f"OnCalendar={job['schedule']}\n"
            "# A run missed while the host was down happens at boot.\n"
            "Persistent=true\n"
            "# On time, not within systemd's default minute.\n"
            "AccuracySec=1s\n"
            f"Unit={unit}.service\n"
            "\n[Install]\n"
            "WantedBy=timers.target\n"
        )
        paths += [{"path": f"{directory}/{unit}.service", "content": service, "mode": "0644"},
                  {"path": f"{directory}/{unit}.timer", "content": timer, "mode": "0644"}]
    named = {job["name"] for job in jobs}
    for name in sorted(set(existing) - named):
        paths += [{"path": f"{directory}/{unit_name(app, name)}.{kind}", "state": "absent"} for kind in ("timer", "service")]
    return paths
