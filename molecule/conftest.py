"""Helpers shared by every scenario's testinfra tests.

They run on the converged host through testinfra's connection, so they need nothing but the
host's own python3: a test host is never given tools only the tests need.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import time

import pytest

_FETCH = r"""
import http.client, json, socket, ssl, sys, time
url_scheme, port, path, host_header = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
started = time.monotonic()
if url_scheme == "https":
    # To 127.0.0.1, but with the site's name as SNI; any certificate is accepted here (tests about
    # certificates check them with openssl).
    context = ssl._create_unverified_context()
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    connection.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                                          server_hostname=host_header.split(":")[0])
else:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
connection.request("GET", path, headers={"Host": host_header})
response = connection.getresponse()
body = response.read().decode("utf-8", "replace")
print(json.dumps({"status": response.status, "headers": dict(response.getheaders()),
                  "header_list": response.getheaders(), "body": body, "elapsed": time.monotonic() - started}))
"""


# Runs on a host: speaks the uwsgi protocol (a GET / packet) to HOST PORT, or to a unix socket PATH,
# and prints what came back.
UWSGI_PROBE = r"""
import socket, struct, sys
def var(key, value):
    key, value = key.encode(), value.encode()
    return struct.pack("<H", len(key)) + key + struct.pack("<H", len(value)) + value
body = b"".join(var(k, v) for k, v in {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "REQUEST_URI": "/",
    "QUERY_STRING": "", "SERVER_NAME": "localhost", "SERVER_PORT": "80", "HTTP_HOST": "localhost",
    "SERVER_PROTOCOL": "HTTP/1.1"}.items())
try:
    if sys.argv[1].startswith("/"):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(3)
        s.connect(sys.argv[1])
    else:
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
    s.sendall(struct.pack("<BHB", 0, len(body), 0) + body)
    print(s.recv(4096).decode("latin-1"))
except OSError as error:
    print("ERROR", error)
"""


class Response:
    def __init__(self, status, headers, body, header_list=(), elapsed=0.0):
        self.status = status
        # Seconds from connecting to the last byte of the body, measured on the host itself.
        self.elapsed = elapsed
        self.headers = {key.lower(): value for key, value in headers.items()}
        # Every header line as sent, repeats included.
        self.header_list = [tuple(pair) for pair in header_list]
        self.body = body

    def json(self):
        return json.loads(self.body)


def http_get(host, path, host_header="localhost", port=None, scheme="http"):
    """GET path from the host's own loopback, from the host; redirects are not followed."""
    port = port or (443 if scheme == "https" else 80)
    out = host.check_output("python3 -c %s %s %s %s %s", _FETCH, scheme, str(port), path, host_header)
    return Response(**json.loads(out))


@pytest.fixture
def http(host):
    """http(path, host_header="localhost", port=80) -> Response, on the host under test."""
    return lambda path, **kwargs: http_get(host, path, **kwargs)


@pytest.fixture(scope="module")
def all_hosts():
    """Every host of the scenario, for tests that change them all at once and then check each."""
    import testinfra

    return testinfra.get_hosts(["ansible://all"], ansible_inventory=os.environ["MOLECULE_INVENTORY_FILE"])


def supervisord_pid(host):
    return int(host.check_output("cat /run/supervisord.pid"))


def supervised_pid(host, program, wait=20):
    """PID of a RUNNING supervisord program (waiting out STARTING), or fail with supervisorctl's words."""
    for _attempt in range(wait * 2):
        status = host.run("supervisorctl status %s", program).stdout
        match = re.search(r"RUNNING\s+pid (\d+)", status)
        if match or "STARTING" not in status:
            break
        time.sleep(0.5)
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


