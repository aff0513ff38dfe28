"""Bad input is refused before anything on the host changes, with a message naming the variable.

Every case runs a real playbook against the converged host; all of them together must leave /etc
and /srv byte for byte as they were (perch's own data, which the running app writes, aside).
"""

import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import output, run_playbook

testinfra_hosts = ["ansible://roost-faults-debian12"]

SITE = {"name": "extra", "server_names": ["extra.example"], "uwsgi_socket": "/run/uwsgi/extra/uwsgi.sock"}
TLS_CERT = "/nonexistent/cert.pem"

# (case id, playbook, extra variables, text the message must contain)
CASES = [
    ("processes-not-a-number", "deploy", {"wsgi_app_processes": "many"}, "wsgi_app_processes"),
    ("processes-zero", "deploy", {"wsgi_app_processes": 0}, "wsgi_app_processes"),
    ("processes-too-many", "deploy", {"wsgi_app_processes": 5000}, "wsgi_app_processes"),
    ("threads-negative", "deploy", {"wsgi_app_threads": -1}, "wsgi_app_threads"),
    ("preload-the-app-itself", "deploy", {"wsgi_app_preload": ["flask", "perch.content"]}, "wsgi_app_preload"),
    ("preload-not-a-module", "deploy", {"wsgi_app_preload": ["flask; import os"]}, "wsgi_app_preload"),
    ("name-with-space", "deploy", {"wsgi_app_name": "my app"}, "wsgi_app_name"),
    ("name-with-shell", "deploy", {"wsgi_app_name": "perch;touch /tmp/owned"}, "wsgi_app_name"),
    ("name-with-dotdot", "deploy", {"wsgi_app_name": "../etc"}, "wsgi_app_name"),
    ("user-root", "deploy", {"wsgi_app_user": "root"}, "wsgi_app_user"),
    ("root-relative", "deploy", {"wsgi_app_root": "srv/perch"}, "wsgi_app_root"),
    ("root-dotdot", "deploy", {"wsgi_app_root": "/srv/../etc"}, "wsgi_app_root"),
    ("root-etc", "deploy", {"wsgi_app_root": "/etc"}, "wsgi_app_root"),
    ("root-under-usr", "deploy", {"wsgi_app_root": "/usr/local/perch"}, "wsgi_app_root"),
    ("root-slash", "deploy", {"wsgi_app_root": "/"}, "wsgi_app_root"),
    ("root-var-itself", "deploy", {"wsgi_app_root": "/var/"}, "wsgi_app_root"),
    ("env-name-with-space", "deploy", {"wsgi_app_env": {"API KEY": "x"}}, "wsgi_app_env"),
    ("env-value-with-newline", "deploy", {"wsgi_app_env": {"API_KEY": "line one\nline two"}}, "wsgi_app_env"),
    ("env-not-a-mapping", "deploy", {"wsgi_app_env": "API_KEY=x"}, "wsgi_app_env"),
    ("config-not-a-mapping", "deploy", {"wsgi_app_config": "DATABASE=/tmp/x"}, "wsgi_app_config"),
    ("migrate-command-a-string", "deploy", {"wsgi_app_migrate_command": "flask db upgrade"},
     "wsgi_app_migrate_command"),
    ("health-path-with-query", "deploy", {"wsgi_app_health_path": "/healthz?full=1"}, "wsgi_app_health_path"),
    ("nginx-health-path-with-space", "site", {"nginx_sites": [dict(SITE, health_path="/health z")]}, "nginx_sites"),
    ("uwsgi-run-dir-is-run", "site", {"uwsgi_run_dir": "/run"}, "uwsgi_run_dir"),
    ("uwsgi-config-dir-is-etc", "site", {"uwsgi_config_dir": "/etc/"}, "uwsgi_config_dir"),
    ("uwsgi-config-dir-under-proc", "site", {"uwsgi_config_dir": "/proc/uwsgi"}, "uwsgi_config_dir"),
    ("uwsgi-relative-environment-file", "site", {"uwsgi_apps": [{"name": "extra", "virtualenv": "/srv/x/venv",
                                                                 "module": "x:app", "user": "nobody",
                                                                 "environment_file": "shared/env.json"}]}, "uwsgi_apps"),
    ("server-name-not-a-hostname", "deploy", {"wsgi_app_server_names": ["not a host!"]}, "wsgi_app_server_names"),
    ("server-names-not-a-list", "deploy", {"wsgi_app_server_names": {"a": 1}}, "wsgi_app_server_names"),
    ("module-injection", "deploy", {"wsgi_app_module": "perch.wsgi:application; import os"}, "wsgi_app_module"),
    ("harakiri-not-below-read-timeout", "deploy", {"wsgi_app_harakiri": 60, "wsgi_app_read_timeout": 60},
     "wsgi_app_harakiri"),
    ("tls-unknown-source", "deploy", {"wsgi_app_tls": {"source": "magic"}}, "wsgi_app_tls"),
    ("tls-provided-without-key", "deploy", {"wsgi_app_tls": {"source": "provided", "certificate": TLS_CERT}},
     "wsgi_app_tls"),
    ("health-path-relative", "deploy", {"wsgi_app_health_path": "healthz"}, "wsgi_app_health_path"),
    ("static-path-escapes", "deploy", {"wsgi_app_static": [{"location": "/static/", "path": "../../../etc"}]},
     "wsgi_app_static"),
    ("keep-releases-one", "deploy", {"wsgi_app_keep_releases": 1}, "wsgi_app_keep_releases"),
    ("server-name-of-another-app", "deploy", {"wsgi_app_name": "other", "wsgi_app_server_names": ["localhost"]},
     "localhost"),
    ("rollback-to-a-path", "rollback", {"wsgi_app_rollback_to": "../../etc"}, "wsgi_app_rollback_to"),
    ("rollback-to-an-unknown-release", "rollback", {"wsgi_app_rollback_to": "0123456789ab"},
     "wsgi_app_rollback_to"),
    ("nginx-log-buffer-not-a-size", "site", {"nginx_access_log_buffer": "lots"}, "nginx_access_log_buffer"),
    ("nginx-port-out-of-range", "site", {"nginx_sites": [dict(SITE, listen=70000)]}, "nginx_sites"),
    ("nginx-unknown-state", "site", {"nginx_sites": [dict(SITE, state="maybe")]}, "state"),
    ("nginx-relative-socket", "site", {"nginx_sites": [dict(SITE, uwsgi_socket="run/extra.sock")]}, "nginx_sites"),
    ("nginx-two-sites-one-name", "site",
     {"nginx_sites": [SITE, dict(SITE, name="twin", uwsgi_socket="/run/uwsgi/twin/uwsgi.sock")]}, "extra.example"),
    ("nginx-two-sites-one-socket", "site",
     {"nginx_sites": [SITE, dict(SITE, name="twin", server_names=["twin.example"])]}, "uwsgi_socket"),
    ("uwsgi-processes-zero", "site", {"uwsgi_apps": [{"name": "extra", "virtualenv": "/srv/x/venv",
                                                      "module": "x:app", "user": "nobody", "processes": 0}]},
     "uwsgi_apps"),
    ("uwsgi-preload-a-string", "site", {"uwsgi_apps": [{"name": "extra", "virtualenv": "/srv/x/venv",
                                                        "module": "x:app", "user": "nobody", "preload": "flask"}]},
     "preload"),
]

