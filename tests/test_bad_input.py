"""Bad input is refused before any host is reached, with a message that names the variable.

Each case is a host of its own in one inventory whose hosts cannot be reached (port 9 of 127.0.0.1,
where nothing listens): one run of playbooks/site.yml checks them all, and a case passes only if its
host failed with a message naming the variable and was never reached. site.yml's first play runs
every role's `validate` entry point, so this is what a user's first run meets on a fresh VPS: nothing
installed, nothing changed. Cases that need the host (a release it does not have, a name another site
on it serves, another system) are in molecule/operations/tests/test_bad_input.py, against a converged host
whose /etc and /srv must stay byte for byte the same.

test_every_public_variable_has_a_bad_input_case keeps the list complete: a variable added to any
role's meta/argument_specs.yml without a case here or in the operations scenario fails it.
"""

import json
import os
import subprocess

import pytest
import yaml

# What Ansible itself makes of the collection: on every ansible-core it claims (pytest.ini).
pytestmark = pytest.mark.every_core

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_VARS = os.path.join(ROOT, "inventories", "demo", "group_vars", "app", "perch.yml")
UNREACHABLE = {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 9, "private_address": "10.0.0.2",
               "ansible_user": "nobody", "ansible_ssh_common_args": "-o ConnectTimeout=2 -o BatchMode=yes"}

SITE = {"name": "extra", "server_names": ["extra.example"], "uwsgi_socket": "/run/uwsgi/extra/uwsgi.sock"}
UWSGI_APP = {"name": "extra", "virtualenv": "/srv/x/venv", "module": "x:app", "user": "nobody"}
PROGRAM = {"name": "extra", "command": "/bin/true", "user": "nobody"}
DATABASE = {"name": "perch", "owner": "perch", "password": "a-long-enough-password", "clients": ["10.0.0.2"]}
TLS_CERT = "/nonexistent/cert.pem"

