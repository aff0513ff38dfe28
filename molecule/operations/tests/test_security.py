"""What an attacker next door, a curious log reader or a compromised app could get: nothing.

The outsider is a second container on the same network that is not part of the site.
"""

import json
import os
import re
import secrets as secrets_module
import shlex

import pytest
import testinfra
from conftest import UWSGI_PROBE, http_get, output, run_playbook

testinfra_hosts = ["ansible://roost-operations-debian12"]

# Runs on the site's host: a browser's conversation with perch through nginx (cookies kept).
CLIENT = r"""
import http.client, json, re, sys
cookies, out = {}, []
def call(method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", 80, timeout=10)
    h = {"Host": "localhost", **(headers or {})}
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    c.request(method, path, body, h)
    r = c.getresponse()
    for value in r.headers.get_all("Set-Cookie") or []:
        k, v = value.split(";")[0].split("=", 1)
        cookies[k] = v
    return r.status, dict(r.getheaders()), r.read().decode()
form = {"Content-Type": "application/x-www-form-urlencoded"}
steps = json.loads(sys.argv[1])
for step in steps:
    if step == "token":
        _, _, html = call("GET", "/auth/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        out.append(["token", bool(token)])
    elif step[0] == "login":
        data = f"username={step[1]}&password={step[2]}" + (f"&csrf_token={token}" if step[3] else "")
        out.append(["login", call("POST", "/auth/login", data, form)[0]])
    else:
        status, headers, body = call(*step)
        out.append([step[1], status, headers.get("Location", ""), body[:2000]])
print(json.dumps(out))
"""


def client(host, steps):
    return json.loads(host.check_output("python3 -c %s %s", CLIENT, json.dumps(steps)))


@pytest.fixture(scope="module")
def outsider():
    return testinfra.get_host("ansible://roost-operations-outsider", ansible_inventory=os.environ["MOLECULE_INVENTORY_FILE"])


def test_outsider_reaches_nginx_but_no_uwsgi_endpoint(host, outsider):
    address = host.check_output("hostname -I").split()[0]
    # The outsider does reach the host: nginx answers it (the test can see a listener when there is one).
    page = outsider.check_output(f"python3 -c \"import http.client as h; c=h.HTTPConnection('{address}', 80, timeout=5); "
                                 "c.request('GET', '/', headers={'Host': 'localhost'}); r=c.getresponse(); "
                                 "print(r.status, r.getheader('X-Perch-Release'))\"")
    assert page.startswith("200 ")
    ports = sorted({int(m) for m in re.findall(r":(\d+)\s", host.check_output("ss -Htln"))})
    assert ports, "ss shows no TCP listener at all"
    for port in ports + [3031, 8000, 8080, 9090]:  # and the ports uWSGI is usually put on
        answer = outsider.check_output("python3 -c %s %s %s", UWSGI_PROBE, address, str(port))
        assert "X-Perch-Release" not in answer, f"port {port} speaks uwsgi to the outsider: {answer[:200]}"
    # uWSGI's own socket is a file only the app and nginx may open.
    socket = host.file("/run/uwsgi/perch/uwsgi.sock")
    assert socket.is_socket and (socket.user, socket.group, socket.mode) == ("perch", "www-data", 0o660)
    # ... and the socket really speaks uwsgi: the probe gets perch's page through it, as nginx does.
    direct = host.check_output("python3 -c %s %s", UWSGI_PROBE, "/run/uwsgi/perch/uwsgi.sock")
    assert "X-Perch-Release" in direct


def secrets(host):
    return {"secret key": host.file("/srv/perch/shared/secret_key").content_string.strip(),
            "admin password": host.file("/srv/perch/shared/admin-password").content_string.strip()}


# An API key as users put one in the app's environment: set by the -vvv deploy below.
ENV_SECRET = "env-" + secrets_module.token_hex(16)


def test_secrets_never_appear_in_ansible_output_even_at_vvv(host):
    values = secrets(host)
    assert all(len(value) >= 20 for value in values.values())
    # A changed configuration and environment make the deploy write config.json (which holds the key)
    # and environment.json again, and run the load check and the migration in that environment.
    run = run_playbook("deploy", "-vvv", "--diff", "-e", json.dumps({
        "wsgi_app_config": {"DATABASE": "/srv/perch/shared/data/perch.sqlite", "SITE_NAME": "perch, reconfigured"},
        "wsgi_app_env": {"PERCH_API_KEY_FOR_TESTS": ENV_SECRET}}))
    text = run.stdout + run.stderr
    assert run.returncode == 0, output(run)[-3000:]
    assert "config.json" in text and "environment.json" in text and len(text) > 30_000, \
        "the run printed less than -vvv should"
    for what, value in {**values, "environment value": ENV_SECRET}.items():
        assert value not in text, f"the {what} appears in the output"
    assert "perch, reconfigured" in http_get(host, "/").body
    assert ENV_SECRET in host.file("/srv/perch/shared/environment.json").content_string


# Everything the roles write, and where they write it.
WRITTEN = ["/etc/nginx", "/etc/uwsgi", "/etc/supervisor", "/etc/ssl/roost", "/etc/systemd/system",
           "/etc/tmpfiles.d", "/usr/local/sbin", "/usr/local/lib", "/srv/perch", "/var/log/supervisor",
           "/var/log/nginx", "/run/uwsgi", "/var/lib/roost-acme"]


