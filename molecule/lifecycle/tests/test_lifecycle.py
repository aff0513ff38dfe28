"""The release lifecycle, in order: each test starts from the state the one before it left.

converge deployed perch v1. Then: deploy v2; deploy v2 again (no change); roll back to v1 and
forward to v2 by name; then three bad releases, each of which must leave v2 serving: one whose app
does not load, one that loads but fails its health check, one whose migration fails.

Each test runs a playbook once against every host and then checks every host, so the steps keep
their order (tests parametrized by host would run all of one host's steps first).
"""

import json
import time

import pytest
from conftest import (Load, history, http_get, live_release, output, recap_changes, releases, run_playbook,
                      write_figures)

# What each host had at each step, by inventory name.
SEEN = {}

COUNT_ENTRIES = (
    "sudo -u perch /usr/bin/python3 -c \"import sqlite3; "
    "db = sqlite3.connect('/srv/perch/shared/data/perch.sqlite'); "
    "print(db.execute('SELECT count(*) FROM entry').fetchone()[0], "
    "db.execute(\\\"SELECT count(*) FROM sqlite_master WHERE name = 'half_done'\\\").fetchone()[0])\"")


def name(host):
    return host.backend.host


def answering(host):
    response = http_get(host, "/healthz")
    return response.status, response.headers.get("x-perch-release"), response.json().get("version")


def assert_succeeded(run):
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def assert_failed_saying(run, *phrases):
    assert run.returncode != 0, "the deploy should have failed:\n" + run.stdout[-3000:]
    for phrase in phrases:
        assert phrase in output(run), f"{phrase!r} not in the output:\n" + output(run)[-4000:]


def deploy_failing(all_hosts, project, *phrases, batch=1):
    """Deploy a bad release; check the play failed saying phrases; return {host: its new releases}.
    A release that answers 503 fails its gate once the timeout has passed: 15 s here, not the default 30
    (the rollback to the release before gets as long)."""
    before = {name(host): releases(host) for host in all_hosts}
    run = run_playbook("deploy", "-e", f"wsgi_app_project={project}", "-e", f"wsgi_app_serial={batch}",
                       "-e", "wsgi_app_health_timeout=15")
    assert_failed_saying(run, *phrases)
    return run, {name(host): releases(host) - before[name(host)] for host in all_hosts}


def host_file(host, path):
    return host.file(path).content_string


def assert_serving(host, release, version):
    assert live_release(host) == release
    assert answering(host) == (200, release, version)


@pytest.fixture(scope="module")
def v1(all_hosts):
    """The release converge put live on each host."""
    return {name(host): live_release(host) for host in all_hosts}


def test_v1_is_live_and_recorded(all_hosts, v1):
    for host in all_hosts:
        assert_serving(host, v1[name(host)], "0.1.0")
        assert history(host) == [v1[name(host)]]


def test_deploy_v2_makes_a_new_release_and_keeps_v1(all_hosts, v1, perch_variants):
    assert_succeeded(run_playbook("deploy", "-e", f"wsgi_app_project={perch_variants['v2']}"))
    for host in all_hosts:
        v2 = SEEN.setdefault("v2", {})[name(host)] = live_release(host)
        assert v2 != v1[name(host)]
        assert_serving(host, v2, "0.2.0")
        assert history(host) == [v1[name(host)], v2]
        assert {v1[name(host)], v2} <= releases(host)


def test_redeploying_the_same_code_changes_nothing(all_hosts, perch_variants):
    run = run_playbook("deploy", "-e", f"wsgi_app_project={perch_variants['v2']}")
    assert_succeeded(run)
    for host in all_hosts:
        assert recap_changes(run.stdout).get(name(host)) == 0, run.stdout[-3000:]
        assert history(host)[-1] == SEEN["v2"][name(host)]


def test_rollback_goes_to_the_previous_release(all_hosts, v1):
    assert_succeeded(run_playbook("rollback"))
    for host in all_hosts:
        assert_serving(host, v1[name(host)], "0.1.0")
        assert SEEN["v2"][name(host)] in releases(host)  # kept, to go forward again


