"""Fold the benchmark's JSON files into one report: report.json, report.md and PNG plots."""

import json
import sys
from pathlib import Path

TARGETS = {"static": "nginx static file (ceiling)", "uwsgi": "perch via nginx → uWSGI",
           "gunicorn": "perch via nginx → gunicorn", "cache": "perch from nginx's microcache"}


def load(directory, name):
    path = directory / name
    return json.loads(path.read_text()) if path.exists() else None


def check(results, name, ok, detail):
    results.append({"target": name, "met": bool(ok), "detail": detail})


def targets_met(serving, memory, deploys, bare, redeploy):
    results = []
    for c, medians in serving["medians"].items():
        ratio = medians["uwsgi"]["rps"] / medians["gunicorn"]["rps"]
        check(results, f"uWSGI ≥ 1.4× gunicorn (c={c})", ratio >= 1.4, f"{ratio:.2f}×")
        ratio = medians["cache"]["rps"] / medians["static"]["rps"]
        check(results, f"microcache ≥ 0.9× static req/s (c={c})", ratio >= 0.9, f"{ratio:.2f}×")
        ratio = medians["cache"]["p99"] / medians["static"]["p99"] if medians["static"]["p99"] else 0
        check(results, f"microcache p99 ≤ 2× static p99 (c={c})", ratio <= 2,
              f"{medians['cache']['p99']} ms vs {medians['static']['p99']} ms ({ratio:.2f}×)")
    idle = sum(memory[name]["pss_mb"] for name in ("nginx", "supervisord", "uwsgi"))
    check(results, "stack idle PSS ≤ 80 MB", idle <= 80, f"{idle:.1f} MB")
    if deploys:
        check(results, "no-op rerun ≤ 15 s", deploys["noop_median_s"] <= 15, f"{deploys['noop_median_s']} s")
        check(results, "redeploy ≤ 30 s", deploys["redeploy_median_s"] <= 30, f"{deploys['redeploy_median_s']} s")
    if bare:
        check(results, "bare host → serving ≤ 180 s", bare["seconds"] <= 180, f"{bare['seconds']} s")
    if redeploy:
        check(results, "redeploy under load: 0 failed", redeploy["failures"] == 0,
              f"{redeploy['failures']} of {redeploy['requests']}")
        check(results, "redeploy under load: p99 ≤ 3× steady", (redeploy["p99_ratio"] or 99) <= 3,
              f"{redeploy['deploy_p99_ms']} ms vs {redeploy['steady_p99_ms']} ms ({redeploy['p99_ratio']}×)")
    return results


def markdown(serving, memory_idle, memory_loaded, deploys, bare, redeploy, results):
    lines = [f"Medians of {serving['rounds']} interleaved rounds of {serving['seconds_per_run']} s each, wrk inside "
             f"the VPS container on its loopback; gunicorn: {serving['gunicorn_workers']} sync workers.", ""]
    concurrencies = list(serving["medians"])
    lines.append("| target | " + " | ".join(f"req/s c={c} | p99 c={c}" for c in concurrencies) + " |")
    lines.append("|---|" + "---|---|" * len(concurrencies))
    for target, label in TARGETS.items():
        cells = []
        for c in concurrencies:
            m = serving["medians"][c][target]
            cells += [f"{m['rps']:,.0f}", f"{m['p99']} ms"]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    alone = serving.get("app_alone_us_per_request")
    if alone:
        lines += ["", "| CPU per request (workers) | " + " | ".join(f"c={c}" for c in concurrencies) + " |",
                  "|---|" + "---|" * len(concurrencies),
                  "| perch alone, no server | " + " | ".join(f"{alone} µs" for _concurrency in concurrencies) + " |"]
        for target in ("uwsgi", "gunicorn"):
            cells = [f"{serving['medians'][c][target]['cpu_us_per_request']:.0f} µs "
                     f"(+{serving['medians'][c][target]['cpu_us_per_request'] - alone:.0f})" for c in concurrencies]
            lines.append(f"| {TARGETS[target]} | " + " | ".join(cells) + " |")
    lines += ["", "| memory (PSS) | idle | after load |", "|---|---|---|"]
    for name in ("nginx", "supervisord", "uwsgi", "gunicorn"):
        lines.append(f"| {name} ({memory_idle[name]['processes']} processes) | {memory_idle[name]['pss_mb']} MB | "
                     f"{memory_loaded[name]['pss_mb']} MB |")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {r['target']} | {r['detail']} | {'yes' if r['met'] else '**no**'} |" for r in results]
    if redeploy:
        lines += ["", f"Redeploy under load: {redeploy['requests']} requests at 200/s, {redeploy['failures']} failed "
                  f"({redeploy['retried_on_a_new_connection']} retried on a new connection after a kept-alive one "
                  f"closed), deploy {redeploy['deploy_seconds']} s, p99 steady {redeploy['steady_p99_ms']} ms, "
                  f"during the deploy {redeploy['deploy_p99_ms']} ms, max {redeploy['deploy_max_ms']} ms."]
    return "\n".join(lines) + "\n"