def wait_until(predicate, timeout, what):
    """Seconds it took predicate() to become true; fails after timeout."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.2)
    return round(time.monotonic() - started, 2)


def write_figures(scenario, figures):
    """Save a scenario's measured figures to .roost/reports/<scenario>.json."""
    path = os.path.join(PROJECT_DIR, ".roost", "reports", f"{scenario}.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        json.dump(figures, handle, indent=2, sort_keys=True)


# --- Driving deploys from the tests -------------------------------------------------------------
# The lifecycle tests run the collection's own playbooks against the scenario's hosts, exactly as a
# user runs them, with the inventory and ansible.cfg Molecule made for the scenario.

PROJECT_DIR = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.path.dirname(os.path.dirname(__file__)))

# Each variant of perch is the sample app with a new version (so a new release) and, for the bad
# ones, one deliberate fault. Every edit must find its text: a variant never silently stops breaking.
PERCH_VARIANTS = {
    "v2": {},
    "broken_import": {
        "perch/wsgi.py": [("application = create_app()",
                           "raise RuntimeError('this release is broken on purpose')\napplication = create_app()")],
    },
    "unhealthy": {
        "perch/health.py": [('return jsonify(status="ok", **body)', 'return jsonify(status="error", **body), 503')],
    },
    # Loads in plain Python (the preflight passes) but not under uWSGI: crashes at every start.
    "crash_at_start": {
        "perch/wsgi.py": [("application = create_app()",
                           "try:\n    import uwsgi  # noqa: F401\nexcept ImportError:\n    pass\nelse:\n"
                           "    raise RuntimeError('this release crashes under uWSGI on purpose')\n"
                           "application = create_app()")],
    },
    # Code as v2, with an older markdown: a library uWSGI's master preloads (wsgi_app_preload).
    "older_markdown": {
        "requirements.lock": [(
            ("markdown==3.11.3 \\\n"
             "    --hash=sha256:81eb91631dc97ad1efbc76019ef0f80fe90ca49ddf81546752d79989c3bfff3e \\\n"
             "    --hash=sha256:e1a31a112232504d753e5c01bb8c2de90d3f0ba986b063e10770cf7695b09e73\n"),
            ("markdown==3.10 \\\n"
             "    --hash=sha256:37062d4f2aa4b2b6b32aefb80faa300f82cc790cb949a35b8caede34f2b68c0e \\\n"
             "    --hash=sha256:b5b99d6951e2e4948d939255596523444c0e677c669700b1d17aa4a8a464cb7c\n"))],
    },
    "broken_migration": {
        "perch/db.py": [("    engine = app.extensions[\"perch.engine\"]\n",
                         "    engine = app.extensions[\"perch.engine\"]\n"
                         "    with engine.begin() as connection:\n"
                         "        connection.exec_driver_sql('CREATE TABLE half_done (x)')\n"
                         "    raise RuntimeError('this migration fails on purpose')\n")],
    },
    # A good release, deployed by a run that is killed half way, then by the same run again.
    "interrupted": {},
}


def build_perch_variants(root):
    """Copy sample_app once per variant under root; return {name: path}, with "v1" the original."""
    source = os.path.join(PROJECT_DIR, "sample_app")
    paths = {"v1": source}
    for number, (name, edits) in enumerate(PERCH_VARIANTS.items(), start=2):
        target = os.path.join(root, name)
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", ".pytest_cache"))
        edits = {"pyproject.toml": [('version = "0.1.0"', f'version = "0.{number}.0"')], **edits}
        for relative, replacements in edits.items():
            path = os.path.join(target, relative)
            with open(path) as handle:
                text = handle.read()
            for old, new in replacements:
                assert old in text, f"perch variant {name}: {relative} no longer contains {old!r}"
                text = text.replace(old, new)
            with open(path, "w") as handle:
                handle.write(text)
        paths[name] = target
    return paths


def run_playbook(name, *args, abort_at=""):
    """Run the collection's playbook roost.wsgi.<name> against the scenario's hosts.

    abort_at: kill ansible-playbook (SIGKILL) right after the first task whose name contains it
    (molecule/shared/callback_plugins/abort_at.py); its return code is then -9.
    """
    command = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], f"roost.wsgi.{name}", *args]
    # Plain, unfolded output, so the tests can read the recap and the error messages.
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_CALLBACK_RESULT_FORMAT": "json"}
    if abort_at:
        env.update(ROOST_TEST_ABORT_AT=abort_at, ANSIBLE_CALLBACKS_ENABLED="abort_at",
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                         "shared", "callback_plugins"))
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, env=env)


