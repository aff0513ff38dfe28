#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: host_check
short_description: Refuse a system roost.wsgi does not support, and report which packages are missing
version_added: "0.1.0"
description:
  - Reads C(/etc/os-release) and fails, naming the system found and the ones supported (Debian 12 and 13),
    unless O(allow_untested_os) is true; then it warns instead.
  - In the same round trip, reports which of O(packages) dpkg does not have installed, so a role runs
    the slow apt module only when something is missing, and the versions of the others; which of
    O(services) systemd has enabled and running, so a role starts only the others; and whether the
    kernel has IPv6 on.
  - Sets the fact C(ansible_facts.roost_host_os), so later roles of the same run need not check again.
  - Changes nothing; it runs in check mode too.
options:
  packages:
    description: Debian packages the role installs.
    type: list
    elements: str
    default: []
  services:
    description: systemd services the role enables and starts.
    type: list
    elements: str
    default: []
  allow_untested_os:
    description: Go on, with a warning, on a system that is not supported (set C(roost_allow_untested_os)).
    type: bool
    default: false
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Check the host and look for the nginx package
  roost.wsgi.host_check:
    packages: [nginx]
    allow_untested_os: "{{ roost_allow_untested_os | default(false) }}"
  register: host

- name: Install nginx
  ansible.builtin.apt:
    name: nginx
  when: host.missing_packages | length > 0

- name: Start nginx and enable it, unless it is both already
  ansible.builtin.systemd_service:
    name: nginx
    state: started
    enabled: true
  when: "'nginx' not in host.services_up"
"""

RETURN = r"""
missing_packages:
  description: Those of O(packages) that are not installed.
  returned: success
  type: list
  elements: str
package_versions:
  description: The version dpkg has installed of each of O(packages) that is installed (as dpkg writes it).
  returned: success
  type: dict
  sample: {nginx: 1.22.1-9+deb12u2}
ipv6:
  description: Whether the kernel has IPv6 on (C(net.ipv6.conf.all.disable_ipv6) is 0).
  returned: success
  type: bool
services_up:
  description: Those of O(services) that systemd has enabled and running (none where there is no C(systemctl)).
  returned: success
  type: list
  elements: str
os:
  description: The system found.
  returned: always
  type: dict
  contains:
    id: {description: C(ID) of os-release., type: str, sample: debian}
    version_id: {description: C(VERSION_ID) of os-release., type: str, sample: "12"}
    name: {description: C(PRETTY_NAME) of os-release., type: str, sample: Debian GNU/Linux 12 (bookworm)}
    supported: {description: Whether roost.wsgi is tested on it., type: bool}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.roost.wsgi.plugins.module_utils.host_os import (check, installed_versions, ipv6_enabled,
                                                                         missing_packages, services_up)


def main():
    module = AnsibleModule(
        argument_spec={
            "packages": {"type": "list", "elements": "str", "default": []},
            "services": {"type": "list", "elements": "str", "default": []},
            "allow_untested_os": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    found = check(module, module.params["allow_untested_os"])
    packages = module.params["packages"]
    versions = installed_versions(module, packages)
    module.exit_json(changed=False, os=found, missing_packages=missing_packages(module, packages, versions),
                     package_versions=versions, services_up=services_up(module, module.params["services"]),
                     ipv6=ipv6_enabled(), ansible_facts={"roost_host_os": found})


if __name__ == "__main__":
    main()
