"""The whole stack on a converged host: nginx -> unix socket -> uWSGI under supervisord -> perch.

Converged by playbooks/site.yml as a user runs it, with TLS (self-signed) and the microcache on.
"""

import json
import re
import time

import pytest
from conftest import http_get, process_tree, recap_changes, run_playbook, supervised_pid, supervisord_pid


@pytest.fixture
def http(host):
    """GET over HTTPS through nginx, as visitors of a TLS site do."""
    return lambda path: http_get(host, path, scheme="https")


APP = "perch"
SOCKET = f"/run/uwsgi/{APP}/uwsgi.sock"


@pytest.mark.parametrize("package", ["nginx", "logrotate", "supervisor", "python3-venv"])
def test_package_installed(host, package):
    assert host.package(package).is_installed


@pytest.mark.parametrize("service", ["nginx", "supervisor"])
def test_service_enabled_and_running(host, service):
    assert host.service(service).is_enabled
    assert host.service(service).is_running


def test_uwsgi_runs_under_supervisor_as_the_app_user(host):
    master = supervised_pid(host, APP)
    tree = process_tree(host, master)
    assert len(tree) == 3, f"expected a master and 2 workers, got {sorted(tree)}"
    for pid in tree:
        process = host.process.get(pid=pid)
        assert process.user == APP
        assert "uwsgi" in process.args


def memory_kb(host, pid):
    """A process's /proc/<pid>/smaps_rollup, in kB."""
    rollup = host.check_output(f"cat /proc/{pid}/smaps_rollup")
    return {key: int(value) for key, value in re.findall(r"^(\w+):\s+(\d+) kB", rollup, re.MULTILINE)}


def test_supervisord_runs_without_pkg_resources(host):
    pid = supervisord_pid(host)
    assert "/usr/local/sbin/roost-supervisord" in host.file(f"/proc/{pid}/cmdline").content_string
    # Debian's supervisord held 20-21 MB of its own with pkg_resources, 12-13 MB without.
    assert memory_kb(host, pid)["Private_Dirty"] < 16_000
    # What it imports pkg_resources for: the rpcinterface supervisorctl talks to.
    assert "RUNNING" in host.check_output(f"supervisorctl status {APP}")


def test_uwsgi_workers_share_the_libraries_the_master_preloaded(host):
    master = supervised_pid(host, APP)
    record = json.loads(host.file(f"/run/uwsgi/{APP}/preloaded.json").content_string)
    assert record["pid"] == master
    for distribution in ("flask", "flask-wtf", "sqlalchemy", "markdown", "nh3", "jinja2", "werkzeug"):
        assert distribution in record["distributions"], f"{distribution} is not preloaded: {record}"
    assert "perch" not in record["distributions"], "the app itself must load in each worker"
    for worker in process_tree(host, master) - {master}:
        memory = memory_kb(host, worker)
        # Pages of the master's heap still shared after the fork: about 3 MB when nothing is preloaded,
        # 22-26 MB with perch's libraries. Privately, each worker holds 36 MB without them, 11-15 MB with.
        assert memory["Shared_Dirty"] > 10_000, memory
        assert memory["Private_Dirty"] < 25_000, memory


def test_socket_is_private_to_the_app_and_nginx(host):
    socket = host.file(SOCKET)
    assert socket.is_socket
    assert socket.user == APP
    assert socket.group == "www-data"
    assert socket.mode == 0o660


def test_uwsgi_listens_on_no_tcp_or_udp_port(host):
    tree = process_tree(host, supervised_pid(host, APP))
    listening = host.check_output("ss -Htulnp")
    nginx = host.process.filter(comm="nginx")
    # The check can see listeners at all: nginx must show up in the same listing.
    assert any(f"pid={p.pid}," in listening for p in nginx)
    for pid in tree:
        assert f"pid={pid}," not in listening
    unix = host.check_output("ss -Hxlp")
    assert SOCKET in unix


def test_home_page_through_nginx(host, http):
    response = http("/")
    assert response.status == 200
    assert "Welcome to perch" in response.body
    live = host.file(f"/srv/{APP}/current").linked_to.rsplit("/", 1)[-1]
    assert response.headers["x-perch-release"] == live
    assert response.headers["server"] == "nginx"  # server_tokens off: no version


def test_static_file_is_served_by_nginx_not_uwsgi(host, http):
    response = http("/static/style.css")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "cache-control" in response.headers  # nginx's `expires`
    assert "x-cache-status" not in response.headers  # never reached the app's location
    # Anything that went through perch carries its release header; a file nginx served does not.
    assert "x-perch-release" not in response.headers
    on_disk = host.check_output(
        f"find /srv/{APP}/current/venv/lib -path '*/perch/static/style.css' -exec cat {{}} +")
    assert response.body.strip() == on_disk.strip()


def test_fingerprinted_static_name_is_served_by_nginx_for_a_year(http):
    # perch links to /static/style.<digest>.css; nginx strips the digest and lets browsers keep it.
    linked = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', http("/").body).group(1)
    response = http(linked)
    assert response.status == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "x-perch-release" not in response.headers
    assert "strict-transport-security" in response.headers  # the headers survive the nested location
    assert response.body == http("/static/style.css").body
    assert http("/static/missing.0123456789ab.css").status == 404


