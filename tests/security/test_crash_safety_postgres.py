"""Crash safety on PostgreSQL: ``csfpilot`` imports killed with SIGKILL at random points
leave the database holding either the whole import or none of it.

The SQLite proof (test_crash_safety.py) repeated against a real PostgreSQL server.
A template database is prepared once (migrated, NIST catalogs loaded, one
organization); each run gets a copy of it (``CREATE DATABASE … TEMPLATE``), starts
the real command in a subprocess and kills it at a point drawn from a seeded
generator. Most points are placed inside the import's transaction: from the
moment the command's connection holds a transaction id (it has written) through
as long as a complete run keeps one, so they land while rows are being written
and committed, whatever the machine's speed; the rest are plain moments of the
whole run. After each kill, once the server has ended the dead client's session,
every table's row count must equal either the count before the import or the
count after a complete one. A killed framework import is then run again on its
database, to completion.

Each run's database is its own and is dropped afterwards; the server is the one
``CSFPILOT_DATABASE_URL`` names (``make test-pg``).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.security.test_crash_safety import ORG, _big_framework_csv, kill_summary

psycopg = pytest.importorskip("psycopg")

pytestmark = pytest.mark.postgres

SEED = 20261
FRAMEWORK_RUNS = 12
PROFILE_RUNS = 6
SERVER = os.environ.get(
    "CSFPILOT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
).rsplit("/", 1)[0]
PREFIX = f"crash_{uuid.uuid4().hex[:8]}"


def _admin() -> psycopg.Connection:
    try:
        return psycopg.connect(f"{SERVER}/postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            f"These tests need PostgreSQL at {SERVER} (start it with scripts/ensure-postgres.sh): "
            f"{exc}"
        ) from exc


def _env(data_dir: Path, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="crash-only-not-a-secret",
        CSFPILOT_DATABASE_URL=f"{SERVER}/{database}",
    )
    return env


def _csfpilot(data_dir: Path, database: str, *args: str) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "csfpilot", *args],
        env=_env(data_dir, database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _run(data_dir: Path, database: str, *args: str) -> None:
    proc = _csfpilot(data_dir, database, *args)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()[-2000:]


def _copy(template: str, name: str) -> None:
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _drop(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts(database: str) -> dict[str, int]:
    with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _sessions(database: str, *, writing: bool = False) -> int:
    """Sessions of other clients on ``database`` (``writing``: holding a transaction id)."""
    sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    if writing:
        sql += " AND backend_xid IS NOT NULL"
    with _admin() as conn:
        return conn.execute(sql, (database,)).fetchone()[0]


def _wait_for_no_sessions(database: str, timeout: float = 60.0) -> None:
    """The server ends a killed client's session (rolling its transaction back) on its own."""
    deadline = time.monotonic() + timeout
    while _sessions(database):
        assert time.monotonic() < deadline, f"a session on {database} outlived its client"
        time.sleep(0.05)


@dataclass(frozen=True)
class Import:
    name: str
    args: tuple[str, ...]
    before: dict[str, int]
    after: dict[str, int]
    seconds: float  # one complete run
    writing: float  # how long a complete run holds a writing transaction


@dataclass(frozen=True)
class Prepared:
    template: str
    root: Path
    imports: dict[str, Import]


def _complete(prepared_template: str, root: Path, name: str, args: tuple[str, ...]) -> Import:
    """Run one import to the end on a copy, noting the row counts and its writing time."""
    database = f"{PREFIX}_ref_{name}"
    _copy(prepared_template, database)
    try:
        before = counts(database)
        started = time.monotonic()
        proc = _csfpilot(root / f"ref-{name}", database, *args)
        first = last = None
        while proc.poll() is None:
            if _sessions(database, writing=True):
                now = time.monotonic()
                first = first if first is not None else now
                last = now
            time.sleep(0.002)
        assert proc.returncode == 0, proc.stderr.read().decode()[-2000:]
        proc.stderr.close()
        after = counts(database)
    finally:
        _drop(database)
    changed = {t for t in after if after[t] != before[t]}
    assert changed, f"{name}: the complete run changed nothing; the test would prove nothing"
    writing = (last - first) if first is not None and last is not None else 0.0
    return Import(name, args, before, after, time.monotonic() - started, max(writing, 0.01))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prepared]:
    root = tmp_path_factory.mktemp("crash-pg")
    template = f"{PREFIX}_template"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{template}"')
    try:
        _run(root / "template", template, "frameworks", "--json")  # migrate, load catalogs
        _run(
            root / "template",
            template,
            "manage",
            "shell",
            "-c",
            "from csfpilot.webapp.organizations.models import Organization; "
            f"Organization.objects.create(name='Crash Test', slug='{ORG}')",
        )
        _wait_for_no_sessions(template)
        big = root / "big-framework.csv"
        _big_framework_csv(big)
        profile = root / "profile.yaml"
        _run(root / "template", template, "profile", "new", "-o", str(profile), "--name", "Crash")
        imports = {
            "framework": _complete(
                template,
                root,
                "framework",
                ("import-framework", str(big), "--key", "crash-framework", "--json"),
            ),
            "profile": _complete(
                template,
                root,
                "profile",
                ("profile", "import", str(profile), "--org", ORG, "--json"),
            ),
        }
        yield Prepared(template, root, imports)
    finally:
        _drop(template)