def output(run):
    """Everything a playbook printed (failures go to stderr), with line wrapping undone."""
    return " ".join((run.stdout + run.stderr).split())


class Load:
    """A bounded load loop on a host's own loopback (molecule/shared/loadgen.py), started and stopped
    around whatever a test does to the host; stop() returns its JSON summary."""

    SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shared", "loadgen.py")
    OUT, STOP = "/tmp/loadgen.json", "/tmp/loadgen.stop"

    def __init__(self, host, concurrency=4, rate=200, seconds=120, max_requests=50000):
        self.host = host
        self.arguments = (f"--concurrency {concurrency} --rate {rate} --seconds {seconds} "
                          f"--max-requests {max_requests}")

    def start(self):
        self.install()
        self.host.run(f"rm -f {self.OUT} {self.STOP}")
        self.host.run(f"setsid nohup /usr/bin/python3 /tmp/loadgen.py --out {self.OUT} --stop {self.STOP} "
                      f"{self.arguments} </dev/null >/tmp/loadgen.log 2>&1 &")
        return self

    def install(self):
        """Put loadgen.py on the host unless it has this very one: a command or two, where an Ansible copy
        took a run of the ansible CLI (about 2.5 s of CPU) each time a load started."""
        with open(self.SCRIPT, "rb") as handle:
            script = handle.read()
        digest = hashlib.sha256(script).hexdigest()
        if self.host.run(f"echo '{digest}  /tmp/loadgen.py' | sha256sum --check --status").rc == 0:
            return
        encoded = base64.b64encode(script).decode()
        self.host.run_expect([0], f"echo {encoded} | base64 -d > /tmp/loadgen.py.new && chmod 0644 /tmp/loadgen.py.new "
                                  "&& mv /tmp/loadgen.py.new /tmp/loadgen.py")

    def stop(self):
        self.host.run(f"touch {self.STOP}")
        for _attempt in range(60):
            if self.host.file(self.OUT).exists:
                break
            time.sleep(0.5)
        return json.loads(self.host.check_output(f"cat {self.OUT}"))

    def around(self, action, *args):
        """Run action(*args) under the loop, started 2 s before it and stopped 2 s after it ended:
        (what action returned, the loop's result)."""
        self.start()
        time.sleep(2)
        returned = action(*args)
        time.sleep(2)
        return returned, self.stop()

    @staticmethod
    def summary(result):
        return {key: value for key, value in result.items() if key != "timeline"}


def converge(*args):
    """Run the scenario's own converge playbook again, with further ansible-playbook arguments."""
    playbook = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")
    command = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], playbook, *args]
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_CALLBACK_RESULT_FORMAT": "json"}
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, env=env)


def task_results(run, task):
    """[(status, host)] of every result of the task named (in part) task, in a playbook's output."""
    results = []
    for section in run.stdout.split("TASK [")[1:]:
        header, _newline, body = section.partition("\n")
        if task in header:
            results += re.findall(r"^(ok|changed|failed|fatal|skipping): \[([^\]]+)\]", body, re.MULTILINE)
    return results


def recap_changes(output):
    """{host: changed count} from a playbook's PLAY RECAP."""
    changes = {}
    for match in re.finditer(r"^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)", output, re.MULTILINE):
        changes[match.group(1)] = int(match.group(2))
    return changes


@pytest.fixture(scope="session")
def perch_variants(tmp_path_factory):
    return build_perch_variants(str(tmp_path_factory.mktemp("perch-variants")))


def live_release(host, app="perch"):
    return host.check_output(f"readlink /srv/{app}/current").rsplit("/", 1)[-1]


def history(host, app="perch"):
    return [line.split()[-1] for line in host.check_output(f"cat /srv/{app}/history.log").splitlines() if line]


def releases(host, app="perch"):
    return set(host.check_output(f"ls /srv/{app}/releases").split())
