#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: release_cleanup
short_description: Remove an app's old releases, never the live one or the one a rollback goes to
version_added: "0.1.0"
description:
  - Keeps the newest O(keep) release directories under C(<root>/releases/) by install time, and
    always the release C(<root>/current) names and the two most recent ones C(<root>/history.log)
    records (the live one and the one live before it, where a rollback goes), whatever their age.
  - Removes every other release directory, and with O(backup_prefix) the database backup taken before
    each removed release went live (C(<backup_prefix><release>)).
  - Fails, removing nothing, when C(history.log) cannot be read (without it the rollback target is unknown).
  - Supports check mode (reports what it would remove).
options:
  root:
    description: The app's root (C(releases/), C(current), C(history.log)).
    type: path
    required: true
  keep:
    description: How many of the newest releases to keep (at least 2).
    type: int
    required: true
  backup_prefix:
    description: Path prefix of the per-release database backups; empty for none.
    type: str
    default: ""
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Remove releases beyond the newest 5
  roost.wsgi.release_cleanup:
    root: /srv/perch
    keep: 5
    backup_prefix: /srv/perch/shared/backups/perch.sqlite.before-
"""

RETURN = r"""
removed:
  description: The releases removed (or, in check mode, to be removed), oldest last.
  returned: success
  type: list
  elements: str
kept:
  description: The releases kept, newest first.
  returned: success
  type: list
  elements: str
"""

import os
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.roost.wsgi.plugins.module_utils.releases import HISTORY, live_release, read_history


def choose(by_age, recent, live, keep):
    """The releases to remove: all but the newest `keep`, the two most recent live ones and `live`."""
    protected = set(by_age[:keep]) | set(recent[:2]) | ({live} if live else set())
    return [release for release in by_age if release not in protected]


def releases_by_age(releases_dir):
    """Release directories, newest install time first."""
    entries = [entry for entry in os.scandir(releases_dir) if entry.is_dir(follow_symlinks=False)]
    return [entry.name for entry in sorted(entries, key=lambda entry: entry.stat().st_mtime, reverse=True)]


def main():
    module = AnsibleModule(
        argument_spec={
            "root": {"type": "path", "required": True},
            "keep": {"type": "int", "required": True},
            "backup_prefix": {"type": "str", "default": ""},
        },
        supports_check_mode=True,
    )
    root, keep, backup_prefix = module.params["root"], module.params["keep"], module.params["backup_prefix"]
    if keep < 2:
        module.fail_json(msg=f"keep must be at least 2 (the live release and one to roll back to); got {keep}")
    history = os.path.join(root, HISTORY)
    try:
        recent = read_history(root)
    except OSError as error:
        module.fail_json(msg=f"{history} cannot be read ({error.strerror}): without it the release a rollback "
                             "goes to is unknown, so no release was removed")
    live = live_release(root)
    by_age = releases_by_age(os.path.join(root, "releases"))
    doomed = choose(by_age, recent, live, keep)
    if doomed and not module.check_mode:
        for release in doomed:
            shutil.rmtree(os.path.join(root, "releases", release))
            if backup_prefix:
                try:
                    os.unlink(backup_prefix + release)
                except FileNotFoundError:
                    pass
    module.exit_json(changed=bool(doomed), removed=doomed, kept=[release for release in by_age if release not in doomed])


if __name__ == "__main__":
    main()
