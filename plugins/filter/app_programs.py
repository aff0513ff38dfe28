# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

from ansible_collections.roost.wsgi.plugins.module_utils.processes import supervisor_programs

DOCUMENTATION = r"""
---
name: app_programs
short_description: An app's programs as roost.wsgi.supervisor runs them, from one release
version_added: "0.1.0"
description:
  - Turns C(wsgi_app_programs) into C(supervisor_programs) entries named C(APP-NAME), each running its
    command from C(ROOT/releases/RELEASE/venv/bin/) as the app user, in C(ROOT/shared), in the app's
    environment (read by C(roost-app-env.py) from O(env_file)).
  - The programs of O(existing) that the list no longer names come back with C(state=absent).
options:
  _input:
    description: The programs, each C(name), C(command) (a list) and optionally C(processes), C(stopsignal), C(stopwaitsecs), C(startsecs).
    type: list
    elements: dict
    required: true
  release: {description: The release the programs run., type: str, required: true}
extends_documentation_fragment:
  - roost.wsgi.app_processes
"""

EXAMPLES = r"""
supervisor_programs: "{{ wsgi_app_programs | roost.wsgi.app_programs(app='perch', root='/srv/perch', user='perch',
                         env_file='/srv/perch/shared/environment.json', release='0123456789ab') }}"
"""

RETURN = r"""
_value:
  description: The C(supervisor_programs) entries.
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"app_programs": supervisor_programs}
