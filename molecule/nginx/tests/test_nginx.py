"""roost.wsgi.nginx alone: TLS (self-signed and ACME), security defaults, and bad config refused.

The tests talk to nginx on the host's own loopback, with the host's openssl and python3.
"""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
from conftest import Response, converge, http_get

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "SAMEORIGIN",
    "content-security-policy": "frame-ancestors 'self'",
}


def handshake(host, name, *options):
    """openssl s_client to 127.0.0.1:443 with SNI name; (exit code, everything it printed)."""
    # Only the printable text: with ALPN h2 the server's first HTTP/2 frames follow, in binary.
    run = host.run("openssl s_client -connect 127.0.0.1:443 -servername %s " + " ".join(options)
                   + " </dev/null >/tmp/s_client.out 2>&1; rc=$?; tr -cd '\\11\\12\\40-\\176' </tmp/s_client.out;"
                   " exit $rc", name)
    return run.rc, run.stdout


def served_certificate(host, name):
    return host.check_output(
        "openssl s_client -connect 127.0.0.1:443 -servername %s </dev/null 2>/dev/null "
        "| openssl x509 -noout -issuer -serial -ext subjectAltName", name)


# GET https://NAME/PATH (NAME resolves to the host itself through /etc/hosts), any certificate
# accepted: the certificate is checked by the tests that are about it.
_HTTPS = r"""
import json, ssl, sys, urllib.request
name, path, encoding = sys.argv[1:4]
context = ssl.create_default_context()
context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
request = urllib.request.Request(f"https://{name}{path}", headers={"Accept-Encoding": encoding})
response = urllib.request.urlopen(request, context=context, timeout=10)
body = response.read()
print(json.dumps({"status": response.status, "headers": dict(response.headers.items()), "size": len(body),
                  "body": body.decode("utf-8", "replace")}))
"""

# Sends one plain HTTP request for a host name and path; prints what came back (no redirect followed).
_RAW = r"""
import socket, sys
name, path = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "/"
with socket.create_connection(("127.0.0.1", 80), timeout=10) as connection:
    connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode())
    print(repr(connection.recv(4096)))
"""


def https_get(host, name, path, encoding="identity"):
    out = json.loads(host.check_output("python3 -c %s %s %s %s", _HTTPS, name, path, encoding))
    return Response(out["status"], out["headers"], out["body"]), out["size"]


