#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: sqlite_copy
short_description: Back up a live SQLite database, or restore it, with SQLite's own backup API
version_added: "0.1.0"
description:
  - V(backup) copies O(src) into O(dest) page by page through SQLite, so the copy is consistent while
    the app keeps writing (its write-ahead log included). It is written to C(<dest>.partial) and renamed
    once complete, so a failed copy (a full disk) leaves no half-written file; the failure says how
    much room there was.
  - V(restore) writes O(src) back into the live database O(dest) through SQLite itself, never by a
    rename, since the live app's open connections and its C(-wal) file belong to the file they opened.
  - A database that does not exist yet (a first deploy) is nothing to back up; that is not an error.
  - Run it as the app user (C(become_user)), who owns the database.
options:
  src:
    description: The database to copy from.
    type: path
    required: true
  dest:
    description: The database (V(restore)) or the backup file (V(backup)) to copy to.
    type: path
    required: true
  mode:
    description: Which way to copy.
    type: str
    choices: [backup, restore]
    default: backup
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Back up the database before the migration
  roost.wsgi.sqlite_copy:
    src: /srv/perch/shared/data/perch.sqlite
    dest: /srv/perch/shared/backups/perch.sqlite.before-0123456789ab
  become: true
  become_user: perch
  register: backup
"""

RETURN = r"""
copied:
  description: Whether a database was copied (false when O(src) did not exist yet).
  returned: always
  type: bool
"""

import os
import sqlite3

from ansible.module_utils.basic import AnsibleModule


class CopyFailed(Exception):
    pass


def copy(src, dest, restore=False):
    """Copy src onto dest with SQLite's backup API; False when src does not exist."""
    if not os.path.exists(src):
        return False
    partial = dest if restore else dest + ".partial"
    try:
        source, target = sqlite3.connect(src), sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        if not restore:
            os.replace(partial, dest)
    except (OSError, sqlite3.Error) as error:
        if not restore and os.path.exists(partial):
            os.unlink(partial)
        raise CopyFailed(f"{error} ({room_left(dest)})") from error
    return True


def room_left(path):
    """How much room there is where path would be written, from its nearest existing directory."""
    directory = os.path.dirname(os.path.abspath(path))
    while not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    free = os.statvfs(directory)
    return f"{free.f_bavail * free.f_frsize // 1024} KiB free in {directory}"


def main():
    module = AnsibleModule(
        argument_spec={
            "src": {"type": "path", "required": True},
            "dest": {"type": "path", "required": True},
            "mode": {"type": "str", "choices": ["backup", "restore"], "default": "backup"},
        },
        supports_check_mode=True,
    )
    params = module.params
    if module.check_mode:
        module.exit_json(changed=os.path.exists(params["src"]), copied=False)
    try:
        copied = copy(params["src"], params["dest"], restore=params["mode"] == "restore")
    except CopyFailed as error:
        module.fail_json(msg=str(error), copied=False)
    module.exit_json(changed=copied, copied=copied)


if __name__ == "__main__":
    main()