def test_no_file_the_roles_write_shows_a_secret_to_another_user(host):
    values = {**secrets(host), "environment value": ENV_SECRET}
    patterns, where = " ".join(f"-e {shlex.quote(value)}" for value in values.values()), " ".join(WRITTEN)
    # As root: each secret is somewhere among those files (so the walk below can find one).
    holders = host.check_output(f"grep -rlF {patterns} {where} 2>/dev/null || true").split()
    assert "/srv/perch/shared/environment.json" in holders and "/srv/perch/shared/config.json" in holders
    # As nobody: none of them can be read, and every file it can read holds none of the secrets.
    readable = host.check_output(f"sudo -u nobody find {where} -type f -readable 2>/dev/null || true").split()
    assert "/etc/nginx/nginx.conf" in readable, "nobody should read nginx.conf: the walk would be blind"
    for path in holders:
        assert path not in readable, f"{path} holds a secret and nobody can read it"
    leaked = host.run(f"sudo -u nobody grep -rlF {patterns} {where} 2>/dev/null")
    assert leaked.stdout.strip() == "", f"nobody reads a secret in {leaked.stdout}"
    for key in host.check_output("find /etc/ssl/roost -name privkey.pem 2>/dev/null || true").split():
        assert host.run("sudo -u nobody cat %s", key).rc != 0, f"nobody reads {key}"


@pytest.mark.parametrize(("path", "owner", "group", "mode"), [
    ("/srv/perch/shared/config.json", "root", "perch", 0o640),
    ("/srv/perch/shared/secret_key", "root", "perch", 0o640),
    ("/srv/perch/shared/admin-password", "root", "root", 0o600),
    ("/srv/perch/shared/environment.json", "root", "perch", 0o640),
    ("/etc/supervisor/conf.d/perch.conf", "root", "root", 0o600),
])
def test_secret_files_are_not_world_readable(host, path, owner, group, mode):
    secret = host.file(path)
    assert (secret.user, secret.group, secret.mode) == (owner, group, mode)


def test_the_app_user_cannot_write_its_code_virtualenv_or_config(host):
    writable = host.check_output(
        "sudo -u perch find /srv/perch/releases /srv/perch/current/ /srv/perch/shared/config.json "
        "/srv/perch/shared/secret_key /etc/nginx /etc/uwsgi /etc/supervisor /etc/systemd ! -type l -writable "
        "2>/dev/null || true")
    assert writable.strip() == ""
    assert host.run("sudo -u perch touch /srv/perch/current/venv/bin/python").rc != 0
    # The one place it may write.
    assert host.run("sudo -u perch test -w /srv/perch/shared/data").rc == 0


def test_nothing_runs_as_root_that_need_not(host):
    processes = [line.split(None, 2) for line in host.check_output("ps -eo user:32,pid,args --no-headers").splitlines()]
    for user, _pid, args in processes:
        if "perch.ini" in args:
            assert user == "perch", args
        if args.startswith("nginx: worker"):
            assert user == "www-data", args
    listeners = host.check_output("ss -Htlnp")
    for line in listeners.splitlines():
        if " 127.0.0.11:" in line:
            continue  # Docker's DNS resolver for the test network, not a process of the host
        assert re.search(r'users:\(\("(nginx|sshd)"', line), f"an unexpected TCP listener: {line}"


def test_perch_refuses_forged_and_anonymous_writes_through_nginx(host):
    results = client(host, [
        ["GET", "/admin/"],
        "token",
        ["login", "admin", "wrong-password-1", False],
        ["POST", "/api/posts", json.dumps({"title": "x"}), {"Content-Type": "application/json"}],
        ["POST", "/api/posts", json.dumps({"title": "x"}),
         {"Content-Type": "application/json", "Authorization": "Bearer not-a-token"}],
        ["GET", "/static/../../../../etc/passwd"],
        ["GET", "/.env"],
    ])
    assert results[0][1] == 302 and results[0][2].startswith("/auth/login")  # admin needs a login
    assert results[2] == ["login", 400]  # no CSRF token: refused before the password is looked at
    assert results[3][1] == 401 and json.loads(results[3][3])["error"].startswith("a valid API token")
    assert results[4][1] == 401
    assert results[5][1] in (400, 404) and "root:" not in results[5][3]
    assert results[6][1] in (403, 404)


def test_xss_is_stripped_in_the_page_nginx_serves(host):
    token = host.check_output(
        "sudo -u perch env PERCH_CONFIG=/srv/perch/shared/config.json /srv/perch/current/venv/bin/flask "
        "--app perch.wsgi create-token xss-test-$$")
    payload = ('<script>alert(1)</script><img src=x onerror="alert(2)">'
               '[link](javascript:alert(3)) <a href="JaVaScRiPt:alert(4)">x</a> <svg onload=alert(5)>')
    results = client(host, [
        ["POST", "/api/posts", json.dumps({"title": "XSS probe", "body": payload}),
         {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}],
        ["GET", "/blog/xss-probe"],
        ["DELETE", "/api/posts/xss-probe", None, {"Authorization": f"Bearer {token}"}],
    ])
    assert results[0][1] == 201
    page = results[1][3].lower() if results[1][1] == 200 else ""
    assert page, results[1]
    for marker in ("<script>alert", "onerror", "onload", "javascript:"):
        assert marker not in page
    assert results[2][1] == 204


def test_failed_logins_are_rate_limited_through_nginx(host):
    # Failures of an earlier run still count for 15 minutes: start from none.
    host.check_output("sudo -u perch python3 -c \"import sqlite3; db = sqlite3.connect("
                      "'/srv/perch/shared/data/perch.sqlite'); db.execute('DELETE FROM login_failure'); db.commit()\"")
    steps = ["token"] + [["login", "admin", f"wrong-password-{n}", True] for n in range(6)]
    statuses = [status for kind, status in client(host, steps)[1:]]
    assert statuses == [401] * 5 + [429]
