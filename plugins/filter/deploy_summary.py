# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: deploy_summary
short_description: What a deploy of one app did on one host, in a few lines a user reads instead of the recap
version_added: "0.1.0"
description:
  - From what roost.wsgi.wsgi_app's switch knows at its end, the lines it prints per host and app -
    the release now live and the one before it, the app's URLs, the health gate's answer, what changed
    (code, configuration, uWSGI ini, nginx site, programs, jobs) and the time the deploy took.
options:
  _input:
    description: The app's name.
    type: str
    required: true
  live:
    description: The release live now.
    type: str
    required: true
  before:
    description: The release that was live before this deploy, or an empty string.
    type: str
    default: ""
  urls:
    description: The app's URLs.
    type: list
    elements: str
    default: []
  health:
    description: The health gate's result (roost.wsgi.health), when the gate ran.
    type: dict
    default: {}
  changed:
    description: For each part the deploy may change (code, configuration, uwsgi, nginx, programs, jobs), whether it did.
    type: dict
    default: {}
  seconds:
    description: How long the deploy took.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Say what the deploy did
  ansible.builtin.debug:
    msg: >-
      {{ 'perch' | roost.wsgi.deploy_summary(live='3f2a9c41b7de', before='0a1b2c3d4e5f', urls=['https://example.org/'],
         health=__health, changed={'code': true, 'nginx': false}, seconds=38) }}
"""

RETURN = r"""
_value:
  description: The lines.
  type: list
  elements: str
"""

# The parts, as the summary names them, in the order a deploy changes them.
PARTS = {"code": "code", "configuration": "configuration", "uwsgi": "uWSGI ini", "nginx": "nginx site",
         "programs": "programs", "jobs": "jobs"}


def deploy_summary(app, live, before="", urls=(), health=None, changed=None, seconds=0):
    health, changed = health or {}, changed or {}
    release = f"release {live} live" + (f" (before it {before})" if before and before != live else "")
    lines = [f"{app}: {release}, deployed in {int(seconds)} s"]
    if urls:
        lines.append("  at       " + " ".join(urls))
    if health.get("status"):
        answer = f"{health['status']}" + (f" from {health['release']}" if health.get("release") else "")
        lines.append(f"  health   {answer} after {float(health.get('elapsed', 0)):.1f} s")
    else:
        lines.append("  health   not asked: nothing went live")
    parts = [label for key, label in PARTS.items() if changed.get(key)]
    lines.append("  changed  " + (", ".join(parts) if parts else "nothing"))
    return lines


class FilterModule:
    def filters(self):
        return {"deploy_summary": deploy_summary}
