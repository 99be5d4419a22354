"""Sector benchmark over 10,000 organizations: how long the database takes to aggregate.

Generates, deterministically from a seed, ORGS organizations of one sector, each
with a full 106-outcome Organizational Profile rated on the status or the
maturity scale (about a million outcome rows, written with bulk inserts), then
measures:

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

Results are merged into bench/results/aggregates.json under the database's name.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.environment import configure, fresh_schema

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "aggregates.json"
PG_URL = "postgres://postgres@127.0.0.1:5432/csfpilot_bench"
SECTOR = "energy"
ORGS = 10_000
SEED = 6
BATCH = 500
RUNS = 15
TARGET_S = {"sqlite": 3.0, "postgresql": 1.0}

PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc"]
MODULE = [sys.executable, "-m", "bench.aggregates"]

STATUS = ["not", "partially", "largely", "fully"]
MATURITY = [0, 1, 2, 3, 4, 5]


def _level(rng: random.Random, levels: list, maturity: float) -> object:
    # Around the organization's overall maturity, so that Functions and organizations differ.
    x = min(max(rng.gauss(maturity, 0.22), 0.0), 0.999)
    return levels[int(x * len(levels))]


def _outcome_writer(connection: object) -> tuple[str, list[object], dict[str, int]]:
    """An INSERT for outcome rows, a row of defaults, and where the varying columns go.

    Rows are written with ``executemany`` on the driver, not as model instances:
    a million Django objects would take most of the run and of the memory.
    The defaults are prepared by the model's own fields, so they are stored
    exactly as the ORM stores them.
    """
    from csfpilot.webapp.profiles.models import ProfileOutcome

    fields = [f for f in ProfileOutcome._meta.concrete_fields if not f.primary_key]
    blank = ProfileOutcome(profile_id=0, node_id=0, code="", position=0)
    defaults = []
    for f in fields:
        value = f.pre_save(blank, add=True) if getattr(f, "auto_now", False) else None
        if value is None:
            value = getattr(blank, f.attname)
        defaults.append(f.get_db_prep_save(value, connection))
    table = connection.ops.quote_name(ProfileOutcome._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    where = {f.attname: i for i, f in enumerate(fields)}
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})", defaults, where


def populate(orgs: int, seed: int) -> object:
    """ORGS organizations of SECTOR with one rated profile each; returns the first one's owner."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from csfpilot.webapp.catalog.models import Framework
    from csfpilot.webapp.catalog.services import ensure_bundled_catalogs
    from csfpilot.webapp.organizations.models import Membership, Organization
    from csfpilot.webapp.profiles.models import Profile, ProfileOutcome
    from csfpilot.webapp.profiles.persist import outcome_nodes

    ensure_bundled_catalogs()
    fw = Framework.objects.get(key="csf-2.0")
    nodes = outcome_nodes(fw)
    sql, defaults, at = _outcome_writer(connection)
    json_of = ProfileOutcome._meta.get_field("current")
    prepared: dict[object, object] = {}

    def prep(value: object) -> object:
        if value not in prepared:
            prepared[value] = json_of.get_db_prep_save(value, connection)
        return prepared[value]

    rng = random.Random(seed)
    user = get_user_model().objects.create(username="bench", email="bench@example.com")
    for start in range(0, orgs, BATCH):
        with transaction.atomic():
            made = Organization.objects.bulk_create(
                [
                    Organization(name=f"Member {i:05d}", slug=f"member-{i:05d}", sector=SECTOR)
                    for i in range(start, min(start + BATCH, orgs))
                ]
            )
            if start == 0:
                Membership.objects.create(user=user, organization=made[0], role="viewer")
            scales = ["maturity" if rng.random() < 0.3 else "status" for _ in made]
            profiles = Profile.objects.bulk_create(
                [
                    Profile(organization=o, name="Current state", framework=fw, scale=scale)
                    for o, scale in zip(made, scales, strict=True)
                ]
            )
            rows = []
            for profile, scale in zip(profiles, scales, strict=True):
                levels = MATURITY if scale == "maturity" else STATUS
                maturity = rng.uniform(0.05, 0.95)
                for node_id, code, position in nodes:
                    row = list(defaults)
                    row[at["profile_id"]] = profile.pk
                    row[at["node_id"]] = node_id
                    row[at["code"]] = code
                    row[at["position"]] = position
                    row[at["included"]] = rng.random() > 0.03
                    assessed = rng.random() > 0.1
                    current = _level(rng, levels, maturity) if assessed else None
                    row[at["current"]] = prep(current)
                    row[at["target"]] = prep(_level(rng, levels, min(maturity + 0.25, 0.99)))
                    rows.append(row)
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
    return user


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


def run_one(url: str | None, orgs: int, seed: int, *, reuse: bool = False) -> dict[str, object]:
    configure(url)
    if not reuse:
        fresh_schema(url)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission
    from csfpilot.webapp.sectors import queries, services
    from csfpilot.webapp.sectors.aggregates import sector_stats

    populate_s = recompute_s = None
    if reuse:
        # Measure again on the data a previous run generated (same seed and size).
        user = get_user_model().objects.get(username="bench")
        assert services.stale_organizations(SECTOR) == [], "the stored scores are stale"
    else:
        t = time.perf_counter()
        user = populate(orgs, seed)
        populate_s = time.perf_counter() - t
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        t = time.perf_counter()
        contributing = services.recompute(SECTOR)
        recompute_s = time.perf_counter() - t
        assert contributing == orgs, (contributing, orgs)
    access = require(user, "member-00000", Permission.VIEW)
    aggregate = _timed(lambda: sector_stats(SECTOR))
    stale = _timed(lambda: services.stale_organizations(SECTOR))
    page = _timed(lambda: queries.benchmark(access))
    checked = _verify()
    target = TARGET_S[connection.vendor]
    return {
        "database": connection.vendor,
        "organizations": orgs,
        "seed": seed,
        "outcome_rows": orgs * 106,
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


def _pg_up() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        return False
    subprocess.run(
        [*PSQL, "CREATE DATABASE csfpilot_bench"],
        capture_output=True,
        check=False,
    )
    return True


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
    args = parser.parse_args()
    if args.url is not None:
        url = None if args.url == "-" else args.url
        result = run_one(url, args.orgs, args.seed, reuse=args.reuse)
        label = "PostgreSQL" if result["database"] == "postgresql" else "SQLite"
        _save(label, result)
        _print(label, result)
        print(json.dumps(result))
        return
    targets = [("SQLite", "-")] + ([("PostgreSQL", PG_URL)] if _pg_up() else [])
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
