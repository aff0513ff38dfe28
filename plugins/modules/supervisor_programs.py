#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: supervisor_programs
short_description: Put supervisord's program files in place, apply the changed ones and start the stopped, in one round trip
version_added: "0.1.0"
description:
  - Puts O(paths) in place as M(roost.wsgi.files) does (the program files under C(/etc/supervisor/conf.d/),
    each C(NAME.conf), or their removal).
  - Then, unless in check mode, has supervisord take the changed ones alone (C(supervisorctl update)
    with their names, which adds, restarts or removes those programs and leaves every other one running),
    and starts every program of O(running) that is not running (C(supervisorctl start NAME:*)), such as
    one stopped by hand or given up after too many quick exits.
  - Those were three tasks, two of them round trips on every run; this is one.
  - Fails, naming what supervisorctl said, when it cannot update or start a program.
  - Supports check mode (the files alone, without calling supervisorctl) and diff mode.
extends_documentation_fragment: roost.wsgi.paths
options:
  running:
    description: The programs that must run once the files are in place (their names, without C(.conf)).
    type: list
    elements: str
    default: []
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Write the program files, apply the changed ones and start any that is stopped
  roost.wsgi.supervisor_programs:
    paths:
      - path: /etc/supervisor/conf.d/perch.conf
        content: "{{ lookup('template', 'etc/supervisor/conf.d/program.conf.j2') }}"
        mode: "0600"
      - path: /etc/supervisor/conf.d/perch-old-worker.conf
        state: absent
    running: [perch]
"""

RETURN = r"""
changed_paths:
  description: The paths that were (or, in check mode, would be) changed, in order.
  returned: always
  type: list
  elements: str
  sample: [/etc/supervisor/conf.d/perch.conf]
updated:
  description: The programs supervisord took anew (those of the changed paths); none in check mode.
  returned: always
  type: list
  elements: str
  sample: [perch]
started:
  description: The programs of O(running) that were not running and were started; none in check mode.
  returned: always
  type: list
  elements: str
  sample: [perch-worker]
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.roost.wsgi.plugins.module_utils.files import PATHS_SPEC, put

# `supervisorctl start NAME:*` says one line per program: "NAME: started", or
# "NAME: ERROR (already started)" for one that runs.
STARTED = re.compile(r"^(?P<name>[^:\s]+)(:[^:\s]+)?: started$")
ALREADY = "ERROR (already started)"


def program(path):
    """The program a file under conf.d/ defines: its name without .conf."""
    return re.sub(r"[.]conf$", "", os.path.basename(path))


def update(module, names):
    """supervisorctl update NAME...: supervisord rereads its configuration and applies these alone."""
    rc, out, err = module.run_command(["supervisorctl", "update", *names])
    if rc != 0:
        module.fail_json(msg=f"supervisorctl update {' '.join(names)} failed (exit {rc}): {(out + err).strip()}",
                         rc=rc, stdout=out, stderr=err)


def start(module, names):
    """Start those of names that are not running; the names of those it started."""
    rc, out, err = module.run_command(["supervisorctl", "start", *[f"{name}:*" for name in names]])
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    started = [STARTED.match(line) for line in lines]
    unexpected = [line for line, match in zip(lines, started) if not match and not line.endswith(ALREADY)]
    if unexpected or (rc != 0 and ALREADY not in out):
        module.fail_json(msg=f"supervisorctl could not start every program of {', '.join(names)}: "
                             f"{'; '.join(unexpected) or (out + err).strip()}",
                         rc=rc, stdout=out, stderr=err)
    return sorted({match.group("name") for match in started if match})


def main():
    module = AnsibleModule(
        argument_spec=dict(paths=PATHS_SPEC, running=dict(type="list", elements="str", default=[])),
        supports_check_mode=True,
    )
    changed_paths, diffs = put(module, module.params["paths"])
    updated, started = [], []
    if not module.check_mode:
        updated = [program(path) for path in changed_paths]
        if updated:
            update(module, updated)
        if module.params["running"]:
            started = start(module, module.params["running"])
    result = {"changed": bool(changed_paths or started), "changed_paths": changed_paths, "updated": updated,
              "started": started}
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
