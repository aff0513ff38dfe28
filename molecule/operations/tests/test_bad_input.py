"""Bad input is refused before anything on the host changes, with a message naming the variable.

Every case runs a real playbook against the converged host; all of them together must leave /etc
and /srv byte for byte as they were (perch's own data, which the running app writes, aside). These are
the cases a host is needed for; tests/test_bad_input.py has the rest, refused before any host is reached.
"""

import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import output, run_playbook

testinfra_hosts = ["ansible://roost-operations-debian12"]

# The cases that need the host; those that do not are tests/test_bad_input.py's, which proves they are
# refused before the host is reached at all. (case id, playbook, extra variables, text the message must contain)
CASES = [
    ("server-name-of-another-app", "deploy", {"wsgi_app_name": "other", "wsgi_app_server_names": ["localhost"],
                                              "wsgi_app_sqlite_database": "/srv/other/shared/data/other.sqlite"},
     "localhost"),
    ("job-schedule-systemd-cannot-read", "deploy",
     {"wsgi_app_jobs": [{"name": "tick", "schedule": "every full moon", "command": ["true"]}]}, "wsgi_app_jobs"),
    ("rollback-to-a-path", "rollback", {"wsgi_app_rollback_to": "../../etc"}, "wsgi_app_rollback_to"),
    ("rollback-to-an-unknown-release", "rollback", {"wsgi_app_rollback_to": "0123456789ab"},
     "wsgi_app_rollback_to"),
    ("uwsgi-processes-not-a-number", "site", {"uwsgi_processes": "many"}, "uwsgi_processes"),
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
