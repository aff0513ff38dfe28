"""Helpers shared by every scenario's testinfra tests.

They run on the converged host through testinfra's connection, so they need nothing but the
host's own python3: a test host is never given tools only the tests need.
"""

import json
import re

import pytest

_FETCH = r"""
import json, sys, urllib.error, urllib.request
url, host_header = sys.argv[1], sys.argv[2]
request = urllib.request.Request(url, headers={"Host": host_header})
try:
    response = urllib.request.urlopen(request, timeout=10)
except urllib.error.HTTPError as error:
    response = error
print(json.dumps({"status": response.status, "headers": dict(response.headers.items()),
                  "body": response.read().decode("utf-8", "replace")}))
"""


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {key.lower(): value for key, value in headers.items()}
        self.body = body

    def json(self):
        return json.loads(self.body)


@pytest.fixture
def http(host):
    """GET a URL on the host's loopback: http(path, host_header="localhost", port=80) -> Response."""

    def get(path, host_header="localhost", port=80, scheme="http"):
        url = f"{scheme}://127.0.0.1:{port}{path}"
        out = host.check_output("python3 -c %s %s %s", _FETCH, url, host_header)
        return Response(**json.loads(out))

    return get


def supervised_pid(host, program):
    """PID of a RUNNING supervisord program, or fail with supervisorctl's own words."""
    status = host.run("supervisorctl status %s", program).stdout
    match = re.search(r"RUNNING\s+pid (\d+)", status)
    assert match, f"{program} is not RUNNING under supervisord: {status!r}"
    return int(match.group(1))


def process_tree(host, pid):
    """PIDs of a process and all its descendants."""
    pids, frontier = {pid}, [pid]
    while frontier:
        children = host.process.filter(ppid=frontier.pop())
        for child in children:
            pids.add(child.pid)
            frontier.append(child.pid)
    return pids