def test_rollback_to_a_named_release(all_hosts):
    for host in all_hosts:  # release ids differ per host: each has its own Python
        v2 = SEEN["v2"][name(host)]
        assert_succeeded(run_playbook("rollback", "--limit", name(host), "-e", f"wsgi_app_rollback_to={v2}"))
        assert_serving(host, v2, "0.2.0")


def test_rollback_refuses_what_is_not_a_release_id(all_hosts):
    assert_failed_saying(run_playbook("rollback", "-e", "wsgi_app_rollback_to=../../etc"), "12 hex digits")
    for host in all_hosts:
        assert_serving(host, SEEN["v2"][name(host)], "0.2.0")


def test_a_release_whose_app_does_not_load_is_never_switched_to(all_hosts, perch_variants):
    run, new = deploy_failing(all_hosts, perch_variants["broken_import"], "does not load", "broken on purpose")
    for host in all_hosts:
        v2 = SEEN["v2"][name(host)]
        assert f"{v2} still serves" in output(run)
        assert_serving(host, v2, "0.2.0")
        assert history(host)[-1] == v2
        assert len(new[name(host)]) == 1  # the bad release is kept for inspection


def test_an_unhealthy_release_is_rolled_back(all_hosts, perch_variants):
    # Every host in one batch, so that each meets the bad release (with batches of one, the first host's
    # failure would stop the rollout before the second: the scale_out scenario tests that).
    run, new = deploy_failing(all_hosts, perch_variants["unhealthy"], "failed its health gate", "answered 503",
                              batch=len(all_hosts))
    for host in all_hosts:
        v2 = SEEN["v2"][name(host)]
        (bad,) = new[name(host)]
        assert f"Rolled back: {v2} serves again" in output(run)
        assert_serving(host, v2, "0.2.0")
        assert history(host)[-2:] == [bad, v2]  # it went live, failed its gate, and v2 came back


def test_a_failed_migration_restores_the_database(all_hosts, perch_variants):
    entries = {name(host): host.check_output(COUNT_ENTRIES).split() for host in all_hosts}
    assert all(half_done == "0" for _count, half_done in entries.values())
    run, _figures = deploy_failing(all_hosts, perch_variants["broken_migration"], "migration failed",
                                   "The database was restored")
    for host in all_hosts:
        assert f"{SEEN['v2'][name(host)]} still serves" in output(run)
        # The half-done migration created a table before failing; the restore took it away again.
        assert host.check_output(COUNT_ENTRIES).split() == [entries[name(host)][0], "0"]
        assert_serving(host, SEEN["v2"][name(host)], "0.2.0")


def test_a_deploy_killed_right_after_the_switch_is_finished_by_the_next_run(all_hosts, perch_variants):
    # v2 serves everywhere. The deploy of a good release is killed with SIGKILL just after the first
    # host's `current` moved, before uWSGI loaded it: the next identical run must finish that switch.
    first, *others = all_hosts
    before = {name(host): releases(host) for host in all_hosts}
    loads = {name(host): Load(host, seconds=300, max_requests=60000).start() for host in all_hosts}
    time.sleep(2)
    project = ["-e", f"wsgi_app_project={perch_variants['interrupted']}"]
    killed = run_playbook("deploy", *project, abort_at="golive | Point current at release")
    assert killed.returncode == -9, "the run was to be killed:\n" + output(killed)[-3000:]
    (new,) = releases(first) - before[name(first)]
    assert live_release(first) == new, "the kill came after the switch of current"
    assert answering(first)[:2] == (200, SEEN["v2"][name(first)]), "uWSGI still serves v2: it never loaded the new one"
    assert json.loads(host_file(first, "/srv/perch/.switching")) == {"from": SEEN["v2"][name(first)], "to": new}
    for host in others:
        assert_serving(host, SEEN["v2"][name(host)], "0.2.0")

    again = run_playbook("deploy", *project)
    time.sleep(2)
    figures = {host: load.stop() for host, load in loads.items()}
    write_figures("interrupted-deploy", {host: Load.summary(load) for host, load in figures.items()})
    assert_succeeded(again)
    for host in all_hosts:
        (release,) = releases(host) - before[name(host)]
        assert_serving(host, release, "0.8.0")
        assert history(host)[-1] == release
        assert not host.file("/srv/perch/.switching").exists
    for host, load in figures.items():
        assert load["requests"] > 200 and load["failures"] == 0, (host, Load.summary(load))
