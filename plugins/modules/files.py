#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: files
short_description: Put a role's files, directories and removals in place in one round trip
version_added: "0.1.0"
description:
  - Does for a list of paths, in order, what M(ansible.builtin.copy), M(ansible.builtin.template)
    and M(ansible.builtin.file) do for one (write a file whose content, owner, group or mode differ,
    create a directory, point a symbolic link, remove a file). Each of those modules costs one or two round trips to the
    host even when nothing changes; this costs one for the whole list, which is most of what a
    rerun that changes nothing spends.
  - Content is given whole, rendered on the controller (C(lookup('template', ...)) or
    C(lookup('file', ..., rstrip=false))).
  - A changed file is written to a temporary file beside it, checked with O(paths[].validate) when
    given, and only then renamed over the old one, so a reader never sees half a file and a file that
    fails its check is never put in place. Paths are handled in order and the first failure stops the
    list; what came before it stays done, as with a sequence of tasks.
  - Supports check mode and diff mode.
extends_documentation_fragment: roost.wsgi.paths
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Write nginx's files
  roost.wsgi.files:
    paths:
      - path: /usr/local/sbin/roost-nginx-check
        content: "{{ lookup('file', 'usr/local/sbin/roost-nginx-check', rstrip=false) }}"
        mode: "0755"
      - path: /etc/nginx/sites-enabled/default
        state: absent
      - path: /etc/nginx/nginx.conf
        content: "{{ lookup('template', 'etc/nginx/nginx.conf.j2') }}"
        mode: "0644"
        validate: /usr/local/sbin/roost-nginx-check %s nginx.conf
  notify: reload nginx
"""

RETURN = r"""
changed_paths:
  description: The paths that were (or, in check mode, would be) changed, in order.
  returned: always
  type: list
  elements: str
  sample: [/etc/nginx/nginx.conf]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.roost.wsgi.plugins.module_utils.files import PATHS_SPEC, put


def main():
    module = AnsibleModule(argument_spec=dict(paths=PATHS_SPEC), supports_check_mode=True)
    changed_paths, diffs = put(module, module.params["paths"])
    result = {"changed": bool(changed_paths), "changed_paths": changed_paths}
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
