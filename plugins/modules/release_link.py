#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: release_link
short_description: Point an app's current at one of its releases, and record the switch
version_added: "0.1.0"
description:
  - Points C(<root>/current) at C(releases/<release>) by renaming a new symbolic link over the old one,
    so C(current) is never missing, not even for an instant, and appends a line to C(<root>/history.log)
    (the time in UTC and the release), which the rollback and the cleanup read.
  - Does nothing when C(current) already names the release.
  - Fails, changing nothing, when the release is not an installed release directory.
  - Supports check mode (reports whether it would switch).
options:
  root:
    description: The app's root (C(releases/), C(current), C(history.log)).
    type: path
    required: true
  release:
    description: The release id, a directory under C(<root>/releases/).
    type: str
    required: true
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Point current at release 0123456789ab
  roost.wsgi.release_link:
    root: /srv/perch
    release: 0123456789ab
"""

RETURN = r"""
previous:
  description: The release C(current) named before, empty when there was none.
  returned: success
  type: str
"""

import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.roost.wsgi.plugins.module_utils.releases import installed, link, live_release


def main():
    module = AnsibleModule(
        argument_spec={"root": {"type": "path", "required": True}, "release": {"type": "str", "required": True}},
        supports_check_mode=True,
    )
    root, release = module.params["root"], module.params["release"]
    if not re.fullmatch(r"[0-9a-f]{12}", release):
        module.fail_json(msg=f"release must be a release id of 12 hex digits; got {release!r}")
    before = live_release(root)
    if before == release:
        module.exit_json(changed=False, previous=before)
    if not installed(root, release):
        module.fail_json(msg=f"{root}/releases/{release} is not an installed release: current was left as it was")
    if not module.check_mode:
        try:
            link(root, release)
        except (OSError, ValueError) as error:
            module.fail_json(msg=f"current could not be pointed at {release}: {error}")
    module.exit_json(changed=True, previous=before)


if __name__ == "__main__":
    main()
