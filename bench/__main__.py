"""Run the benchmark suite and write its results (bench/results/latest.json, docs/benchmarks.md).

    python -m bench            # SQLite and, when it answers, PostgreSQL
    python -m bench --sqlite   # SQLite only
    python -m bench --quick    # shorter HTTP load runs
    python -m bench --only aggregates   # sector aggregates over 10,000 organizations

Each measurement runs in a fresh process on a fresh database, on this machine;
the targets are the product's (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
DOC = ROOT / "docs" / "benchmarks.md"
PG_URL = "postgres://postgres@127.0.0.1:5432/csfpilot_bench"

SUITES: list[tuple[str, str]] = [
    ("pages", "bench.pages"),
    ("profiles", "bench.profiles"),
    # Report generation for a full profile, per format (no database involved).
    ("reports", "bench.reports"),
    # Workbook and OSCAL export, read, preview and import of the demo's full profile.
    ("exchange", "bench.exchange"),
    # Over real HTTP against `csfpilot serve`, with the bare endpoint as the baseline.
    ("http", "bench.http_load"),
    # Sector benchmark aggregates over 10,000 organizations (also bench/results/aggregates.json).
    ("aggregates", "bench.aggregates"),
]
# Generating 10,000 organizations takes longer than the rest of the suite together, so this
# one runs when asked for (`--only aggregates`); docs/benchmarks.md shows its latest results.
ON_REQUEST = {"aggregates"}


def _pg_up(url: str) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        return False
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
            f"CREATE DATABASE {url.rsplit('/', 1)[1]}",
        ],
        capture_output=True,
        check=False,
    )
    return True


def _run(module: str, url: str | None, *extra: str) -> object:
    proc = subprocess.run(
        [sys.executable, "-m", module, url or "-", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if module != "bench.http_load" else None,  # show its progress
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{module} failed:\n{(proc.stderr or proc.stdout)[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _import_runs(url: str | None, runs: int = 3) -> dict[str, float]:
    samples = [_run("bench.import_once", url) for _ in range(runs)]
    return {
        key: round(statistics.median(s[key] for s in samples), 3)
        for key in ("read_s", "store_s", "total_s", "peak_rss_mb")
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--sqlite", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--quick", action="store_true", help="HTTP load runs of 2 s instead of 5 (a rough look)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=["import", *(name for name, _ in SUITES)],
        help="run only this suite (repeatable); the others keep their last results",
    )
    parser.add_argument(
        "--pg-url", default=PG_URL, help=f"PostgreSQL database to recreate (default {PG_URL})"
    )
    args = parser.parse_args()
    wanted = set(args.only or ["import", *(name for name, _ in SUITES if name not in ON_REQUEST)])
    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    if not args.sqlite and _pg_up(args.pg_url):
        databases.append(("PostgreSQL", args.pg_url))
    results: dict[str, object] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}",
        "databases": {},
    }
    for label, url in databases:
        entry: dict[str, object] = {}
        if "import" in wanted:
            print(f"[{label}] full import of NIST's shipped files…", flush=True)
            entry["import"] = _import_runs(url)
        for name, module in SUITES:
            if name not in wanted:
                continue
            print(f"[{label}] {name}…", flush=True)
            extra = ("--quick",) if args.quick and name == "http" else ()
            entry[name] = _run(module, url, *extra)
        results["databases"][label] = entry  # type: ignore[index]
    if args.only and RESULTS.exists():
        # Read now, not at the start: the other suites' results may have changed meanwhile.
        previous = json.loads(RESULTS.read_text())
        for label, entry in results["databases"].items():  # type: ignore[union-attr]
            entry.update(
                {k: v for k, v in previous["databases"].get(label, {}).items() if k not in wanted}
            )
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    from bench.report import write_doc

    write_doc(results, DOC)
    print(DOC.read_text())


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
