"""A bounded HTTP load loop for the test hosts: only the standard library, only 127.0.0.1.

    loadgen.py --out FILE [--path /] [--host-header localhost] [--concurrency 4] [--rate 200]
               [--seconds 180] [--max-requests 200000] [--stop FILE] [--cookie C] [--raw FILE]

--rate caps the requests per second of all connections together, so the load shows every failure
without starving the deploy it is watching (the test hosts share two cores).

It runs until --seconds pass, --max-requests are sent, or the --stop file appears, then writes
JSON to --out: totals, failures (any non-2xx answer or socket error, with samples), latency
percentiles in milliseconds, and a per-second timeline. Like a browser, it sends a GET once more on a
new connection when a kept-alive one was closed before any answer (counted as retried, not failed);
a request that fails on a fresh connection, or gets any non-2xx answer, is a failure.
"""

import argparse
import http.client
import json
import os
import threading
import time


# Closed before a status line came back: nothing of the request was answered.
NO_ANSWER = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def worker(args, deadline, budget, lock, results, retries):
    conn = None
    headers = {"Host": args.host_header, **({"Cookie": args.cookie} if args.cookie else {})}
    interval = args.concurrency / args.rate
    next_start = time.monotonic()
    while time.monotonic() < deadline and not os.path.exists(args.stop):
        next_start += interval
        pause = next_start - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        elif pause < -interval:
            next_start = time.monotonic()  # fell behind (a slow answer): no burst to catch up
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        started = time.monotonic()
        error = None
        status, error, retried = 0, None, False
        for attempt in (1, 2):
            reused = conn is not None
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", 80, timeout=10)
                conn.request("GET", args.path, headers=headers)
                response = conn.getresponse()
                response.read()
                status, error = response.status, None
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
                break
            except (OSError, http.client.HTTPException) as exc:
                status, error = 0, f"{type(exc).__name__}: {exc}"
                if conn is not None:
                    conn.close()
                conn = None
                # A kept-alive connection the server closed before answering: as browsers do (RFC 9112,
                # 9.3.1), send the idempotent GET once more on a new connection. Anything else fails.
                if attempt == 1 and reused and isinstance(exc, NO_ANSWER):
                    retried = True
                    continue
                break
        elapsed = time.monotonic() - started
        with lock:
            results.append((started, elapsed, status, error))
            retries[0] += retried


def percentile(sorted_values, fraction):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def summarize(results, began):
    latencies = sorted(elapsed * 1000 for _started, elapsed, _status, _error in results)
    failures = [(status, error) for _started, _elapsed, status, error in results if not 200 <= status < 300]
    timeline = {}
    for started, elapsed, status, _error in results:
        second = int(started - began)
        slot = timeline.setdefault(second, {"second": second, "requests": 0, "failures": 0, "max_ms": 0.0})
        slot["requests"] += 1
        slot["failures"] += 0 if 200 <= status < 300 else 1
        slot["max_ms"] = max(slot["max_ms"], round(elapsed * 1000, 2))
    statuses = {}
    for _started, _elapsed, status, _error in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "requests": len(results),
        "failures": len(failures),
        "failure_samples": [f"{status} {error or ''}".strip() for status, error in failures[:10]],
        "statuses": statuses,
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(latencies[-1], 2) if latencies else 0.0,
        "timeline": [timeline[key] for key in sorted(timeline)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--path", default="/")
    parser.add_argument("--host-header", default="localhost")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second, all connections")
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--stop", default="/tmp/loadgen.stop")
    parser.add_argument("--cookie", default="", help="a Cookie header to send (one that skips nginx's microcache)")
    parser.add_argument("--raw", default="", help="also write every request as [epoch seconds, ms, status] here")
    args = parser.parse_args()

    began, began_epoch = time.monotonic(), time.time()
    deadline = began + args.seconds
    budget, lock, results, retries = [args.max_requests], threading.Lock(), [], [0]
    threads = [threading.Thread(target=worker, args=(args, deadline, budget, lock, results, retries))
               for _worker in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    summary = summarize(results, began)
    summary["seconds"] = round(time.monotonic() - began, 2)
    summary["retried_on_a_new_connection"] = retries[0]
    summary["began_epoch"] = began_epoch
    if args.raw:
        with open(args.raw, "w") as handle:
            json.dump([[round(began_epoch + started - began, 4), round(elapsed * 1000, 2), status]
                       for started, elapsed, status, _error in results], handle)
    partial = args.out + ".partial"
    with open(partial, "w") as handle:
        json.dump(summary, handle)
    os.rename(partial, args.out)


if __name__ == "__main__":
    main()
