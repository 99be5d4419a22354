"""Reports through ``csfpilot serve`` (one web worker): download times and every process's memory.

    python -m bench.report_memory            # report processes on (the default) and off
    python -m bench.report_memory --only on

For each setting, a fresh data folder with the demo organization, ``csfpilot serve
--workers 1 --no-worker``, and an API token of the demo owner. Then, over loopback
with a new connection per request: every report kind in every format it has, made
the first time (laid out) and again (unchanged, from the report cache, median of
``REPEAT``); the resident memory (RSS) of every server process when idle and after
that round. "Web worker" is the gunicorn worker that answers requests; "report
process" the long-lived process it lays reports out in (``CSFPILOT_REPORT_PROCESSES``).
Results: bench/results/report-memory.json and a section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.http_load import _free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "report-memory.json"
ORG = "example-manufacturing"
REPEAT = 9
FORMATS = {
    "brief": ["html", "pdf", "xlsx", "md", "docx"],
    "workpaper": ["html", "pdf", "xlsx", "md"],
}
TARGET_WORKER_MB = 120


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def _processes(master: psutil.Process) -> dict[str, float]:
    """RSS in MB of the master, the web worker and the report processes."""
    found: dict[str, float] = {"server (master)": master.memory_info().rss / 2**20}
    for child in master.children():
        line = " ".join(child.cmdline())
        if "resource_tracker" in line:
            continue
        found["web worker"] = child.memory_info().rss / 2**20
        renderers = [c for c in child.children() if "resource_tracker" not in " ".join(c.cmdline())]
        for n, renderer in enumerate(renderers, 1):
            found[f"report process {n}"] = renderer.memory_info().rss / 2**20
    return {k: round(v, 1) for k, v in found.items()}


def _get(url: str, token: str) -> tuple[float, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        body = response.read()
    return (time.perf_counter() - started) * 1000, len(body)


def demo_token(env: dict, role: str) -> str:
    """A new API token of the demo owner in the demo organization, made with the CLI."""
    made = subprocess.run(
        [
            *(sys.executable, "-m", "csfpilot"),
            *("tokens", "create", "--user", "demo@example.com", "--org", ORG),
            *("--name", "bench", "--role", role, "--json"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(made.stdout)["token"]


def _start(csfpilot: list[str], env: dict, data: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen(
        [*csfpilot, "serve", "--port", str(port), "--workers", "1", "--no-worker"],
        env=env,
        stdout=(data / "server.log").open("a"),
        stderr=subprocess.STDOUT,
    )
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return server, port
        except OSError:
            if server.poll() is not None:
                raise SystemExit((data / "server.log").read_text()) from None
            time.sleep(0.05)


def measure(processes: int) -> dict:
    data = Path(tempfile.mkdtemp(prefix="csfpilot-bench-reports-"))
    env = dict(
        os.environ,
        CSFPILOT_DATA_DIR=str(data),
        CSFPILOT_REPORT_PROCESSES=str(processes),
        PYTHONUNBUFFERED="1",
    )
    env.pop("CSFPILOT_DATABASE_URL", None)
    csfpilot = [sys.executable, "-m", "csfpilot"]
    # The first start prepares the folder (database, NIST's data, the demo, static files)
    # in the server's main process; the measured start is an everyday one.
    first, _port = _start(csfpilot, env, data)
    first.terminate()
    first.wait(timeout=60)
    server, port = _start(csfpilot, env, data)
    base = f"http://127.0.0.1:{port}"
    try:
        token = demo_token(env, "owner")
        api = f"{base}/api/organizations/{ORG}/profiles"
        listing = json.loads(
            urllib.request.urlopen(
                urllib.request.Request(api, headers={"Authorization": f"Bearer {token}"})
            ).read()
        )
        items = listing["items"] if isinstance(listing, dict) else listing
        pid = next(p["id"] for p in items if p.get("kind") != "community")
        master = psutil.Process(server.pid)
        time.sleep(3)  # the report process sets itself up when the worker starts
        idle = _processes(master)
        rows = []
        for kind, formats in FORMATS.items():
            for fmt in formats:
                url = f"{api}/{pid}/reports/{kind}?format={fmt}"
                first_ms, size = _get(url, token)
                again = [_get(url, token)[0] for _ in range(REPEAT)]
                rows.append(
                    {
                        "report": f"{kind} {fmt.upper()}",
                        "bytes": size,
                        "first_ms": round(first_ms, 1),
                        "unchanged_ms": round(statistics.median(again), 1),
                    }
                )
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        after = _processes(master)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {"report_processes": processes, "idle_mb": idle, "after_mb": after, "rows": rows}


def section(data: dict) -> list[str]:
    lines = [
        "## Reports through the server: time and memory (standalone runs)\n",
        f"`python -m bench.report_memory` (bench/results/report-memory.json): `csfpilot serve "
        f"--workers 1` on SQLite with the demo organization, each report over HTTP with a new "
        f"connection, the first time (laid out) and unchanged (median of {REPEAT}, from the "
        f"report cache); resident memory of each server process when idle and after the "
        f"round. Measured {data['when']} on {data['machine']}, commit {data['commit']}, load "
        f"average {data['load_average']}. Target: a web worker at most {TARGET_WORKER_MB} MB "
        "before and after a round of every format; an unchanged report in 10 ms.\n",
    ]
    for run in data["runs"]:
        setting = (
            f"{run['report_processes']} report process per web worker"
            if run["report_processes"]
            else "reports laid out in the web worker (`CSFPILOT_REPORT_PROCESSES=0`)"
        )
        lines += [f"**{setting}**\n", "| report | size | first | unchanged |", "|---|---|---|---|"]
        lines += [
            f"| {r['report']} | {r['bytes'] / 1024:.0f} KB | {r['first_ms']} ms | "
            f"{r['unchanged_ms']} ms |"
            for r in run["rows"]
        ]
        lines += ["", "| process | idle | after the round |", "|---|---|---|"]
        for name in run["after_mb"]:
            lines.append(
                f"| {name} | {run['idle_mb'].get(name, '—')} MB | {run['after_mb'][name]} MB |"
            )
        lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["on", "off"], action="append")
    args = parser.parse_args()
    chosen = args.only or ["on", "off"]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    runs = [measure(1 if which == "on" else 0) for which in chosen]
    data = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "commit": _commit(),
        "load_average": load,
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    from bench.report import write_doc

    write_doc(ROOT / "docs" / "benchmarks.md")
    print(json.dumps(data))


if __name__ == "__main__":
    main()