def test_links_keep_the_port_the_client_used(host):
    # Debian's uwsgi_params pass $host (no port): behind a mapped port the feed's links broke.
    response = http_get(host, "/feed.xml", host_header="localhost:8443", scheme="https")
    assert "<id>https://localhost:8443/blog/welcome</id>" in response.body


def test_health_check(http):
    response = http("/healthz")
    assert response.status == 200
    assert response.json()["status"] == "ok"


def test_health_is_never_cached_and_tells_the_truth_when_the_app_is_down(host, http):
    # The microcache is on: pages are cached, and served stale while the app is down (a feature).
    page = http("/")
    assert page.status == 200 and page.headers.get("x-cache-status"), "pages should pass through the cache"
    for _attempt in range(3):
        answer = http("/healthz")
        assert answer.status == 200 and "x-cache-status" not in answer.headers
        assert answer.headers["cache-control"] == "no-store"
    host.check_output(f"supervisorctl stop {APP}")
    try:
        down = http("/healthz")
        assert 500 <= down.status < 600 and "x-cache-status" not in down.headers, (down.status, down.headers)
        assert down.elapsed < 1.0, f"/healthz took {down.elapsed:.2f}s to say the app is down"
        page = http("/")
        assert page.status == 200 and page.headers.get("x-cache-status") in ("HIT", "STALE"), (page.status, page.headers)
    finally:
        host.check_output(f"supervisorctl start {APP}")
    supervised_pid(host, APP)
    for _attempt in range(20):
        if http("/healthz").status == 200:
            break
        time.sleep(0.5)
    assert http("/healthz").status == 200


def test_unknown_page_is_perchs_404(http):
    assert http("/no-such-page").status == 404


def test_release_layout_and_ownership(host):
    current = host.file(f"/srv/{APP}/current")
    assert current.is_symlink
    assert re.fullmatch(r"releases/[0-9a-f]{12}", current.linked_to.split(f"/srv/{APP}/", 1)[-1])
    release = host.file(f"/srv/{APP}/current/venv")
    assert release.user == "root"
    # The app can write its data, and nothing of its code.
    assert host.run(f"sudo -u {APP} test -w /srv/{APP}/shared/data").rc == 0
    assert host.run(f"sudo -u {APP} test -w /srv/{APP}/current/venv/bin").rc != 0


def test_config_holds_a_secret_only_the_app_can_read(host):
    config = host.file(f"/srv/{APP}/shared/config.json")
    assert config.user == "root"
    assert config.group == APP
    assert config.mode == 0o640
    assert len(host.check_output(f"cat /srv/{APP}/shared/secret_key")) >= 32


def test_plain_http_redirects_to_https(host):
    response = http_get(host, "/healthz")
    assert response.status == 301 and response.headers["location"] == "https://localhost/healthz"


def test_http2_is_negotiated(host):
    # Debian 12's nginx takes `listen ... http2`, Debian 13's `http2 on`: the role writes each its own.
    # Only the printable text: after the handshake the server's first HTTP/2 frames are binary.
    out = host.run("openssl s_client -connect 127.0.0.1:443 -servername localhost -alpn h2 </dev/null 2>&1"
                   " | tr -cd '\\11\\12\\40-\\176'").stdout
    assert "ALPN protocol: h2" in out, out[-1500:]


def test_https_answers_with_hsts_and_security_headers(http):
    response = http("/healthz")
    assert response.status == 200
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_microcache_serves_anonymous_pages_and_skips_sessions(host, http):
    statuses = []
    for _attempt in range(3):
        statuses.append(http("/").headers.get("x-cache-status"))
    assert "HIT" in statuses, f"anonymous GETs within the cache validity should hit: {statuses}"
    with_session = host.check_output(
        "python3 -c %s", "import http.client, socket, ssl; c = ssl._create_unverified_context(); "
        "h = http.client.HTTPSConnection('127.0.0.1', 443, context=c); "
        "h.sock = c.wrap_socket(socket.create_connection(('127.0.0.1', 443)), server_hostname='localhost'); "
        "h.request('GET', '/', headers={'Host': 'localhost', 'Cookie': 'session=editor'}); "
        "print(h.getresponse().getheader('X-Cache-Status'))")
    assert with_session == "BYPASS", "a logged-in editor must always reach the app"


def test_harakiri_is_below_nginx_read_timeout(host):
    ini = host.file(f"/etc/uwsgi/{APP}.ini").content_string
    site = host.file(f"/etc/nginx/sites-available/{APP}.conf").content_string
    harakiri = int(re.search(r"^harakiri = (\d+)$", ini, re.MULTILINE).group(1))
    read_timeout = int(re.search(r"uwsgi_read_timeout (\d+);", site).group(1))
    assert 0 < harakiri < read_timeout


def test_check_mode_on_the_converged_host_reports_no_change():
    run = run_playbook("site", "--check", "--diff")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert set(recap_changes(run.stdout).values()) == {0}, run.stdout[-4000:]
