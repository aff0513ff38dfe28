"""Serving benchmark on the demo VPS: our stack side by side with what users would pick instead.

Run by benchmarks/run (after scripts/demo). All load is generated inside the VPS container on its
loopback by wrk from Debian's packages, each run bounded to --seconds; rounds are interleaved
(every target once per round) and medians reported, at two concurrencies.

Targets, all the same perch release and home page (several posts, rendered):
  static    nginx serving a small static file (perch's stylesheet): the ceiling
  uwsgi     nginx -> unix socket -> uWSGI with the roles' defaults (the microcache bypassed by a cookie)
  gunicorn  nginx -> unix socket -> gunicorn, sync workers, 2 x cores + 1 (installed by this benchmark
            only, in /opt/roost-bench, never by the roles)
  cache     nginx's microcache, anonymous
"""

import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

VPS = "roost-demo-vps"
BENCH_DIR = "/opt/roost-bench"
GUNICORN_SOCKET = "/run/roost-bench/gunicorn.sock"
GUNICORN_PORT = 8081
BYPASS = "Cookie: session=roost-bench"  # nginx_cache_bypass_cookie: skips the microcache
TARGETS = {
    "static": {"port": 80, "path": "/static/style.css", "headers": []},
    "uwsgi": {"port": 80, "path": "/", "headers": [BYPASS]},
    "gunicorn": {"port": GUNICORN_PORT, "path": "/", "headers": []},
    "cache": {"port": 80, "path": "/", "headers": []},
}
POSTS = 8

NGINX_SITE = f"""# roost benchmark only: perch under gunicorn, as a user who picked gunicorn would serve it.
server {{
    listen 127.0.0.1:{GUNICORN_PORT};
    server_name localhost;
    location / {{
        proxy_pass http://unix:{GUNICORN_SOCKET};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
    }}
}}
"""

SEED = r"""
import http.client, json, sys
token, count = sys.argv[1], int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", 80, timeout=10)
body = ("A post the benchmark wrote, with **some emphasis**, a [link](https://example.org) and a list:\n\n"
        "- one\n- two\n- three\n\n" + "A paragraph of ordinary prose to render. " * 12)
for n in range(1, count + 1):
    conn.request("POST", "/api/posts", json.dumps({"title": f"Benchmark post {n}", "body": body}),
                 {"Host": "localhost", "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    response = conn.getresponse(); response.read()
    if response.status not in (201, 409):
        sys.exit(f"seeding post {n}: {response.status}")
"""

# Which of the stack's processes each one is, for the probes below. Each probe runs as `python3 -c`,
# so its own command line names every group: it skips itself.
PROCESSES = r"""
import json, os

def processes():
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cmd.startswith("nginx:"):
            yield pid, "nginx"
        elif "supervisord" in cmd:
            yield pid, "supervisord"
        elif "/etc/uwsgi/perch.ini" in cmd or cmd.startswith("perch "):
            yield pid, "uwsgi"
        elif "gunicorn" in cmd:
            yield pid, "gunicorn"
"""

PSS = PROCESSES + r"""
groups = {"nginx": [], "supervisord": [], "uwsgi": [], "gunicorn": []}
for pid, group in processes():
    try:
        pss = next(int(line.split()[1]) for line in open(f"/proc/{pid}/smaps_rollup") if line.startswith("Pss:"))
    except (OSError, StopIteration):
        continue
    groups[group].append(pss)
print(json.dumps({name: {"processes": len(values), "pss_mb": round(sum(values) / 1024, 1)}
                  for name, values in groups.items()}))
"""

# CPU time (user + system) the servers' processes have used so far, in clock ticks; read before and
# after each run, it gives the CPU each request cost, which the machine's noise moves far less than
# the request rate.
CPU = PROCESSES + r"""
ticks = {"nginx": 0, "supervisord": 0, "uwsgi": 0, "gunicorn": 0}
for pid, group in processes():
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    ticks[group] += int(fields[11]) + int(fields[12])
print(json.dumps({"hz": os.sysconf("SC_CLK_TCK"), "ticks": ticks}))
"""

