"""roost.wsgi.health, run by ansible on this controller against a real HTTP server on the loopback."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ansible_collections.roost.wsgi.plugins.modules import health
from conftest import run_module


class App:
    """What the server answers: a list of (status, headers) replies, the last one repeated."""

    def __init__(self, *replies):
        self.replies, self.seen = list(replies), []


@pytest.fixture
def serve():
    servers = []

    def start(app):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                app.seen.append((self.path, self.headers["Host"]))
                status, headers = app.replies[min(len(app.seen), len(app.replies)) - 1]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()


def gate(port, **args):
    return run_module("health", {"path": "/healthz", "server_name": "perch.test", "port": port,
                                 "timeout": 5, "interval": 0.05, **args})


@pytest.mark.every_core
def test_it_waits_for_the_new_release_to_answer(serve):
    app = App((502, {}), (200, {"X-Release": "old"}), (200, {"X-Release": "new"}))
    done = gate(serve(app), release_header="X-Release", release="new")
    assert not done.get("failed"), done.get("msg")
    assert (done["status"], done["release"], done["attempts"], done["changed"]) == (200, "new", 3, False)
    assert app.seen[0] == ("/healthz", "perch.test")


def test_an_answer_from_nginx_cache_never_counts(serve):
    app = App((200, {"X-Cache-Status": "STALE"}))
    done = gate(serve(app), timeout=0.5)
    assert done["failed"] and done["cache"] == "STALE"
    assert done["msg"].startswith("/healthz through nginx answered 200 from its cache (STALE), not from the app,")


def test_a_miss_or_a_bypass_is_the_app_itself(serve):
    for status in ("MISS", "BYPASS", "EXPIRED"):
        assert not gate(serve(App((200, {"X-Cache-Status": status}))), timeout=1).get("failed"), status


def test_a_release_that_never_answers_fails_naming_what_answered(serve):
    done = gate(serve(App((503, {"X-Release": "old"}))), release_header="X-Release", release="new", timeout=0.5)
    assert done["failed"] and done["status"] == 503 and done["attempts"] > 1
    assert done["msg"] == ("/healthz through nginx answered 503 with X-Release old within 0.5s; "
                           "expected 200 from release new")


def test_nothing_listening_is_status_0_with_the_error():
    with socket.socket() as probe:  # a port just free: bound, then closed without listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = gate(port, timeout=0.3)
    assert done["failed"] and done["status"] == 0 and done["error"]
    assert "Connection refused" in done["msg"] or "refused" in done["error"]


@pytest.mark.every_core
def test_bad_arguments_are_refused():
    assert gate(80, path="healthz")["msg"] == "path must start with '/'; got 'healthz'"
    assert gate(80, timeout=0)["msg"] == "timeout and interval must be positive"


@pytest.mark.parametrize("said, state", [
    ("perch                            RUNNING   pid 812, uptime 0:01:02\n", ("RUNNING", "812")),
    ("perch                            BACKOFF   Exited too quickly (process log may have details)\n", ("BACKOFF", "")),
    ("perch                            STARTING  \n", ("STARTING", "")),
    ("perch: ERROR (no such process)\n", ("", "")),
    ("unix:///run/supervisor.sock no such file\n", ("", "")),
    ("", ("", "")),
])
def test_supervisorctl_status_is_read(said, state):
    assert health.parse_state(said, "perch") == state


def test_a_crashed_program_ends_the_wait_at_once(serve):
    app = App((200, {"X-Release": "old"}))
    states = iter([("RUNNING", "812"), ("RUNNING", "812"), ("STARTING", ""), ("BACKOFF", "")])
    clock = iter(range(0, 1000, 2))  # two seconds a step: supervisord is read at every poll
    params = {"port": serve(app), "scheme": "http", "server_name": "perch.test", "path": "/healthz",
              "release_header": "X-Release", "release": "new", "timeout": 600, "interval": 0.01, "program": "perch"}
    done = health.wait(params, clock=lambda: next(clock), sleep=lambda _: None, state=lambda _: next(states))
    assert done["crashed"] == "supervisord reports perch BACKOFF: its process exited"
    assert done["attempts"] == 4 and done["release"] == "old"

    # Restarted between two readings: crashed too, even if it looks RUNNING again.
    states = iter([("RUNNING", "812"), ("RUNNING", "901")])
    clock = iter(range(0, 1000, 2))
    done = health.wait(params, clock=lambda: next(clock), sleep=lambda _: None, state=lambda _: next(states))
    assert done["crashed"].startswith("perch was started again (pid 812, now 901)")

    # Healthy at once: supervisord is never asked.
    params["release"] = "old"
    done = health.wait(params, state=lambda _: pytest.fail("asked supervisord"))
    assert done["crashed"] == "" and done["attempts"] == 1
