"""One suite before and after a change, run in turns on the same data set and machine.

    python -m bench.before_after --before <commit> [--suite profiles] [--rows NAME ...]
        [--turns 2] [--label TEXT] [--note TEXT]

The code as it was at ``--before`` (``git archive``, into a temporary folder) and the
checkout as it is now each run the suite in a fresh process on a copy of one
generated data set (SQLite), in turns (before, after, before, after…), so that
the load of whatever else the machine runs falls on both alike; the machine's
load average is noted at every turn. For each row, the median over the turns of
the suite's medians, of server time and of CPU time (bench/timing.py) is kept in
bench/results/before-after-SUITE.json, which docs/benchmarks.md shows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.dataset import ORGS, SEED

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def _extract(commit: str, into: Path) -> None:
    archive = into / "tree.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, stdout=out)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")


def _suite(tree: Path, suite: str, data: Path, orgs: int, seed: int) -> list[dict]:
    # The bench's own code is today's in both turns (CPU time included); the app is the tree's.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree / "src"), str(ROOT)])}
    size = ["--orgs", str(orgs), "--seed", str(seed), "--data", str(data)]
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.{suite}", "-", *size],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench.{suite} on {tree} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _load() -> list[float]:
    return [round(x, 1) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.before_after")
    parser.add_argument("--before", required=True, help="the commit before the change")
    parser.add_argument("--suite", default="profiles", help="a suite on the data set")
    parser.add_argument("--rows", nargs="*", help="only these rows (default: all)")
    parser.add_argument("--turns", type=int, default=2, help="runs of each side (default 2)")
    parser.add_argument("--label", default="", help="what changed, for the report")
    parser.add_argument("--note", default="", help="what to read in the figures, for the report")
    parser.add_argument("--orgs", type=int, default=ORGS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    before = _git("rev-parse", "--short", args.before)
    after = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "src"))
    samples: dict[str, dict[str, list[dict]]] = {"before": {}, "after": {}}
    loads: list[list[float]] = []
    with tempfile.TemporaryDirectory(prefix="csfpilot-before-after-") as tmp:
        work = Path(tmp)
        old = work / "before"
        old.mkdir()
        _extract(before, old)
        data = work / "data.sqlite3"
        print(f"data set: {args.orgs:,} organizations…", flush=True)
        size = ["--orgs", str(args.orgs), "--seed", str(args.seed), "--save", str(data)]
        subprocess.run(
            [sys.executable, "-m", "bench.dataset", "-", *size],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        for turn in range(args.turns):
            for side, tree in (("before", old), ("after", ROOT)):
                loads.append(_load())
                print(f"turn {turn + 1}: {side}…", flush=True)
                for row in _suite(tree, args.suite, data, args.orgs, args.seed):
                    samples[side].setdefault(row["name"], []).append(row)
        loads.append(_load())
    names = [n for n in samples["after"] if not args.rows or n in args.rows]
    rows = []
    for name in names:
        entry: dict[str, object] = {"name": name}
        for side in ("before", "after"):
            runs = samples[side].get(name, [])
            for stat in ("median_ms", "cpu_median_ms"):
                values = [r[stat] for r in runs if r.get(stat) is not None]
                entry[f"{side}_{stat}"] = round(statistics.median(values), 2) if values else None
        rows.append(entry)
    result = {
        "label": args.label,
        "note": args.note,
        "suite": args.suite,
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "database": "SQLite",
        "organizations": args.orgs,
        "seed": args.seed,
        "before": before,
        "after": after + (" with uncommitted changes" if dirty else ""),
        "turns": args.turns,
        "load_averages": loads,
        "rows": rows,
    }
    # One file per suite, so that a run of one suite keeps the others' last runs.
    (RESULTS / f"before-after-{args.suite}.json").write_text(json.dumps(result, indent=2) + "\n")
    from bench.report import write_doc

    write_doc(ROOT / "docs" / "benchmarks.md")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