# perch's WSGI callable alone, called in a loop with the request the uwsgi target sends: what the
# page costs without any server. Run as the app user, in the live release.
APP_ALONE = r"""
import io, os, statistics, sys, time
import perch.wsgi
app = perch.wsgi.application

def environ():
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "", "SERVER_NAME": "localhost",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "localhost",
            "HTTP_COOKIE": "session=roost-bench", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False}

def start_response(status, headers, exc_info=None):
    if not status.startswith("200"):
        sys.exit(f"perch answered {status}")

def one():
    body = app(environ(), start_response)
    b"".join(body)
    getattr(body, "close", lambda: None)()

for _ in range(300):
    one()
batches = []
for _ in range(5):
    started = time.process_time()
    for _ in range(1000):
        one()
    batches.append((time.process_time() - started) * 1000)
print(round(statistics.median(batches)))
"""


def vps(*command, check=True, input=None):
    run = subprocess.run(["docker", "exec", "-i", VPS, *command], capture_output=True, text=True, input=input,
                         timeout=600, check=False)
    if check and run.returncode != 0:
        sys.exit(f"on {VPS}: {' '.join(command)[:200]} failed:\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
    return run.stdout


def log(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


def setup(wheels_dir):
    log("Installing wrk in the VPS (Debian's package)")
    vps("sh", "-c", "command -v wrk >/dev/null || (apt-get update -qq && "
        "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null)")

    log("Seeding perch with posts through its API")
    token = vps("runuser", "-u", "perch", "--", "env", "PERCH_CONFIG=/srv/perch/shared/config.json",
                "/srv/perch/current/venv/bin/flask", "--app", "perch.wsgi", "create-token",
                f"bench-{int(time.time())}").strip()
    vps("python3", "-c", SEED, token, str(POSTS))

    log("Installing gunicorn beside the live release, for the benchmark only")
    vps("mkdir", "-p", f"{BENCH_DIR}/wheels", "/run/roost-bench")
    for wheel in Path(wheels_dir).glob("*.whl"):
        subprocess.run(["docker", "cp", str(wheel), f"{VPS}:{BENCH_DIR}/wheels/"], check=True)
    vps("sh", "-euc", f"""
        [ -x {BENCH_DIR}/venv/bin/gunicorn ] && [ "$(cat {BENCH_DIR}/release 2>/dev/null)" = "$(readlink /srv/perch/current)" ] && exit 0
        rm -rf {BENCH_DIR}/venv
        python3 -m venv --without-pip {BENCH_DIR}/venv
        pip_wheel=$(ls /usr/share/python-wheels/pip-*.whl | sort | tail -1)
        {BENCH_DIR}/venv/bin/python "$pip_wheel/pip" install -q --no-index \
            --find-links=/srv/perch/current/wheels -r /srv/perch/current/wheels/requirements.txt
        {BENCH_DIR}/venv/bin/python "$pip_wheel/pip" install -q --no-index --no-deps {BENCH_DIR}/wheels/gunicorn-*.whl
        readlink /srv/perch/current > {BENCH_DIR}/release
    """)
    cores = int(vps("nproc").strip())
    workers = 2 * cores + 1
    vps("sh", "-euc", f"""
        [ -f /run/roost-bench/gunicorn.pid ] && kill "$(cat /run/roost-bench/gunicorn.pid)" 2>/dev/null && sleep 1
        # The socket is world-writable (umask 000) but only perch and nginx (www-data) can reach its directory.
        chown perch:www-data /run/roost-bench && chmod 0750 /run/roost-bench
        cd /srv/perch/shared
        runuser -u perch -- env PERCH_CONFIG=/srv/perch/shared/config.json setsid \
            {BENCH_DIR}/venv/bin/gunicorn --workers {workers} --worker-class sync \
            --bind unix:{GUNICORN_SOCKET} --pid /run/roost-bench/gunicorn.pid --umask 000 --error-logfile /run/roost-bench/gunicorn.log \
            perch.wsgi:application >/dev/null 2>&1 < /dev/null &
        for _ in $(seq 50); do [ -S {GUNICORN_SOCKET} ] && break; sleep 0.2; done
    """)
    vps("sh", "-c", "cat > /etc/nginx/conf.d/roost-bench.conf", input=NGINX_SITE)
    vps("sh", "-c", "nginx -t -q && systemctl reload nginx")
    time.sleep(1)
    for name, target in TARGETS.items():
        status = vps("python3", "-c", "import http.client,sys; c=http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]));"
                     "h={'Host':'localhost'}; h.update(dict(x.split(': ',1) for x in sys.argv[3:]));"
                     "c.request('GET', sys.argv[2], headers=h); r=c.getresponse(); print(r.status, len(r.read()))",
                     str(target["port"]), target["path"], *target["headers"]).split()
        if status[0] != "200":
            sys.exit(f"{name}: GET {target['path']} answered {status[0]}")
        log(f"{name}: GET {target['path']} -> 200, {status[1]} bytes")
    return workers


def teardown():
    vps("sh", "-c", "rm -f /etc/nginx/conf.d/roost-bench.conf && nginx -t -q && systemctl reload nginx; "
        "kill $(cat /run/roost-bench/gunicorn.pid) 2>/dev/null || true", check=False)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(target, connections, seconds):
    spec = TARGETS[target]
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
               "-H", "Host: localhost"]
    for header in spec["headers"]:
        command += ["-H", header]
    before = json.loads(vps("python3", "-c", CPU))
    out = vps(*command, f"http://127.0.0.1:{spec['port']}{spec['path']}")
    after = json.loads(vps("python3", "-c", CPU))
    percentiles = re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    latency = {f"p{p}": float(v) * UNITS[u] for p, v, u in percentiles}
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    server = target if target in ("uwsgi", "gunicorn") else "nginx"
    cpu_us = (after["ticks"][server] - before["ticks"][server]) / after["hz"] * 1e6 / max(requests, 1)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": requests, "cpu_us_per_request": round(cpu_us),
            **{key: round(value, 2) for key, value in latency.items()},
            "errors": sum(map(int, errors.groups())) if errors else 0,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def pss():
    return json.loads(vps("python3", "-c", PSS))


def app_alone():
    """µs of CPU perch's WSGI callable spends on the home page, with no server around it."""
    return int(vps("sh", "-c", "cd /srv/perch/shared && exec runuser -u perch -- env "
                   "PERCH_CONFIG=/srv/perch/shared/config.json /srv/perch/current/venv/bin/python -",
                   input=APP_ALONE).strip())


def measure(rounds, seconds, concurrencies):
    runs = {c: {t: [] for t in TARGETS} for c in concurrencies}
    for round_number in range(1, rounds + 1):
        for connections in concurrencies:
            for target in TARGETS:  # interleaved: A B C D, A B C D, ...
                result = wrk(target, connections, seconds)
                runs[connections][target].append(result)
                log(f"round {round_number} c={connections} {target}: {result['rps']:.0f} req/s, "
                    f"p99 {result.get('p99', 0):.1f} ms, {result['cpu_us_per_request']} µs CPU per request, "
                    f"errors {result['errors']}, non-2xx {result['non_2xx']}")
    medians = {}
    for connections, targets in runs.items():
        medians[connections] = {}
        for target, results in targets.items():
            medians[connections][target] = {
                key: round(statistics.median(r.get(key, 0) for r in results), 2)
                for key in ("rps", "p50", "p75", "p90", "p99", "errors", "non_2xx", "cpu_us_per_request")}
    return runs, medians


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--wheels", required=True, help="controller directory holding the gunicorn wheel")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 64])
    args = parser.parse_args()

    workers = setup(args.wheels)
    try:
        time.sleep(5)
        idle = pss()
        runs, medians = measure(args.rounds, args.seconds, args.concurrency)
        loaded = pss()
        alone = app_alone()
        log(f"perch alone, no server: {alone} µs CPU per request")
    finally:
        teardown()
    report = {"rounds": args.rounds, "seconds_per_run": args.seconds, "gunicorn_workers": workers,
              "medians": {str(c): m for c, m in medians.items()}, "runs": {str(c): r for c, r in runs.items()},
              "pss_idle": idle, "pss_after_load": loaded, "app_alone_us_per_request": alone}
    Path(args.out).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
