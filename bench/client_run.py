"""``python -m bench --client`` and ``--compare FILE``: the like-for-like runs and their record.

Each database (SQLite, and PostgreSQL when it answers) gets the bench's data set once,
then bench/client.py runs against ``csfpilot serve`` with 1 worker and with serve's
default. Every run records the machine, the date, the commit and the load average
before and after it, since the same code measures differently on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.environment import postgres_up

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "bench" / "results" / "client.json"
PEER = ROOT / "bench" / "peer-ciso-assistant.json"
WORKERS = (("1 worker", 1), ("serve's default", 0))


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    total = ""
    try:
        import psutil

        total = f", {psutil.virtual_memory().total / 2**30:.0f} GB"
    except ImportError:
        pass
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{' (' + cpu + ')' if cpu else ''}{total}, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    # Results and the page they are written to do not make the code under test differ.
    changed = [
        line
        for line in git("status", "--porcelain").splitlines()
        if not line[3:].startswith(("bench/results/", "docs/benchmarks.md"))
    ]
    return head + ("+changes" if changed else "")


def _suite(url: str | None, workers: int, quick: bool, orgs: int, seed: int, saved: str) -> dict:
    args = [sys.executable, "-m", "bench.client", url or "-", "--workers", str(workers)]
    args += ["--orgs", str(orgs), "--seed", str(seed), "--data", saved]
    args += ["--quick"] if quick else []
    before = [round(x, 2) for x in os.getloadavg()]
    proc = subprocess.run(args, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"bench.client failed:\n{proc.stdout[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["load_average_before"] = before
    return out


def measure(args: argparse.Namespace) -> dict:
    from bench.__main__ import _drop_saved, _generate

    databases: list[tuple[str, str | None]] = [("SQLite", None)]
    if not args.sqlite and postgres_up(args.pg_url):
        databases.append(("PostgreSQL", args.pg_url))
    result: dict = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "commit": commit(),
        "organizations": args.orgs,
        "seed": args.seed,
        "quick": bool(args.quick),
        "databases": {},
    }
    with tempfile.TemporaryDirectory(prefix="csfpilot-bench-client-") as keep:
        for label, url in databases:
            saved = f"{url.rsplit('/', 1)[1]}_data" if url else f"{keep}/data.sqlite3"
            print(f"[{label}] data set: {args.orgs:,} organizations…", flush=True)
            _generate(url, args.orgs, args.seed, saved)
            try:
                runs = {}
                for name, workers in WORKERS:
                    print(f"[{label}] client run, {name}…", flush=True)
                    runs[name] = _suite(url, workers, args.quick, args.orgs, args.seed, saved)
                result["databases"][label] = runs
            finally:
                if url:
                    _drop_saved(saved)
    return result


def run_client(args: argparse.Namespace) -> None:
    published = json.loads(Path(args.compare).read_text()) if args.compare else None
    today = measure(args)
    if args.client:
        RESULT.write_text(json.dumps(today, indent=2) + "\n")
        from bench.report import DOC, write_doc

        write_doc(DOC)
        print(f"wrote {RESULT.relative_to(ROOT)} and {DOC.relative_to(ROOT)}")
    from bench.comparison import client_table, compare_lines

    print("\n".join(client_table(today, json.loads(PEER.read_text()))))
    if published is not None:
        print("\n".join(compare_lines(today, published)))