# What a deploy owns: configuration and releases. Logs, caches and the app's own data change by
# themselves while the site serves.
CHECKSUM = (
    "cd / && PRUNE='-path srv/perch/shared/data -prune -o' && "
    "find etc srv -xdev $PRUNE -printf '%p %u:%g %m %l\\n' | sort | sha256sum && "
    "find etc srv -xdev $PRUNE -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum"
)


def run_case(case):
    name, playbook, variables, _expected = case
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix=f"{name}-", delete=False) as handle:
        json.dump(variables, handle)
    try:
        return run_playbook(playbook, "-e", f"@{handle.name}")
    finally:
        os.unlink(handle.name)


@pytest.fixture(scope="module")
def runs(host):
    before = host.check_output(CHECKSUM)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = dict(zip((case[0] for case in CASES), pool.map(run_case, CASES)))
    after = host.check_output(CHECKSUM)
    return results, before, after


def test_at_least_twenty_kinds_of_bad_input():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_refused_naming_the_variable(runs, case):
    results, _before, _after = runs
    name, _playbook, _variables, expected = case
    run = results[name]
    assert run.returncode != 0, f"{name}: the playbook accepted it\n" + output(run)[-2000:]
    text = output(run)
    assert expected in text, f"{name}: the message does not name {expected!r}:\n" + text[-3000:]
    assert "changed=0" in text or "PLAY RECAP" not in text, f"{name}: something changed\n" + text[-3000:]


def test_bad_input_left_etc_and_srv_byte_for_byte_unchanged(runs):
    _results, before, after = runs
    assert before == after


UBUNTU = 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n'


@pytest.fixture
def ubuntu(host):
    """The host says it is Ubuntu 24.04: /etc/os-release (a link to /usr/lib/os-release) replaced for the test."""
    host.run_expect([0], "cp -P /etc/os-release /etc/.os-release.roost-test")
    host.run_expect([0], f"printf '%s' '{UBUNTU}' > /tmp/os-release && mv -f /tmp/os-release /etc/os-release")
    yield
    host.run_expect([0], "mv -f /etc/.os-release.roost-test /etc/os-release")


def test_another_system_is_refused_by_each_playbook_naming_it_before_anything_changes(host, ubuntu):
    before = host.check_output(CHECKSUM)
    for playbook in ("site", "deploy"):
        run = run_playbook(playbook)
        text = output(run)
        assert run.returncode != 0, f"{playbook} ran on Ubuntu\n" + text[-2000:]
        assert ("this host runs Ubuntu 24.04.1 LTS (ID=ubuntu, VERSION_ID=24.04); roost.wsgi supports Debian 12 "
                "and 13 only") in text, text[-3000:]
        assert "roost_allow_untested_os: true" in text
    assert host.check_output(CHECKSUM) == before


def test_the_opt_in_goes_on_with_a_warning(host, ubuntu):
    run = run_playbook("site", "-e", "roost_allow_untested_os=true")
    text = output(run)
    assert run.returncode == 0, text[-3000:]
    assert "roost_allow_untested_os is true: this host runs Ubuntu 24.04.1 LTS" in text
    assert "changed=0" in text
