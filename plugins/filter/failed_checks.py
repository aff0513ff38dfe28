# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean

DOCUMENTATION = r"""
---
name: failed_checks
short_description: The messages of the checks that failed, from a list of checks
version_added: "0.1.0"
description:
  - Each check is a C(ok) (a boolean, or a string Ansible reads as one) and the C(msg) that names the
    variable it is about and says what to change. Returns the messages of the checks whose C(ok) is
    false, in order, so one M(ansible.builtin.assert) can refuse every bad variable at once; a loop
    of asserts costs a result per check on every run.
options:
  _input:
    description: The checks, each C(ok) and C(msg).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Check the variables
  ansible.builtin.assert:
    that: __failed | length == 0
    fail_msg: "{{ __failed | join(' ') }}"
  vars:
    __failed: "{{ __checks | roost.wsgi.failed_checks }}"
    __checks:
      - ok: "{{ app_port | int > 0 }}"
        msg: "app_port must be a port number; got '{{ app_port }}'"
"""

RETURN = r"""
_value:
  description: The messages of the failed checks.
  type: list
  elements: str
"""


def failed_checks(checks):
    return [check["msg"] for check in checks if not boolean(check["ok"], strict=False)]


class FilterModule:
    def filters(self):
        return {"failed_checks": failed_checks}