@dataclass(frozen=True)
class Outcome:
    label: str
    exit_code: int | None  # None: killed (the usual case); 0: it finished first
    state: str  # "before", "after" or "mixed"
    mixed_tables: tuple[str, ...]


def _kill_run(
    prepared: Prepared, imp: Import, database: str, point: tuple[str, float], *, keep: bool
) -> Outcome:
    _copy(prepared.template, database)
    try:
        how, value = point
        proc = _csfpilot(prepared.root / database, database, *imp.args)
        started = time.monotonic()
        writing_since = None
        while proc.poll() is None:
            now = time.monotonic()
            if how == "time" and now - started >= value:
                break
            if how == "write":
                if writing_since is None and _sessions(database, writing=True):
                    writing_since = now
                if writing_since is not None and now - writing_since >= value:
                    break
            time.sleep(0.002)
        finished = proc.poll()
        if finished is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        _wait_for_no_sessions(database)
        now_counts = counts(database)
    finally:
        if not keep:
            _drop(database)
    if now_counts == imp.before:
        state, mixed = "before", ()
    elif now_counts == imp.after:
        state, mixed = "after", ()
    else:
        state = "mixed"
        mixed = tuple(
            t for t in now_counts if now_counts[t] not in (imp.before.get(t), imp.after.get(t))
        )
        mixed = mixed or tuple(t for t in now_counts if now_counts[t] != imp.before.get(t))
    return Outcome(f"{imp.name} {how} {value:.3f}", finished, state, mixed)


def _points(rng: random.Random, imp: Import, runs: int) -> list[tuple[str, float]]:
    """Two thirds inside the writing transaction, the rest at any moment of a complete run."""
    points: list[tuple[str, float]] = []
    for i in range(runs):
        if i % 3 == 2:
            points.append(("time", rng.uniform(0.0, imp.seconds)))
        else:
            points.append(("write", rng.uniform(0.0, 1.0) * imp.writing))
    return points


def test_imports_killed_at_random_points_leave_the_database_whole_or_untouched(
    prepared: Prepared, figure
):
    rng = random.Random(SEED)
    framework, profile = prepared.imports["framework"], prepared.imports["profile"]
    plan = [(framework, p) for p in _points(rng, framework, FRAMEWORK_RUNS)] + [
        (profile, p) for p in _points(rng, profile, PROFILE_RUNS)
    ]
    last = f"{PREFIX}_run_{FRAMEWORK_RUNS - 1}"
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(
                pool.map(
                    lambda job: _kill_run(
                        prepared,
                        job[1][0],
                        f"{PREFIX}_run_{job[0]}",
                        job[1][1],
                        keep=f"{PREFIX}_run_{job[0]}" == last,
                    ),
                    enumerate(plan),
                )
            )
        inconsistent = [o for o in outcomes if o.state == "mixed"]
        killed = [o for o in outcomes if o.exit_code is None]
        figure("crash_safety_postgresql", kill_summary(outcomes, killed, inconsistent))
        assert inconsistent == [], inconsistent
        assert all(o.exit_code in (None, 0) for o in outcomes), outcomes
        # The points must really fall inside the imports, not all before or after them.
        assert len(killed) >= 12, outcomes
        assert sum(o.state == "before" for o in killed) >= 6, outcomes

        # A killed import leaves nothing that stops the same import from completing.
        _run(prepared.root / last, last, *framework.args)
        assert counts(last) == framework.after
    finally:
        _drop(last)
