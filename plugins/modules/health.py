#!/usr/bin/python
# Copyright: roost.wsgi developers
# MIT License (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: health
short_description: Wait until an app's health path answers 200 through nginx, as a visitor reaches it
version_added: "0.1.0"
description:
  - GETs O(path) from nginx on the host's loopback, over HTTPS with O(server_name) as SNI and Host, or
    over HTTP with it as Host, until the answer is 200, comes from the app (never from nginx's cache,
    per C(X-Cache-Status)) and, with O(release_header) and O(release) set, names that release. It
    asks again every O(interval) seconds and fails once O(timeout) seconds have passed, saying what
    the last answer was.
  - This is the health gate of a deploy; it changes nothing and runs in check mode too.
options:
  path:
    description: The health path, such as C(/healthz).
    type: str
    required: true
  server_name:
    description: The site's name, sent as Host (and SNI over HTTPS).
    type: str
    required: true
  scheme:
    description: How nginx serves the site.
    type: str
    choices: [http, https]
    default: http
  port:
    description: nginx's port; defaults to 80 for http and 443 for https.
    type: int
  release_header:
    description: The response header in which the app names the release that answered; empty for none.
    type: str
    default: ""
  release:
    description: The release that must answer, when O(release_header) is set.
    type: str
    default: ""
  timeout:
    description: Seconds to wait for a healthy answer.
    type: float
    default: 30
  interval:
    description: Seconds between two requests.
    type: float
    default: 0.25
  program:
    description:
      - The supervisord program that runs the app's uWSGI. While the answer is not yet healthy, its
        state is read about once a second; when its process has exited (C(BACKOFF), C(FATAL),
        C(EXITED)) or was started again (another pid), the release crashed, and the gate fails at once
        instead of waiting out O(timeout).
    type: str
    default: ""
author:
  - roost.wsgi developers (@roost-wsgi)
"""

EXAMPLES = r"""
- name: Wait for the new release to answer its health path through nginx
  roost.wsgi.health:
    path: /healthz
    server_name: example.org
    scheme: https
    release_header: X-Perch-Release
    release: 0123456789ab
    timeout: 30
"""

RETURN = r"""
status:
  description: The last answer's HTTP status; 0 when nothing answered.
  returned: always
  type: int
release:
  description: The last answer's O(release_header), or an empty string.
  returned: always
  type: str
cache:
  description: The last answer's C(X-Cache-Status) (nginx's cache), or an empty string.
  returned: always
  type: str
error:
  description: Why nothing answered the last request, or an empty string.
  returned: always
  type: str
attempts:
  description: Requests made.
  returned: always
  type: int
elapsed:
  description: Seconds until the healthy answer (or until the module gave up).
  returned: always
  type: float
crashed:
  description: How O(program) was seen to crash, or an empty string.
  returned: always
  type: str
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.roost.wsgi.plugins.module_utils.through_nginx import FROM_THE_APP, ask, healthy


def describe(answer, params, within=None):
    """What went wrong, as the failure message says it; within: how long it waited, if not the timeout."""
    said = answer["status"] or answer["error"]
    text = f"{params['path']} through nginx answered {said}"
    if answer["cache"] not in FROM_THE_APP:
        text += f" from its cache ({answer['cache']}), not from the app,"
    if params["release_header"]:
        text += f" with {params['release_header']} {answer['release'] or '(none)'}"
    text += (f" within {params['timeout']:g}s" if within is None else f" after {within:g}s") + "; expected 200"
    if params["release_header"] and params["release"]:
        text += f" from release {params['release']}"
    return text


# supervisord's states of a program whose process has exited.
EXITED = ("BACKOFF", "FATAL", "EXITED")
PROGRAM_EVERY = 1.0


def program_state(module, name):
    """supervisord's state of a program and its pid ("" unless RUNNING), as `supervisorctl status`
    prints them ("perch  RUNNING  pid 812, uptime 0:01:02"); ("", "") when it cannot say."""
    # supervisorctl exits 3 for a program that is not running: that is an answer too.
    return parse_state(module.run_command(["supervisorctl", "status", name])[1], name)


def parse_state(said, name):
    words = said.replace(",", " ").split()
    if len(words) < 2 or words[0] != name:
        return "", ""
    pid = words[3] if words[1] == "RUNNING" and len(words) > 3 and words[2] == "pid" else ""
    return words[1], pid


def crash(name, first, now):
    """How the program crashed between two readings of its state, or ""."""
    state, pid = now
    if state in EXITED:
        return f"supervisord reports {name} {state}: its process exited"
    if first[1] and pid and pid != first[1]:
        return f"{name} was started again (pid {first[1]}, now {pid}): its process exited"
    return ""


def wait(params, clock=time.monotonic, sleep=time.sleep, state=None):
    port = params["port"] or (443 if params["scheme"] == "https" else 80)
    started = clock()
    attempts = 0
    program, first, checked = params["program"], None, None
    while True:
        attempts += 1
        answer = ask(params["scheme"], port, params["server_name"], params["path"], params["release_header"])
        elapsed = clock() - started
        ok, crashed = healthy(answer, params["release_header"], params["release"]), ""
        if program and not ok and (checked is None or clock() - checked >= PROGRAM_EVERY):
            checked = clock()
            now = state(program)
            first = first or now
            crashed = crash(program, first, now)
        if ok or crashed or elapsed + params["interval"] > params["timeout"]:
            return dict(answer, attempts=attempts, elapsed=round(elapsed, 3), crashed=crashed)
        sleep(params["interval"])


def main():
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "str", "required": True},
            "server_name": {"type": "str", "required": True},
            "scheme": {"type": "str", "choices": ["http", "https"], "default": "http"},
            "port": {"type": "int"},
            "release_header": {"type": "str", "default": ""},
            "release": {"type": "str", "default": ""},
            "timeout": {"type": "float", "default": 30},
            "interval": {"type": "float", "default": 0.25},
            "program": {"type": "str", "default": ""},
        },
        supports_check_mode=True,
    )
    params = module.params
    if not params["path"].startswith("/"):
        module.fail_json(msg=f"path must start with '/'; got {params['path']!r}")
    if params["timeout"] <= 0 or params["interval"] <= 0:
        module.fail_json(msg="timeout and interval must be positive")
    result = wait(params, state=lambda name: program_state(module, name))
    if result["crashed"]:
        module.fail_json(msg=f"the app crashed while the gate waited ({result['crashed']}); "
                             f"{describe(result, params, within=result['elapsed'])}", **result)
    if not healthy(result, params["release_header"], params["release"]):
        module.fail_json(msg=describe(result, params), **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