# (case id, group of its host, its variables, text the message must contain)
CASES = [
    # wsgi_app
    ("processes-not-a-number", "app", {"wsgi_app_processes": "many"}, "wsgi_app_processes"),
    ("processes-zero", "app", {"wsgi_app_processes": 0}, "wsgi_app_processes"),
    ("processes-too-many", "app", {"wsgi_app_processes": 5000}, "wsgi_app_processes"),
    ("threads-negative", "app", {"wsgi_app_threads": -1}, "wsgi_app_threads"),
    ("preload-the-app-itself", "app", {"wsgi_app_preload": ["flask", "perch.content"]}, "wsgi_app_preload"),
    ("preload-not-a-module", "app", {"wsgi_app_preload": ["flask; import os"]}, "wsgi_app_preload"),
    ("name-with-space", "app", {"wsgi_app_name": "my app"}, "wsgi_app_name"),
    ("name-with-shell", "app", {"wsgi_app_name": "perch;touch /tmp/owned"}, "wsgi_app_name"),
    ("name-with-dotdot", "app", {"wsgi_app_name": "../etc"}, "wsgi_app_name"),
    ("user-root", "app", {"wsgi_app_user": "root"}, "wsgi_app_user"),
    ("root-relative", "app", {"wsgi_app_root": "srv/perch"}, "wsgi_app_root"),
    ("root-dotdot", "app", {"wsgi_app_root": "/srv/../etc"}, "wsgi_app_root"),
    ("root-etc", "app", {"wsgi_app_root": "/etc"}, "wsgi_app_root"),
    ("root-under-usr", "app", {"wsgi_app_root": "/usr/local/perch"}, "wsgi_app_root"),
    ("root-slash", "app", {"wsgi_app_root": "/"}, "wsgi_app_root"),
    ("root-var-itself", "app", {"wsgi_app_root": "/var/"}, "wsgi_app_root"),
    ("env-name-with-space", "app", {"wsgi_app_env": {"API KEY": "x"}}, "wsgi_app_env"),
    ("env-value-with-newline", "app", {"wsgi_app_env": {"API_KEY": "line one\nline two"}}, "wsgi_app_env"),
    ("env-not-a-mapping", "app", {"wsgi_app_env": "API_KEY=x"}, "wsgi_app_env"),
    ("config-not-a-mapping", "app", {"wsgi_app_config": "DATABASE=/tmp/x"}, "wsgi_app_config"),
    ("migrate-command-a-string", "app", {"wsgi_app_migrate_command": "flask db upgrade"}, "wsgi_app_migrate_command"),
    ("health-path-with-query", "app", {"wsgi_app_health_path": "/healthz?full=1"}, "wsgi_app_health_path"),
    ("health-path-relative", "app", {"wsgi_app_health_path": "healthz"}, "wsgi_app_health_path"),
    ("server-name-not-a-hostname", "app", {"wsgi_app_server_names": ["not a host!"]}, "wsgi_app_server_names"),
    ("server-names-not-a-list", "app", {"wsgi_app_server_names": {"a": 1}}, "wsgi_app_server_names"),
    ("module-injection", "app", {"wsgi_app_module": "perch.wsgi:application; import os"}, "wsgi_app_module"),
    ("harakiri-not-below-read-timeout", "app", {"wsgi_app_harakiri": 60, "wsgi_app_read_timeout": 60},
     "wsgi_app_harakiri"),
    ("tls-unknown-source", "app", {"wsgi_app_tls": {"source": "magic"}}, "wsgi_app_tls"),
    ("tls-provided-without-key", "app", {"wsgi_app_tls": {"source": "provided", "certificate": TLS_CERT}},
     "wsgi_app_tls"),
    ("static-path-escapes", "app", {"wsgi_app_static": [{"location": "/static/", "path": "../../../etc"}]},
     "wsgi_app_static"),
    ("keep-releases-one", "app", {"wsgi_app_keep_releases": 1}, "wsgi_app_keep_releases"),
    # uwsgi
    ("uwsgi-run-dir-is-run", "app", {"uwsgi_run_dir": "/run"}, "uwsgi_run_dir"),
    ("uwsgi-config-dir-is-etc", "app", {"uwsgi_config_dir": "/etc/"}, "uwsgi_config_dir"),
    ("uwsgi-config-dir-under-proc", "app", {"uwsgi_config_dir": "/proc/uwsgi"}, "uwsgi_config_dir"),
    ("uwsgi-relative-environment-file", "app", {"uwsgi_apps": [dict(UWSGI_APP, environment_file="shared/env.json")]},
     "uwsgi_apps"),
    ("uwsgi-processes-zero", "app", {"uwsgi_apps": [dict(UWSGI_APP, processes=0)]}, "uwsgi_apps"),
    ("uwsgi-preload-a-string", "app", {"uwsgi_apps": [dict(UWSGI_APP, preload="flask")]}, "preload"),
    # nginx
    ("nginx-health-path-with-space", "app", {"nginx_sites": [dict(SITE, health_path="/health z")]}, "nginx_sites"),
    ("nginx-log-buffer-not-a-size", "app", {"nginx_access_log_buffer": "lots"}, "nginx_access_log_buffer"),
    ("nginx-port-out-of-range", "app", {"nginx_sites": [dict(SITE, listen=70000)]}, "nginx_sites"),
    ("nginx-unknown-state", "app", {"nginx_sites": [dict(SITE, state="maybe")]}, "state"),
    ("nginx-relative-socket", "app", {"nginx_sites": [dict(SITE, uwsgi_socket="run/extra.sock")]}, "nginx_sites"),
    ("nginx-two-sites-one-name", "app",
     {"nginx_sites": [SITE, dict(SITE, name="twin", uwsgi_socket="/run/uwsgi/twin/uwsgi.sock")]}, "extra.example"),
    ("nginx-two-sites-one-socket", "app",
     {"nginx_sites": [SITE, dict(SITE, name="twin", server_names=["twin.example"])]}, "uwsgi_socket"),
    # wsgi_app, more
    ("after-switch-tasks-missing", "app", {"wsgi_app_after_switch_tasks": "/nonexistent/after.yml"},
     "wsgi_app_after_switch_tasks"),
    ("before-switch-tasks-missing", "app", {"wsgi_app_before_switch_tasks": "/nonexistent/before.yml"},
     "wsgi_app_before_switch_tasks"),
    ("build-dir-relative", "app", {"wsgi_app_build_dir": "build"}, "wsgi_app_build_dir"),
    ("cache-not-a-boolean", "app", {"wsgi_app_cache": "sometimes"}, "wsgi_app_cache"),
    ("config-env-not-a-name", "app", {"wsgi_app_config_env": "PERCH CONFIG"}, "wsgi_app_config_env"),
    ("backup-host-unknown", "app", {"wsgi_app_database_backup_host": "nosuchhost"}, "wsgi_app_database_backup_host"),
    ("database-shared-not-a-boolean", "app", {"wsgi_app_database_shared": "maybe"}, "wsgi_app_database_shared"),
    ("database-url-name-not-a-name", "app", {"wsgi_app_database_url_name": "DATABASE URL"},
     "wsgi_app_database_url_name"),
    ("exclude-a-string", "app", {"wsgi_app_exclude": {"a": 1}}, "wsgi_app_exclude"),
    ("git-repo-and-project", "app", {"wsgi_app_git_repo": "/nonexistent/repo.git"}, "wsgi_app_git_repo"),
    ("git-subdir-escapes", "app", {"wsgi_app_project": "", "wsgi_app_git_repo": "/nonexistent/repo.git",
                                   "wsgi_app_git_subdir": "../.."}, "wsgi_app_git_subdir"),
    ("git-version-with-space", "app", {"wsgi_app_project": "", "wsgi_app_git_repo": "/nonexistent/repo.git",
                                       "wsgi_app_git_version": "v1 --upload-pack=touch"}, "wsgi_app_git_version"),
    ("health-timeout-zero", "app", {"wsgi_app_health_timeout": 0}, "wsgi_app_health_timeout"),
    ("index-url-not-http", "app", {"wsgi_app_install_from": "index", "wsgi_app_index_url": "ftp://example.org/simple"},
     "wsgi_app_index_url"),
    ("install-from-unknown", "app", {"wsgi_app_install_from": "magic"}, "wsgi_app_install_from"),
    ("lock-missing", "app", {"wsgi_app_lock": "/nonexistent/requirements.lock"}, "wsgi_app_lock"),
    ("programs-a-mapping", "app", {"wsgi_app_programs": {"worker": "rq worker"}}, "wsgi_app_programs"),
    ("programs-command-a-string", "app", {"wsgi_app_programs": [{"name": "worker", "command": "rq worker"}]},
     "wsgi_app_programs"),
    ("project-missing", "app", {"wsgi_app_project": "/nonexistent/project"}, "wsgi_app_project"),
    ("provision-not-a-boolean", "app", {"wsgi_app_provision": "perhaps"}, "wsgi_app_provision"),
    ("release-commands-strings", "app", {"wsgi_app_release_commands": ["python manage.py collectstatic"]},
     "wsgi_app_release_commands"),
    ("release-header-not-a-header", "app", {"wsgi_app_release_header": "X Perch: Release"}, "wsgi_app_release_header"),
    ("requirements-file-escapes", "app", {"wsgi_app_requirements_file": "../../etc/passwd"},
     "wsgi_app_requirements_file"),
    ("secret-key-short", "app", {"wsgi_app_secret_key": "short"}, "wsgi_app_secret_key"),
    ("secret-key-name-not-a-name", "app", {"wsgi_app_secret_key_name": "SECRET KEY"}, "wsgi_app_secret_key_name"),
    ("served-by-header-not-a-header", "app", {"wsgi_app_served_by_header": "X Served By"}, "wsgi_app_served_by_header"),
    ("sqlite-database-outside-shared", "app", {"wsgi_app_sqlite_database": "/etc/perch.sqlite"},
     "wsgi_app_sqlite_database"),
    ("trusted-proxies-not-addresses", "app", {"wsgi_app_trusted_proxies": ["the balancer"]},
     "wsgi_app_trusted_proxies"),
    ("uwsgi-from-unknown", "app", {"wsgi_app_uwsgi_from": "source"}, "wsgi_app_uwsgi_from"),
    ("uwsgi-requirement-not-uwsgi", "app", {"wsgi_app_uwsgi_requirement": "requests==2.32.0"},
     "wsgi_app_uwsgi_requirement"),
    ("read-timeout-zero", "app", {"wsgi_app_read_timeout": 0}, "wsgi_app_read_timeout"),
    # uwsgi, more
    ("uwsgi-buffer-size-small", "app", {"uwsgi_buffer_size": 100}, "uwsgi_buffer_size"),
    ("uwsgi-harakiri-negative", "app", {"uwsgi_harakiri": -5}, "uwsgi_harakiri"),
    ("uwsgi-listen-zero", "app", {"uwsgi_listen": 0}, "uwsgi_listen"),
    ("uwsgi-max-requests-not-a-number", "app", {"uwsgi_max_requests": "lots"}, "uwsgi_max_requests"),
    ("uwsgi-preload-not-modules", "app", {"uwsgi_preload": ["os; rm"]}, "uwsgi_preload"),
    ("uwsgi-processes-not-a-number", "app", {"uwsgi_processes": "many"}, "uwsgi_processes"),
    ("uwsgi-reload-on-rss-negative", "app", {"uwsgi_reload_on_rss": -1}, "uwsgi_reload_on_rss"),
    ("uwsgi-source-unknown", "app", {"uwsgi_source": "conda"}, "uwsgi_source"),
    ("uwsgi-threads-zero", "app", {"uwsgi_threads": 0}, "uwsgi_threads"),
    ("uwsgi-web-group-with-space", "app", {"uwsgi_web_group": "www data"}, "uwsgi_web_group"),
    # supervisor
    ("supervisor-lean-not-a-boolean", "app", {"supervisor_lean": "slim"}, "supervisor_lean"),
    ("supervisor-log-backups-negative", "app", {"supervisor_log_backups": -1}, "supervisor_log_backups"),
    ("supervisor-log-maxbytes-not-a-size", "app", {"supervisor_log_maxbytes": "big"}, "supervisor_log_maxbytes"),
    ("supervisor-program-as-root", "app", {"supervisor_programs": [dict(PROGRAM, user="root")]}, "supervisor_programs"),
    ("supervisor-restart-sec-not-a-number", "app", {"supervisor_restart_sec": "soon"}, "supervisor_restart_sec"),
    ("supervisor-socket-mode-open", "app", {"supervisor_socket_mode": "0777"}, "supervisor_socket_mode"),
    ("supervisor-socket-path-relative", "app", {"supervisor_socket_path": "run/supervisor.sock"},
     "supervisor_socket_path"),
    # nginx, more
    ("nginx-access-log-flush-not-a-time", "app", {"nginx_access_log_flush": "whenever"}, "nginx_access_log_flush"),
    ("nginx-acme-ca-bundle-relative", "app", {"nginx_acme_ca_bundle": "ca.pem"}, "nginx_acme_ca_bundle"),
    ("nginx-acme-email-not-an-address", "app", {"nginx_acme_email": "admin"}, "nginx_acme_email"),
    ("nginx-acme-server-not-https", "app", {"nginx_acme_server": "ftp://acme.example/dir"}, "nginx_acme_server"),
    ("nginx-cache-bypass-cookie-with-space", "app", {"nginx_cache_bypass_cookie": "my session"},
     "nginx_cache_bypass_cookie"),
    ("nginx-cache-size-not-a-size", "app", {"nginx_cache_size": "huge"}, "nginx_cache_size"),
    ("nginx-cache-valid-not-a-time", "app", {"nginx_cache_valid": "a while"}, "nginx_cache_valid"),
    ("nginx-client-max-body-size-not-a-size", "app", {"nginx_client_max_body_size": "big"},
     "nginx_client_max_body_size"),
    ("nginx-client-timeout-zero", "app", {"nginx_client_timeout": 0}, "nginx_client_timeout"),
    ("nginx-default-server-not-a-boolean", "app", {"nginx_default_server": "first"}, "nginx_default_server"),
    ("nginx-gzip-not-a-boolean", "app", {"nginx_gzip": "lots"}, "nginx_gzip"),
    ("nginx-gzip-types-not-types", "app", {"nginx_gzip_types": ["text/html; gzip off"]}, "nginx_gzip_types"),
    ("nginx-hsts-max-age-negative", "app", {"nginx_hsts_max_age": -1}, "nginx_hsts_max_age"),
    ("nginx-keepalive-timeout-negative", "app", {"nginx_keepalive_timeout": -1}, "nginx_keepalive_timeout"),
    ("nginx-listen-ipv6-unknown", "app", {"nginx_listen_ipv6": "sometimes"}, "nginx_listen_ipv6"),
    ("nginx-remove-default-site-not-a-boolean", "app", {"nginx_remove_default_site": "yes please"},
     "nginx_remove_default_site"),
    ("nginx-security-headers-a-list", "app", {"nginx_security_headers": ["X-Frame-Options"]},
     "nginx_security_headers"),
    ("nginx-security-header-with-newline", "app", {"nginx_security_headers": {"X-Frame-Options": "DENY\nX-Evil: 1"}},
     "nginx_security_headers"),
    ("nginx-ssl-ciphers-with-semicolon", "app", {"nginx_ssl_ciphers": "HIGH; return 200"}, "nginx_ssl_ciphers"),
    ("nginx-ssl-protocols-old", "app", {"nginx_ssl_protocols": "SSLv3 TLSv1"}, "nginx_ssl_protocols"),
    ("nginx-worker-connections-zero", "app", {"nginx_worker_connections": 0}, "nginx_worker_connections"),
    ("nginx-worker-processes-not-a-number", "app", {"nginx_worker_processes": "lots"}, "nginx_worker_processes"),
    # postgresql
    ("postgresql-backup-database-unknown", "db", {"postgresql_backup_database": "nosuchdb"},
     "postgresql_backup_database"),
    ("postgresql-backup-dir-etc", "db", {"postgresql_backup_dir": "/etc"}, "postgresql_backup_dir"),
    ("postgresql-backup-keep-zero", "db", {"postgresql_backup_keep": 0}, "postgresql_backup_keep"),
    ("postgresql-backup-label-with-slash", "db", {"postgresql_backup_label": "../x"}, "postgresql_backup_label"),
    ("postgresql-port-out-of-range", "db", {"postgresql_port": 70000}, "postgresql_port"),
    ("postgresql-settings-a-list", "db", {"postgresql_settings": ["max_connections=100"]}, "postgresql_settings"),
    ("postgresql-listening-everywhere", "db", {"postgresql_listen_addresses": ["*"]}, "never '*', '0.0.0.0' or '::'"),
    ("postgresql-clients-but-localhost-only", "db", {"postgresql_listen_addresses": ["localhost"]},
     "keeps PostgreSQL on localhost, where no other host reaches it"),
    ("postgresql-placeholder-password", "db",
     {"postgresql_databases": [dict(DATABASE, password="change-me-before-the-first-deploy")]}, "not an example's placeholder"),
    ("postgresql-short-password", "db", {"postgresql_databases": [dict(DATABASE, password="short")]},
     "postgresql_databases entry 'perch'"),
    ("postgresql-every-address-a-client", "db", {"postgresql_databases": [dict(DATABASE, clients=["0.0.0.0/0"])]},
     "never a /0 that lets every address try a password"),
    ("postgresql-client-not-an-address", "db", {"postgresql_databases": [dict(DATABASE, clients=["app1; DROP"])]},
     "not ['app1; DROP']"),
    # balancer
    ("balancer-app-group-unknown", "lb", {"balancer_app_group": "nosuchgroup"}, "nosuchgroup"),
    ("balancer-app-port-out-of-range", "lb", {"balancer_app_port": 70000}, "balancer_app_port"),
    ("balancer-connect-timeout-not-a-time", "lb", {"balancer_connect_timeout": "soon"}, "balancer_connect_timeout"),
    ("balancer-fail-timeout-not-a-time", "lb", {"balancer_fail_timeout": "later"}, "balancer_fail_timeout"),
    ("balancer-max-fails-negative", "lb", {"balancer_max_fails": -1}, "balancer_max_fails"),
]


