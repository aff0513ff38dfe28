"""Bad input for the lb + app + db shape: refused with a message naming what to change, before the
database host (or any other) changes."""

import json
import os

import pytest
import testinfra
from conftest import live_release, output, run_playbook

testinfra_hosts = ["ansible://roost-scale-db"]

DATABASE = {"name": "perch", "owner": "perch", "password": "scale-out-test-password",
            "clients": ["10.231.7.11", "10.231.7.12"]}
# Everything that decides who may reach PostgreSQL, and how.
STATE = ("cat /var/lib/postgresql/*/main/postgresql.auto.conf /etc/postgresql/*/main/pg_hba.conf | sha256sum; "
         "runuser -u postgres -- psql -XAtq -c 'SELECT rolname, rolpassword FROM pg_authid ORDER BY 1' | sha256sum")

CASES = {
    "listening everywhere": ({"postgresql_listen_addresses": ["*"]}, "never '*', '0.0.0.0' or '::'"),
    "a placeholder password": ({"postgresql_databases": [{**DATABASE, "password": "change-me-before-the-first-deploy"}]},
                               "not an example's placeholder"),
    "a short password": ({"postgresql_databases": [{**DATABASE, "password": "short"}]}, "at least 12 characters"),
    "every address a client": ({"postgresql_databases": [{**DATABASE, "clients": ["0.0.0.0/0"]}]},
                               "never a /0 that lets every address try a password"),
    "a client that is not an address": ({"postgresql_databases": [{**DATABASE, "clients": ["app1; DROP"]}]},
                                        "clients are IP addresses or CIDR ranges"),
    "clients but PostgreSQL on localhost only": ({"postgresql_listen_addresses": ["localhost"]},
                                                 "where no other host reaches it"),
    "two app hosts with SQLite behind a balancer": ({"wsgi_app_database_url": ""},
                                                    "so the 2 app hosts share one site but have no database server"),
}


@pytest.fixture(scope="module")
def apps():
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    return [testinfra.get_host(f"ansible://{name}", ansible_inventory=inventory)
            for name in ("roost-scale-app1", "roost-scale-app2")]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_before_anything_changes(host, apps, case):
    extra, message = CASES[case]
    before = host.check_output(STATE), [live_release(app) for app in apps]
    run = run_playbook("site", "-e", json.dumps(extra))
    assert run.returncode != 0, f"{case}: accepted"
    assert message in output(run), output(run)[-2000:]
    assert (host.check_output(STATE), [live_release(app) for app in apps]) == before
