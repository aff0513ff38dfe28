# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

from ansible_collections.roost.wsgi.plugins.module_utils.processes import job_units

DOCUMENTATION = r"""
---
name: job_units
short_description: An app's scheduled jobs as systemd services and timers, for roost.wsgi.files
version_added: "0.1.0"
description:
  - Turns C(wsgi_app_jobs) into the content of C(roost-APP-NAME.service) (a oneshot running the live
    release's command through C(current), as the app user, in the app's environment) and
    C(roost-APP-NAME.timer) (C(OnCalendar) the job's schedule, C(Persistent) so a run missed while the
    host was down happens at boot).
  - The jobs of O(existing) that the list no longer names come back as removals of both files.
options:
  _input:
    description: The jobs, each C(name), C(schedule) (systemd's C(OnCalendar) syntax) and C(command) (a list).
    type: list
    elements: dict
    required: true
extends_documentation_fragment:
  - roost.wsgi.app_processes
"""

EXAMPLES = r"""
- roost.wsgi.files:
    paths: "{{ wsgi_app_jobs | roost.wsgi.job_units(app='perch', root='/srv/perch', user='perch',
                                                     env_file='/srv/perch/shared/environment.json') }}"
"""

RETURN = r"""
_value:
  description: Paths for M(roost.wsgi.files).
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"job_units": job_units}
