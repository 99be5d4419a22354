"""Run the benchmark suite and write its results (bench/results/latest.json, docs/benchmarks.md).

    python -m bench            # SQLite and, when it answers, PostgreSQL; 1,000 organizations
    python -m bench --sqlite   # SQLite only
    python -m bench --quick    # shorter HTTP load runs
    python -m bench --orgs 10000 --seed 6   # the suites that depend on the size, at 10,000
    python -m bench --only aggregates       # rerun one suite, keep the others' results
    python -m bench --only mapping          # the mapping assistant's held-out evaluation
    python -m bench --client                # like for like with the peer (bench/client.py)
    python -m bench --compare FILE          # today's client run against a published one

Each measurement runs in a fresh process on a fresh database, on this machine;
the targets are the product's (see docs/benchmarks.md). The data set
(bench/dataset.py) is generated once per database and run; the suites that use it
start from a copy. Results at 1,000 organizations go to bench/results/latest.json,
at any other size to bench/results/orgs-N.json; docs/benchmarks.md shows them all.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.dataset import ORGS, SEED
from bench.environment import postgres_up

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
PG_URL = "postgres://postgres@127.0.0.1:5432/csfpilot_bench"

SUITES: list[tuple[str, str]] = [
    ("pages", "bench.pages"),
    ("profiles", "bench.profiles"),
    # Report generation for a full profile, per format (no database involved).
    ("reports", "bench.reports"),
    # Workbook and OSCAL export, read, preview and import of the demo's full profile.
    ("exchange", "bench.exchange"),
    # A 5,000-row crosswalk imported from each format csfpilot reads crosswalks in.
    ("crosswalks", "bench.crosswalk_import"),
    # Over real HTTP against `csfpilot serve`, with the bare endpoint as the baseline.
    ("http", "bench.http_load"),
    # Sector benchmark aggregates over every organization of the data set.
    ("aggregates", "bench.aggregates"),
    # The evidence pages and coverage, with 50 evidence items per organization.
    ("evidence", "bench.evidence"),
]
# The suites that work on the data set and take its size and seed; the others measure the
# same at any size, so a run at another size than the default runs only these unless asked.
SIZED = {"profiles", "http", "aggregates", "evidence"}


def results_file(orgs: int) -> Path:
    """Where a run at this size keeps its results: sizes never overwrite each other."""
    return RESULTS_DIR / ("latest.json" if orgs == ORGS else f"orgs-{orgs}.json")


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


def _generate(url: str | None, orgs: int, seed: int, saved: str) -> dict[str, object]:
    """The data set, generated once for this database and kept as ``saved``."""
    return _run("bench.dataset", url, "--orgs", str(orgs), "--seed", str(seed), "--save", saved)


def _drop_saved(saved: str) -> None:
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
            f'DROP DATABASE IF EXISTS "{saved}"',
        ],
        capture_output=True,
        check=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--sqlite", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--quick", action="store_true", help="HTTP load runs of 2 s instead of 5 (a rough look)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=["import", "mapping", *(name for name, _ in SUITES)],
        help="run only this suite (repeatable); the others keep their last results",
    )
    parser.add_argument(
        "--orgs", type=int, default=ORGS, help=f"organizations in the data set (default {ORGS})"
    )
    parser.add_argument(
        "--seed", type=int, default=SEED, help=f"the data set's seed (default {SEED})"
    )
    parser.add_argument(
        "--pg-url", default=PG_URL, help=f"PostgreSQL database to recreate (default {PG_URL})"
    )
    parser.add_argument(
        "--client",
        action="store_true",
        help="only the like-for-like client run (bench/client.py): 1 worker and serve's "
        "default, SQLite and PostgreSQL; writes bench/results/client.json and the docs",
    )
    parser.add_argument(
        "--compare",
        metavar="FILE",
        help="run the client suite now and print it against FILE (a client.json published "
        "before); writes nothing unless --client is given too",
    )
    args = parser.parse_args()
    if args.client or args.compare:
        from bench.client_run import run_client

        run_client(args)
        return
    everything = ["import", "mapping", *(name for name, _ in SUITES)]
    if args.only:
        wanted = set(args.only)
    elif args.orgs == ORGS:
        wanted = set(everything)
    else:
        wanted = SIZED
    results_path = results_file(args.orgs)
    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    if not args.sqlite and postgres_up(args.pg_url):
        databases.append(("PostgreSQL", args.pg_url))
    results: dict[str, object] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}",
        "organizations": args.orgs,
        "seed": args.seed,
        "databases": {},
    }
    size = ("--orgs", str(args.orgs), "--seed", str(args.seed))
    if "mapping" in wanted:
        # No database involved: its own results file and section (bench/mapping_eval.py).
        print("mapping assistant: held-out evaluation…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "bench.mapping_eval"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    with tempfile.TemporaryDirectory(prefix="csfpilot-bench-data-") as keep:
        for label, url in databases:
            entry: dict[str, object] = {}
            saved = None
            if wanted & SIZED:
                saved = f"{url.rsplit('/', 1)[1]}_data" if url else f"{keep}/data.sqlite3"
                print(f"[{label}] data set: {args.orgs:,} organizations…", flush=True)
                entry["dataset"] = _generate(url, args.orgs, args.seed, saved)
            try:
                if "import" in wanted:
                    print(f"[{label}] full import of NIST's shipped files…", flush=True)
                    entry["import"] = _import_runs(url)
                for name, module in SUITES:
                    if name not in wanted:
                        continue
                    print(f"[{label}] {name}…", flush=True)
                    extra: tuple[str, ...] = ()
                    if name in SIZED:
                        extra = (*size, "--data", saved or "")
                    if name == "http" and args.quick:
                        extra = (*extra, "--quick")
                    if name == "aggregates":
                        extra = (*extra, "--no-save")
                    entry[name] = _run(module, url, *extra)
            finally:
                if url and saved:
                    _drop_saved(saved)  # a template database the size of the data set
            results["databases"][label] = entry  # type: ignore[index]
    if args.only and results_path.exists():
        # Read now, not at the start: the other suites' results may have changed meanwhile.
        previous = json.loads(results_path.read_text())
        for label, entry in results["databases"].items():  # type: ignore[union-attr]
            entry.update(
                {
                    k: v
                    for k, v in previous["databases"].get(label, {}).items()
                    if k not in wanted and k not in entry
                }
            )
    results_path.write_text(json.dumps(results, indent=2) + "\n")
    from bench.report import write_doc

    write_doc(DOC)
    print(DOC.read_text())


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
