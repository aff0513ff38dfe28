"""Deploys under load drop no request: v2, then v1, while a bounded load loop runs through nginx.

The lifecycle left its interrupted release (0.8.0) live, so both deploys are switches: to v2, and back
to v1. A third (back to v2) would take a minute and take no other path.

The load runs on each host's own loopback (molecule/shared/loadgen.py: 4 connections at 200
requests/s, at most 150,000 requests and 600 seconds), on every host at once, while the playbooks
switch releases.
Each host's figures are written to .roost/reports/zero-downtime-<host>.json.
"""

import json
import os
import time

import pytest
from conftest import PROJECT_DIR, Load, run_playbook


@pytest.fixture(scope="module")
def load_during_deploys(all_hosts, perch_variants):
    loads = {target.backend.host: Load(target, seconds=600, max_requests=150000).start() for target in all_hosts}
    time.sleep(3)  # steady state before the first switch
    runs = [run_playbook("deploy", "-e", f"wsgi_app_project={perch_variants[version]}")
            for version in ("v2", "v1")]
    time.sleep(3)
    summaries = {name: load.stop() for name, load in loads.items()}
    reports = os.path.join(PROJECT_DIR, ".roost", "reports")
    os.makedirs(reports, exist_ok=True)
    for name, summary in summaries.items():
        with open(os.path.join(reports, f"zero-downtime-{name}.json"), "w") as handle:
            json.dump(summary, handle, indent=2)
    return runs, summaries


def test_deploys_under_load_succeed(load_during_deploys):
    runs, _summaries = load_during_deploys
    for run in runs:
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_deploys_under_load_drop_no_request(host, load_during_deploys):
    _runs, summaries = load_during_deploys
    summary = summaries[host.backend.host]
    print(f"{host.backend.host}: {summary['requests']} requests, {summary['failures']} failed, "
          f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, max {summary['max_ms']} ms")
    assert summary["requests"] > 1000, "the load loop hardly ran; the test would prove nothing"
    # nginx's words for each upstream error since the host was converged (the broken releases of
    # test_lifecycle, a request sent to uWSGI once more): what to read when a request failed.
    errors = host.run("grep -E '\\[(error|crit|alert)\\]' /var/log/nginx/error.log").stdout.splitlines()
    print(f"nginx logged {len(errors)} upstream errors on this host")
    assert summary["failures"] == 0, (summary["failure_samples"], errors[-20:])
    assert summary["seconds"] < 600, "the load ran into its time bound: it outlived the deploys"
