"""Sector benchmark over 10,000 organizations: how long the database takes to aggregate.

Works on the bench's data set (bench/dataset.py), all of whose organizations
are in one sector: by default 10,000 organizations, each with a full
106-outcome Organizational Profile rated on the status or the maturity scale
(about a million outcome rows), generated deterministically from a seed or
copied from the runner's generation. It measures:

- ``recompute``: the background job's work, scoring every counted profile into
  the stored per-Function table (Python roll-up, batches of 500 organizations);
- ``aggregate``: the SQL that computes n, mean and quartiles of every Function
  and the profile score, on both sides, for the whole sector (the target:
  under 1 s on PostgreSQL, 3 s on SQLite);
- ``benchmark``: everything the benchmark page and API do per request: the
  organization's own staleness check, the aggregate and its own rows (the first,
  untimed call also looks at the whole sector, which then waits 30 seconds);
- ``stale_check``: the sector-wide staleness query alone.

The SQL result is checked against Python's ``statistics`` on the same numbers.

    python -m bench.aggregates                      # SQLite, then PostgreSQL if it answers
    python -m bench.aggregates DATABASE_URL|-       # one database; JSON on the last line
    python -m bench.aggregates - --orgs 1000        # a smaller run
    python -m bench.aggregates URL --reuse          # measure again on generated data

Results are merged into bench/results/aggregates.json under the database's name
(``--no-save``: only printed, for the runner, which keeps its own results).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.dataset import SECTOR, measured, prepare
from bench.environment import configure, postgres_up

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "aggregates.json"
PG_URL = "postgres://postgres@127.0.0.1:5432/csfpilot_bench"
ORGS = 10_000
SEED = 6
RUNS = 15
TARGET_S = {"sqlite": 3.0, "postgresql": 1.0}

MODULE = [sys.executable, "-m", "bench.aggregates"]


def _timed(call, runs: int = RUNS) -> dict[str, float]:
    call()  # warm: connection, caches, query plans
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    median = round(statistics.median(samples), 1)
    return {"median_ms": median, "p95_ms": round(p95, 1), "runs": runs}


def _verify() -> int:
    """Compare the SQL statistics with Python's on the stored numbers; returns values checked."""
    from csfpilot.webapp.sectors.aggregates import sector_stats
    from csfpilot.webapp.sectors.models import ContributedScore

    stats = sector_stats(SECTOR)
    values: dict[tuple[str, str], list[float]] = {}
    for code, current, target in ContributedScore.objects.filter(sector=SECTOR).values_list(
        "code", "current", "target"
    ):
        for side, v in (("current", current), ("target", target)):
            if v is not None:
                values.setdefault((code, side), []).append(v)
    assert set(values) == set(stats), "the SQL and Python disagree on which numbers exist"
    for key, numbers in values.items():
        q1, median, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
        got = stats[key]
        want = (len(numbers), statistics.fmean(numbers), q1, median, q3)
        have = (got.n, got.mean, got.q1, got.median, got.q3)
        assert have[0] == want[0], key
        for a, b in zip(have[1:], want[1:], strict=True):
            assert abs(a - b) < 1e-6, (key, have, want)
    return sum(len(v) for v in values.values())


def run_one(
    url: str | None, orgs: int, seed: int, *, reuse: bool = False, data: str | None = None
) -> dict[str, object]:
    configure(url)
    from django.db import connection

    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission
    from csfpilot.webapp.sectors import queries, services
    from csfpilot.webapp.sectors.aggregates import sector_stats

    populate_s = recompute_s = None
    if reuse:
        # Measure again on the data a previous run generated (same seed and size).
        user, org, _ = measured()
        assert services.stale_organizations(SECTOR) == [], "the stored scores are stale"
    else:
        generated = prepare(url, orgs, seed, data)
        user, org = generated.user, generated.organization
        populate_s = None if data else generated.seconds
        t = time.perf_counter()
        contributing = services.recompute(SECTOR)
        recompute_s = time.perf_counter() - t
        assert contributing == orgs, (contributing, orgs)
    access = require(user, org.slug, Permission.VIEW)
    aggregate = _timed(lambda: sector_stats(SECTOR))
    stale = _timed(lambda: services.stale_organizations(SECTOR))
    page = _timed(lambda: queries.benchmark(access))
    checked = _verify()
    target = TARGET_S[connection.vendor]
    return {
        "database": connection.vendor,
        "organizations": orgs,
        "seed": seed,
        "outcome_rows": orgs * 106,  # every profile the sector counts has 106
        "populate_s": None if populate_s is None else round(populate_s, 1),
        "recompute_s": None if recompute_s is None else round(recompute_s, 1),
        "recompute_orgs_per_s": None if recompute_s is None else round(orgs / recompute_s),
        "aggregate": aggregate,
        "stale_check": stale,
        "benchmark": page,
        "target_s": target,
        # The target is the aggregate's; the request adds the viewer's own staleness check
        # (the sector-wide one runs at most every 30 s and is timed as stale_check).
        "aggregate_within_target": aggregate["p95_ms"] / 1000 < target,
        "verified_values": checked,
    }


def _save(label: str, result: dict[str, object]) -> None:
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"databases": {}}
    before = data.get("databases", {}).get(label, {})
    for key in ("populate_s", "recompute_s", "recompute_orgs_per_s"):
        if result.get(key) is None and before.get(key) is not None:
            result[key] = before[key]  # a --reuse run keeps the generation's figures
    data["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    data["machine"] = f"{platform.machine()}, Python {platform.python_version()}"
    data.setdefault("databases", {})[label] = result
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")


def _print(label: str, r: dict) -> None:
    print(
        f"[{label}] {r['organizations']:,} organizations ({r['outcome_rows']:,} outcome rows): "
        f"generated in {r['populate_s']} s, recomputed in {r['recompute_s']} s; "
        f"aggregate median {r['aggregate']['median_ms']} ms (p95 {r['aggregate']['p95_ms']}), "
        f"benchmark request median {r['benchmark']['median_ms']} ms "
        f"(p95 {r['benchmark']['p95_ms']}; target {r['target_s']} s), "
        f"stale check {r['stale_check']['median_ms']} ms",
        file=sys.stderr,
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.aggregates")
    parser.add_argument("url", nargs="?", help="a database URL, or - for SQLite")
    parser.add_argument("--orgs", type=int, default=ORGS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on a database a run generated"
    )
    parser.add_argument("--data", help="start from this copy of the data set")
    parser.add_argument("--no-save", action="store_true", help="print only; leave the file")
    args = parser.parse_args()
    if args.url is not None:
        url = None if args.url == "-" else args.url
        result = run_one(url, args.orgs, args.seed, reuse=args.reuse, data=args.data)
        label = "PostgreSQL" if result["database"] == "postgresql" else "SQLite"
        if not args.no_save:
            _save(label, result)
        _print(label, result)
        print(json.dumps(result))
        return
    targets = [("SQLite", "-")] + ([("PostgreSQL", PG_URL)] if postgres_up(PG_URL) else [])
    for _label, url in targets:
        # A fresh process per database: Django is configured once per process.
        subprocess.run(
            [*MODULE, url, "--orgs", str(args.orgs), "--seed", str(args.seed)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
