"""Redeploy under load: perch v1 -> v2 on the demo VPS while a bounded load loop runs on its loopback.

The load (molecule/shared/loadgen.py: 4 connections, 200 requests/s, the microcache bypassed so every
request reaches uWSGI) runs for a steady stretch, through deploy.yml with a new release, and a few
seconds after. Failed requests are non-2xx answers and socket errors; p99 during the deploy is
compared with p99 of the steady stretch before it.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

VPS = "roost-demo-vps"
ROOT = Path(__file__).resolve().parent.parent


def percentile(values, fraction):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))], 2) if values else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--variant", required=True, help="a copy of perch with a new version")
    parser.add_argument("--steady", type=float, default=15)
    parser.add_argument("--controller-nice", type=int, default=0)
    args = parser.parse_args()

    subprocess.run(["docker", "cp", str(ROOT / "molecule" / "shared" / "loadgen.py"), f"{VPS}:/tmp/loadgen.py"],
                   check=True)
    subprocess.run(["docker", "exec", VPS, "rm", "-f", "/tmp/bench-load.json", "/tmp/bench-load.stop"], check=True)
    subprocess.run(["docker", "exec", "-d", VPS, "python3", "/tmp/loadgen.py", "--out", "/tmp/bench-load.json",
                    "--stop", "/tmp/bench-load.stop", "--raw", "/tmp/bench-load.raw", "--cookie", "session=roost-bench",
                    "--concurrency", "4", "--rate", "200", "--seconds", "300", "--max-requests", "60000"], check=True)
    time.sleep(args.steady)
    deploy_start = time.time()
    # The controller (ansible-playbook and the wheel build) is normally the user's laptop; here it shares
    # the VPS's two cores and competes at full priority. --controller-nice 19 stands in for a machine of
    # its own.
    run = subprocess.run(["nice", "-n", str(args.controller_nice), "ansible-playbook", "-i", "inventories/demo",
                          "playbooks/deploy.yml", "-e", f"wsgi_app_project={args.variant}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    deploy_end = time.time()
    time.sleep(5)
    subprocess.run(["docker", "exec", VPS, "touch", "/tmp/bench-load.stop"], check=True)
    for _attempt in range(60):
        if subprocess.run(["docker", "exec", VPS, "test", "-f", "/tmp/bench-load.json"], check=False).returncode == 0:
            break
        time.sleep(0.5)
    summary = json.loads(subprocess.run(["docker", "exec", VPS, "cat", "/tmp/bench-load.json"], capture_output=True,
                                        text=True, check=True).stdout)
    raw = json.loads(subprocess.run(["docker", "exec", VPS, "cat", "/tmp/bench-load.raw"], capture_output=True,
                                    text=True, check=True).stdout)
    if run.returncode != 0:
        sys.exit("the deploy under load failed:\n" + run.stdout[-3000:] + run.stderr[-2000:])
    steady = [ms for at, ms, _status in raw if at < deploy_start]
    during = [ms for at, ms, _status in raw if deploy_start <= at <= deploy_end]
    began = summary["began_epoch"]
    timeline = {}
    for at, ms, status in raw:
        slot = timeline.setdefault(int(at - began), {"requests": 0, "failures": 0, "latencies": []})
        slot["requests"] += 1
        slot["failures"] += 0 if 200 <= status < 300 else 1
        slot["latencies"].append(ms)
    report = {
        "requests": summary["requests"], "failures": summary["failures"],
        "failure_samples": summary["failure_samples"],
        "retried_on_a_new_connection": summary.get("retried_on_a_new_connection", 0),
        "deploy_seconds": round(deploy_end - deploy_start, 1),
        "controller_nice": args.controller_nice,
        "steady_p99_ms": percentile(steady, 0.99), "deploy_p99_ms": percentile(during, 0.99),
        "deploy_max_ms": max(during) if during else 0.0,
        "deploy_window_s": [round(deploy_start - began, 1), round(deploy_end - began, 1)],
        "timeline": [{"second": second, "requests": slot["requests"], "failures": slot["failures"],
                      "p99_ms": percentile(slot["latencies"], 0.99), "max_ms": max(slot["latencies"])}
                     for second, slot in sorted(timeline.items())],
    }
    report["p99_ratio"] = round(report["deploy_p99_ms"] / report["steady_p99_ms"], 2) if report["steady_p99_ms"] else None
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(f"redeploy under load: {report['requests']} requests, {report['failures']} failed, steady p99 "
          f"{report['steady_p99_ms']} ms, during the deploy p99 {report['deploy_p99_ms']} ms "
          f"(x{report['p99_ratio']}), max {report['deploy_max_ms']} ms", file=sys.stderr)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