@pytest.mark.parametrize(("option", "version"), [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")])
def test_tls_1_2_and_1_3_are_accepted(host, option, version):
    rc, out = handshake(host, "secure.roost.test", option)
    assert rc == 0 and f"New, {version}, Cipher is" in out, out[-1500:]


@pytest.mark.parametrize("version", ["-tls1", "-tls1_1"])
def test_older_tls_is_refused_by_the_server(host, version):
    # SECLEVEL=0 lets this client offer the old protocol: the refusal must come from nginx.
    rc, out = handshake(host, "secure.roost.test", version, "-cipher", "'DEFAULT:@SECLEVEL=0'")
    assert rc != 0 and "alert protocol version" in out, out[-1500:]


def test_http2_is_negotiated(host):
    rc, out = handshake(host, "secure.roost.test", "-alpn", "h2,http/1.1")
    assert rc == 0 and "ALPN protocol: h2" in out, out[-1500:]


def test_http_redirects_to_https_but_not_acme_challenges(host):
    redirect = host.check_output("python3 -c %s %s %s", _RAW, "secure.roost.test", "/files/hello.txt?x=1")
    assert redirect.startswith("b'HTTP/1.1 301")
    assert "\\r\\nLocation: https://secure.roost.test/files/hello.txt?x=1\\r\\n" in redirect
    host.run("echo token-42 > /var/lib/roost-acme/.well-known/acme-challenge/probe")
    challenge = http_get(host, "/.well-known/acme-challenge/probe", host_header="secure.roost.test")
    assert challenge.status == 200 and challenge.body.strip() == "token-42"


def test_https_sends_hsts_and_the_security_headers(host, tmp_path):
    response, _body = https_get(host, "secure.roost.test", "/files/hello.txt")
    assert response.status == 200 and response.body == "hello from roost\n"
    assert response.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_fingerprinted_assets_are_immutable_and_keep_the_security_headers(host):
    response, _body = https_get(host, "secure.roost.test", "/assets/site.3f2a9c41.css")
    assert response.status == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "strict-transport-security" in response.headers
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_plain_http_site_has_security_headers_no_hsts_and_gzip(host):
    response = http_get(host, "/files/hello.txt", host_header="plain.roost.test")
    assert response.status == 200 and "strict-transport-security" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    css, size = https_get(host, "secure.roost.test", "/assets/site.3f2a9c41.css", encoding="gzip")
    assert css.headers["content-encoding"] == "gzip" and size < 1000, "5 kB of repetitive CSS compresses well"


def test_dotfiles_are_never_served(host):
    assert http_get(host, "/files/.env", host_header="plain.roost.test").status == 403


def test_unknown_host_names_get_no_answer(host):
    assert host.check_output("python3 -c %s %s", _RAW, "elsewhere.example") == "b''", "444: closed, no response"
    assert host.check_output("python3 -c %s %s", _RAW, "plain.roost.test").startswith("b'HTTP/1.1 200")
    rc, out = handshake(host, "elsewhere.example")
    assert rc != 0 and ("alert unrecognized name" in out or "SSL alert number 112" in out), out[-1500:]


def test_acme_certificate_comes_from_the_acme_server(host):
    certificate = served_certificate(host, "acme.roost.test")
    assert "Pebble Intermediate CA" in certificate and "DNS:acme.roost.test" in certificate
    assert host.file("/etc/ssl/roost/acme/fullchain.pem").linked_to.startswith("/etc/letsencrypt/")
    assert host.service("certbot.timer").is_enabled


def test_acme_renewal_reloads_nginx_without_stopping_it(host):
    before = served_certificate(host, "acme.roost.test")
    master = host.check_output("cat /run/nginx.pid")
    host.check_output("REQUESTS_CA_BUNDLE=/etc/pebble/cert.pem certbot renew --force-renewal --no-random-sleep-on-renew")
    after = served_certificate(host, "acme.roost.test")
    assert re.search(r"serial=\w+", before).group() != re.search(r"serial=\w+", after).group()
    assert host.check_output("cat /run/nginx.pid") == master, "renewal reloads nginx; it never restarts it"


def test_the_selfsigned_certificate_names_the_site(host):
    certificate = served_certificate(host, "secure.roost.test")
    assert "DNS:secure.roost.test" in certificate
    assert host.file("/etc/ssl/roost/secure/privkey.pem").mode == 0o600


# --- A worker that closes a connection before answering ------------------------------------

# A WSGI app whose worker exits on the first request for each path, after reading it and before
# answering: what nginx meets when a worker being replaced (a chain reload) drops a request it took.
_DIES_ONCE = r"""
import os
def application(environ, start_response):
    path = environ["PATH_INFO"]
    with open("/run/roost-retry/requests.log", "a") as log:
        log.write(f"{environ['REQUEST_METHOD']} {path}\n")
    marker = "/run/roost-retry/seen" + path.replace("/", "-")
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"answered\n"]
"""

# METHOD PATH to the app site on port 80; prints the status nginx answered.
_REQUEST = r"""
import http.client, sys
connection = http.client.HTTPConnection("127.0.0.1", 80, timeout=10)
connection.request(sys.argv[1], sys.argv[2], body=b"x=1" if sys.argv[1] == "POST" else None,
                   headers={"Host": "app.roost.test"})
print(connection.getresponse().status)
"""


@pytest.fixture
def dying_worker(host):
    """Debian's uWSGI (two workers, a master that respawns them) on the app site's socket."""
    host.run("pkill -f '[/]run/roost-retry/app.py'; rm -rf /run/roost-retry")
    host.run("install -d -m 0755 /run/roost-retry")
    host.check_output("printf %s %s > /run/roost-retry/app.py", "%s", _DIES_ONCE)
    host.check_output("uwsgi --plugins python3 --master --processes 2 --socket /run/roost-retry/uwsgi.sock "
                      "--chmod-socket=666 --wsgi-file /run/roost-retry/app.py --daemonize /run/roost-retry/uwsgi.log")
    for _attempt in range(50):
        if host.socket("unix:///run/roost-retry/uwsgi.sock").is_listening:
            break
        time.sleep(0.2)
    yield
    host.run("pkill -f '[/]run/roost-retry/app.py'")


def test_a_get_a_worker_dropped_is_sent_again_but_a_post_never_is(host, dying_worker):
    assert host.check_output("python3 -c %s GET /page", _REQUEST) == "200"
    assert host.check_output("python3 -c %s POST /form", _REQUEST) == "502"
    # The GET reached the app twice, the POST once: nothing a visitor sent is done twice.
    assert host.file("/run/roost-retry/requests.log").content_string.splitlines() == [
        "GET /page", "GET /page", "POST /form"]


# --- Applying the role again -------------------------------------------------------------------

def test_check_mode_on_the_converged_host_reports_no_change():
    run = converge("--check", "--diff")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert re.search(r"changed=0\s", run.stdout), run.stdout[-3000:]


def test_a_bad_directive_fails_the_play_and_never_reaches_nginx(host, tmp_path):
    live = host.check_output("sha256sum /etc/nginx/sites-available/plain.conf")
    master = host.check_output("cat /run/nginx.pid")
    bad_sites = tmp_path / "bad.yml"
    bad_sites.write_text(
        "nginx_sites:\n"
        "  - {name: plain, server_names: [plain.roost.test], extra: 'bogus_directive on;',\n"
        "     static: [{location: /files/, path: /srv/www/files}]}\n")
    run = converge("-e", f"@{bad_sites}")
    said = " ".join((run.stdout + run.stderr).split())
    assert run.returncode != 0
    # nginx's own words (quotes may come JSON-escaped, as the result format prints them).
    assert re.search(r'unknown directive \\?"bogus_directive\\?"', said), said[-3000:]
    assert host.check_output("sha256sum /etc/nginx/sites-available/plain.conf") == live
    assert host.check_output("cat /run/nginx.pid") == master
    assert http_get(host, "/files/hello.txt", host_header="plain.roost.test").status == 200


def test_the_rendered_configuration_has_no_gixy_findings(host, tmp_path):
    # The host's /etc/nginx, copied here with its absolute paths pointed at the copy.
    archive = host.check_output("tar -C /etc -chzf - nginx | base64 -w0")
    tarball = tmp_path / "nginx.tgz"
    tarball.write_bytes(base64.b64decode(archive))
    shutil.unpack_archive(tarball, tmp_path)
    root = tmp_path / "nginx"
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            text = path.read_text(errors="replace")
            path.write_text(text.replace("/etc/nginx/", f"{root}/"))
    gixy = os.path.join(os.path.dirname(sys.executable), "gixy")
    run = subprocess.run([gixy, str(root / "nginx.conf")], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No issues found" in run.stdout, run.stdout