# The database and balancer cases run beside a valid app host that uses the database, as in
# inventories/production.example/lb-app-db; the app cases run alone, as on one VPS.
DB_VARS = {"postgresql_listen_addresses": ["localhost", "10.0.0.1"], "postgresql_databases": [DATABASE]}
APP_BEHIND_THE_BALANCER = {"wsgi_app_database_url": "postgresql+psycopg://perch:a-long-enough-password@10.0.0.1/perch"}


def inventory(tmp_path, cases):
    """An inventory with one unreachable host per case, perch's demo variables for every app host."""
    with open(DEMO_VARS) as handle:
        perch = handle.read().replace("{{ inventory_dir }}/../..", ROOT)
    (tmp_path / "group_vars" / "app").mkdir(parents=True)
    (tmp_path / "group_vars" / "app" / "perch.yml").write_text(perch)
    (tmp_path / "group_vars" / "db.yml").write_text(json.dumps(DB_VARS))
    groups = {}
    for name, group, variables, _expected in cases:
        groups.setdefault(group, {"hosts": {}})["hosts"][name] = dict(UNREACHABLE, **variables)
    # A play whose hosts all fail ends the run: beside the db and lb cases, a valid db and app host
    # keep it going to the next group's checks.
    if "app" not in groups:
        groups["app"] = {"hosts": {"perch-behind-the-balancer": dict(UNREACHABLE, **APP_BEHIND_THE_BALANCER)}}
        groups.setdefault("db", {"hosts": {}})["hosts"]["postgresql-beside-the-cases"] = dict(UNREACHABLE)
    (tmp_path / "hosts.yml").write_text(json.dumps({"all": {"children": groups}}))
    return str(tmp_path / "hosts.yml")