def plots(directory, serving, redeploy):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    concurrencies = list(serving["medians"])
    labels = [TARGETS[t].replace(" via ", "\nvia ").replace(" from ", "\nfrom ").replace(" (", "\n(") for t in TARGETS]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(concurrencies)
    for i, c in enumerate(concurrencies):
        values = [serving["medians"][c][t]["rps"] for t in TARGETS]
        bars = ax.bar([x + i * width for x in range(len(TARGETS))], values, width, label=f"{c} connections")
        ax.bar_label(bars, fmt="{:,.0f}", fontsize=8)
    ax.set_xticks([x + width * (len(concurrencies) - 1) / 2 for x in range(len(TARGETS))], labels, fontsize=8)
    ax.set_ylabel("requests/s (median)")
    ax.set_title("Requests per second, same host, same perch release")
    ax.legend()
    fig.tight_layout()
    fig.savefig(directory / "requests-per-second.png", dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(concurrencies), figsize=(10, 4), sharey=False)
    for ax, c in zip(axes if len(concurrencies) > 1 else [axes], concurrencies):
        for t in TARGETS:
            m = serving["medians"][c][t]
            ax.plot(["p50", "p75", "p90", "p99"], [m["p50"], m["p75"], m["p90"], m["p99"]], marker="o", label=t)
        ax.set_title(f"latency, {c} connections")
        ax.set_ylabel("ms")
        ax.set_yscale("log")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(directory / "latency-percentiles.png", dpi=110)
    plt.close(fig)

    if redeploy:
        seconds = [s["second"] for s in redeploy["timeline"]]
        fig, ax = plt.subplots(figsize=(9, 4))
        ax.plot(seconds, [s["p99_ms"] for s in redeploy["timeline"]], label="p99 latency (ms)")
        ax.plot(seconds, [s["max_ms"] for s in redeploy["timeline"]], label="max latency (ms)", alpha=0.6)
        ax.bar(seconds, [s["failures"] for s in redeploy["timeline"]], color="red", label="failed requests")
        ax.axvspan(*redeploy["deploy_window_s"], color="grey", alpha=0.2, label="deploy.yml running")
        ax.set_xlabel("seconds")
        ax.set_yscale("symlog")
        ax.set_title(f"Redeploy under load: {redeploy['requests']} requests, {redeploy['failures']} failed")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(directory / "redeploy-timeline.png", dpi=110)
        plt.close(fig)


def main():
    directory = Path(sys.argv[1])
    serving = load(directory, "serving.json")
    deploys = load(directory.parent, "deploy-timings.json")
    bare, redeploy = load(directory, "bare-host.json"), load(directory, "redeploy-under-load.json")
    results = targets_met(serving, serving["pss_idle"], deploys, bare, redeploy)
    report = {"serving": serving["medians"], "app_alone_us_per_request": serving.get("app_alone_us_per_request"),
              "pss_idle": serving["pss_idle"], "pss_after_load": serving["pss_after_load"],
              "deploy_timings": deploys, "bare_host": bare,
              "redeploy_under_load": {k: v for k, v in (redeploy or {}).items() if k != "timeline"},
              "targets": results}
    (directory / "report.json").write_text(json.dumps(report, indent=2))
    text = markdown(serving, serving["pss_idle"], serving["pss_after_load"], deploys, bare, redeploy, results)
    (directory / "report.md").write_text(text)
    plots(directory, serving, redeploy)
    print(text)
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
