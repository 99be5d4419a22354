"""Write docs/benchmarks.md from a results dictionary."""

from __future__ import annotations

import json
from pathlib import Path

AGGREGATES = Path(__file__).resolve().parent / "results" / "aggregates.json"

TARGETS = {
    "import": "full import under 2 s",
    "pages": "catalog pages under 20 ms median server time, search under 50 ms",
    "profiles": "each under 30 ms median server time with 1,000 organizations",
    "aggregates": "sector aggregate over 10,000 organizations under 1 s on PostgreSQL, 3 s on "
    "SQLite",
    "http": "read endpoints at least a third of the bare endpoint's requests/s; cold start "
    "under 2 s; each worker under 150 MB",
}

HEAD = """# Benchmarks

Run them with `make bench` (or `.venv/bin/python -m bench`; `--sqlite` skips PostgreSQL,
`--only http` reruns one suite and keeps the others' last results, `--quick` shortens the
HTTP load runs).
Each suite runs in a fresh process on a fresh database. Times for pages and API calls are
**server time** (the app's `Server-Timing` header), median and 95th percentile over 50
requests after 5 warm-up requests. The import is NIST's shipped files (CSF 2.0 Core and
examples, CSF 1.1, SP 800-53 Rev. 5 with four baselines, nine crosswalk datasets) read and
stored into an empty database, median of three cold runs; memory is the process's peak
resident set.

Targets on a 2-core machine: {targets}.

These are the latest results, written by the benchmark itself.
"""


def write_doc(results: dict, path: Path) -> None:
    lines = [HEAD.format(targets="; ".join(TARGETS.values()))]
    lines.append(f"Measured {results['when']} on {results['machine']}.\n")
    for db, entry in results["databases"].items():
        lines.append(f"## {db}\n")
        imp = entry["import"]
        lines.append("| full import | read files | store | total | peak memory |")
        lines.append("|---|---|---|---|---|")
        lines.append(
            f"| NIST's shipped files | {imp['read_s']} s | {imp['store_s']} s | "
            f"{imp['total_s']} s | {imp['peak_rss_mb']} MB |\n"
        )
        for suite, rows in entry.items():
            if suite in {"import", "http", "aggregates"}:
                continue
            lines.append(f"| {suite} | median | p95 |")
            lines.append("|---|---|---|")
            for r in rows:
                lines.append(f"| {r['name']} | {r['median_ms']} ms | {r['p95_ms']} ms |")
            lines.append("")
        if "http" in entry:
            lines.extend(http_section(entry["http"]))
    if AGGREGATES.exists():
        lines.extend(aggregates_section(json.loads(AGGREGATES.read_text())))
    path.write_text("\n".join(lines))


def aggregates_section(data: dict) -> list[str]:
    lines = [
        "## Sector aggregates\n",
        "`python -m bench --only aggregates` (or `python -m bench.aggregates`): a deterministic "
        "data set of organizations in one sector, each with a counted profile, then the sector's "
        "mean, median and quartiles of every Function score computed by the database, median "
        f"and p95 over repeated runs. Measured {data.get('when', 'at an unknown time')}.\n",
        "| database | organizations | outcome rows | aggregate median | p95 | whole benchmark "
        "request | staleness check | recompute all scores | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for db, r in data["databases"].items():
        lines.append(
            f"| {db} | {r['organizations']:,} | {r['outcome_rows']:,} | "
            f"{r['aggregate']['median_ms']} ms | {r['aggregate']['p95_ms']} ms | "
            f"{r['benchmark']['median_ms']} ms | {r['stale_check']['median_ms']} ms | "
            f"{r['recompute_s']} s | {r['target_s']} s |"
        )
    lines.append("")
    return lines


HTTP_HEAD = """### Over HTTP: `csfpilot serve` under load

{workers} gunicorn worker processes × {threads} threads, loaded over loopback by closed-loop
clients on keep-alive connections, {seconds_per_run:g} s per row after 1 s of warm-up; the load
generator runs on the same cores. The bare endpoint (`/healthz`: the same middleware, no
work) runs for half as long right before each operation, at the same concurrency; *vs bare*
is the operation's requests/s over that run's, and the bare row sums all its runs. Latency
is the client's, so it includes queueing.

Start: {first_start_s} s to the first answer on a new installation (collects and compresses
the static files), **{cold_start_s} s** on every later start{cpu}.

Memory: {memory}; peak {peak_rss_mb} MB for the whole server (main process and
workers) under load. The machine's load average (1, 5, 15 min) when the runs ended: {load}.
"""


def http_section(http: dict) -> list[str]:
    loaded = http["loaded_workers"]
    memory = "each worker " + ", ".join(
        f"{w['rss_mb']} MB resident ({w['pss_mb']} MB its own share)" for w in loaded
    )
    load = ", ".join(str(x) for x in http.get("load_average", [])) or "not recorded"
    cpu = (
        f" ({http['cold_start_cpu_s']} s of CPU time in the server's processes by then: the "
        "start's own cost, whatever else the machine runs)"
        if "cold_start_cpu_s" in http
        else ""
    )
    lines = [HTTP_HEAD.format(memory=memory, load=load, cpu=cpu, **http)]
    lines.append(
        "| operation | clients | req/s | bare req/s | vs bare | p50 | p95 | p99 | errors |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for r in http["rows"]:
        lines.append(
            f"| {r['name']} | {r['clients']} | {r['rps']} | {r.get('bare_rps', '')} | "
            f"{r['vs_bare']} | "
            f"{r['p50_ms']} ms | {r['p95_ms']} ms | {r['p99_ms']} ms | {r['errors']} |"
        )
    lines.append("")
    return lines