def run(playbook, hosts):
    """ansible-playbook PLAYBOOK with the json callback: {host: (reached, [failure messages])}."""
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_FORKS="8",
               ANSIBLE_HOST_KEY_CHECKING="False", ANSIBLE_RETRY_FILES_ENABLED="False")
    completed = subprocess.run(["ansible-playbook", "-i", hosts, os.path.join(ROOT, "playbooks", playbook)],
                               capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"ansible-playbook gave no JSON report:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    seen = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                reached, messages = seen.setdefault(host, (False, []))
                if result.get("unreachable"):
                    seen[host] = (True, messages)
                # A failed item of a loop says so by its assertion alone (`evaluated_to`).
                for one in [result] + list(result.get("results", [])):
                    if one.get("failed") or one.get("evaluated_to") is False:
                        messages.append(str(one.get("msg", "")))
    return seen


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    on_one_vps = [case for case in CASES if case[1] == "app"]
    beside_an_app = [case for case in CASES if case[1] != "app"]
    return {**run("site.yml", inventory(tmp_path_factory.mktemp("one-vps"), on_one_vps)),
            **run("site.yml", inventory(tmp_path_factory.mktemp("db-and-lb"), beside_an_app))}


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_site_refuses_bad_input_before_reaching_the_host(refused, case):
    name, _group, variables, expected = case
    reached, messages = refused[name]
    said = " ".join(" ".join(messages).split())
    assert not reached, f"{name}: the play went on to the host, so nothing refused {variables}"
    assert messages, f"{name}: nothing refused {variables}"
    assert expected in said, f"{name}: the message does not name {expected!r}: {said[-2000:]}"


# Cases that need the host, as molecule/operations/tests/test_bad_input.py runs them, by the variable each
# is about (wsgi_app_database_url's needs two app hosts: test_two_app_hosts_with_sqlite_... below).
NEEDS_A_HOST = {
    "wsgi_app_rollback_to": "operations: rollback-to-an-unknown-release",
    "wsgi_app_jobs": "operations: job-schedule-systemd-cannot-read",
    "wsgi_app_database_url": "test_two_app_hosts_with_sqlite_behind_a_balancer_are_refused",
}


def public_variables():
    """Every variable of every entry point of every role, from meta/argument_specs.yml."""
    found = set()
    for specs in sorted(os.listdir(os.path.join(ROOT, "roles"))):
        path = os.path.join(ROOT, "roles", specs, "meta", "argument_specs.yml")
        with open(path) as handle:
            for entry in yaml.safe_load(handle)["argument_specs"].values():
                found.update(entry.get("options", {}))
    return found


def test_every_public_variable_has_a_bad_input_case():
    covered = {variable for _name, _group, variables, _expected in CASES for variable in variables}
    missing = sorted(public_variables() - covered - set(NEEDS_A_HOST))
    assert not missing, f"{len(missing)} public variables have no bad-input case: {', '.join(missing)}"


def test_there_are_more_than_eighty_cases():
    assert len(CASES) + len(NEEDS_A_HOST) > 80


def test_one_host_with_a_bad_variable_stops_every_host_before_any_is_reached(tmp_path):
    # Two app hosts behind a balancer with a database host; one app host says 0 processes.
    fine = dict(UNREACHABLE, **APP_BEHIND_THE_BALANCER)
    cases = [("app-fine", "app", fine, ""), ("app-bad", "app", dict(fine, wsgi_app_processes=0), ""),
             ("db-fine", "db", {}, ""), ("lb-fine", "lb", {}, "")]
    seen = run("site.yml", inventory(tmp_path, cases))
    assert set(seen) == {"app-fine", "app-bad", "db-fine", "lb-fine"}
    assert not any(reached for reached, _messages in seen.values()), seen
    assert "wsgi_app_processes must be between 1 and 256" in " ".join(seen["app-bad"][1])
    for host in ("app-fine", "db-fine", "lb-fine"):
        assert "The variables of app-bad are wrong" in " ".join(seen[host][1]), (host, seen[host])


def test_two_app_hosts_with_sqlite_behind_a_balancer_are_refused(tmp_path):
    # Each would keep its own SQLite file and serve its own data: one site, two databases.
    cases = [("app1-sqlite", "app", {}, ""), ("app2-sqlite", "app", {}, ""), ("lb-in-front", "lb", {}, "")]
    seen = run("site.yml", inventory(tmp_path, cases))
    assert not any(reached for reached, _messages in seen.values()), seen
    for host in ("app1-sqlite", "app2-sqlite"):
        said = " ".join(" ".join(seen[host][1]).split())
        assert "wsgi_app_database_url is empty, so the 2 app hosts share one site but have no database server" in said, said


def test_deploy_yml_alone_checks_the_app_again_before_reaching_the_host(tmp_path):
    # site.yml's later plays skip the checks its first plays made (__roost_checked); deploy.yml run on
    # its own has no such plays, so its prepare play makes them.
    cases = [("deploy-bad", "app", {"wsgi_app_processes": 0}, "")]
    seen = run("deploy.yml", inventory(tmp_path, cases))
    reached, messages = seen["deploy-bad"]
    assert not reached and "wsgi_app_processes must be between 1 and 256" in " ".join(messages), seen
