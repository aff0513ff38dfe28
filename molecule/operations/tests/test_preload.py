"""The libraries uWSGI's master preloads (wsgi_app_preload) never outlive the release they came from.

perch's workers share the flask, sqlalchemy, markdown... that the master imported before forking
them. A release with the same versions of those goes live by a chain reload, under the same master;
one with another version of any of them (here, an older markdown) reloads the master, which imports
the new versions. Both under load, with no failed request.
"""

import json

from conftest import Load, output, run_playbook, supervised_pid

testinfra_hosts = ["ansible://roost-operations-debian12"]


def preloaded(host):
    return json.loads(host.file("/run/uwsgi/perch/preloaded.json").content_string)


def deploy_under_load(host, *args):
    run, load = Load(host, seconds=300, max_requests=60000).around(run_playbook, "deploy", "-v", *args)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert load["requests"] > 300 and load["failures"] == 0, Load.summary(load)
    return output(run)


def test_a_release_with_the_same_libraries_goes_live_by_a_chain_reload(host, perch_variants):
    before, master = preloaded(host), supervised_pid(host, "perch")
    said = deploy_under_load(host, "-e", f"wsgi_app_project={perch_variants['v2']}")
    assert "chain-reload done" in said and "reloading the master" not in said
    assert supervised_pid(host, "perch") == master
    assert preloaded(host) == before, "the master was not reloaded: its record stands"


def test_a_release_with_another_library_version_reloads_the_master(host, perch_variants):
    before, master = preloaded(host), supervised_pid(host, "perch")
    assert before["distributions"]["markdown"] == "3.11.3"
    variant = perch_variants["older_markdown"]
    said = deploy_under_load(host, "-e", f"wsgi_app_project={variant}", "-e", f"wsgi_app_lock={variant}/requirements.lock")
    assert "markdown 3.11.3 -> 3.10" in said and "reloading the master instead of a chain reload" in said, said[-3000:]
    # A graceful reload re-executes the master in place: same process, a fresh interpreter.
    assert supervised_pid(host, "perch") == master
    after = preloaded(host)
    assert after["distributions"]["markdown"] == "3.10"
    assert {name: version for name, version in after["distributions"].items() if name != "markdown"} == {
        name: version for name, version in before["distributions"].items() if name != "markdown"}
