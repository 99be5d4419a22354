"""Crash safety: ``csfpilot`` imports killed with SIGKILL at random points leave a
consistent SQLite database, holding either the whole import or none of it.

Each run copies a prepared database (migrated, NIST catalogs loaded, one
organization), starts the real command in a subprocess and kills it at a point
drawn from a seeded generator. Most points are placed by the import's progress
(how far the write-ahead log has grown, against a complete run's), so they land
while the transaction is being written, committed or checkpointed, whatever
the machine's speed; the rest are plain moments of the whole run. After each
kill the database must pass ``PRAGMA integrity_check`` and
``PRAGMA foreign_key_check``, and every table's row count must equal either the
count before the import or the count after a complete one. A killed
framework import is then run again on its database, to completion.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.prepared_data import prepare

pytestmark = pytest.mark.sqlite_file

SEED = 20260
FRAMEWORK_RUNS = 20
PROFILE_RUNS = 6
DB = "csfpilot.sqlite3"
ORG = "crash-test"


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(CSFPILOT_DATA_DIR=str(data_dir), CSFPILOT_SECRET_KEY="crash-only-not-a-secret")
    prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
    return env


def _csfpilot(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "csfpilot", *args],
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _run(data_dir: Path, *args: str) -> None:
    proc = _csfpilot(data_dir, *args)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()[-2000:]


def _wal_size(data_dir: Path) -> int:
    try:
        return (data_dir / f"{DB}-wal").stat().st_size
    except FileNotFoundError:
        return -1


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def health(db: Path) -> tuple[str, list]:
    con = sqlite3.connect(db)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        foreign = con.execute("PRAGMA foreign_key_check").fetchall()
        return integrity, foreign
    finally:
        con.close()


@dataclass(frozen=True)
class Import:
    name: str
    args: tuple[str, ...]
    before: dict[str, int]
    after: dict[str, int]
    seconds: float  # one complete run
    wal_peak: int  # how far the write-ahead log grows in a complete run


@dataclass(frozen=True)
class Prepared:
    template: Path
    imports: dict[str, Import]


def _big_framework_csv(path: Path) -> None:
    """A custom framework of 5,020 elements (20 domains of 250 controls), as a CSV."""
    lines = ["ID,Parent,Title,Text"]
    for d in range(20):
        lines.append(f"D{d:02},,Domain {d},Requirements of domain {d}")
        lines += [
            f"D{d:02}.{c:03},D{d:02},Control {d}.{c},The organization does thing {c} of {d}."
            for c in range(250)
        ]
    path.write_text("\n".join(lines) + "\n")


def _complete(template: Path, work: Path, name: str, args: tuple[str, ...]) -> Import:
    """Run one import to the end on a copy, noting the row counts and the log's growth."""
    shutil.copytree(template, work)
    before = counts(work / DB)
    started = time.monotonic()
    proc = _csfpilot(work, *args)
    peak = -1
    while proc.poll() is None:
        peak = max(peak, _wal_size(work))
        time.sleep(0.001)
    assert proc.returncode == 0, proc.stderr.read().decode()[-2000:]
    after = counts(work / DB)
    changed = {t for t in after if after[t] != before[t]}
    assert changed, f"{name}: the complete run changed nothing; the test would prove nothing"
    return Import(name, args, before, after, time.monotonic() - started, peak)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    root = tmp_path_factory.mktemp("crash")
    template = root / "template"
    template.mkdir()
    _run(template, "frameworks", "--json")  # migrate and load the NIST catalogs
    _run(
        template,
        "manage",
        "shell",
        "-c",
        "from csfpilot.webapp.organizations.models import Organization; "
        f"Organization.objects.create(name='Crash Test', slug='{ORG}')",
    )
    for leftover in template.glob(f"{DB}-*"):  # closed cleanly: nothing to replay
        assert leftover.stat().st_size == 0 or leftover.suffix == "-shm"
    big = root / "big-framework.csv"
    _big_framework_csv(big)
    profile = root / "profile.yaml"
    _run(template, "profile", "new", "-o", str(profile), "--name", "Crash import")
    imports = {
        "framework": _complete(
            template,
            root / "ref-framework",
            "framework",
            ("import-framework", str(big), "--key", "crash-framework", "--json"),
        ),
        "profile": _complete(
            template,
            root / "ref-profile",
            "profile",
            ("profile", "import", str(profile), "--org", ORG, "--json"),
        ),
    }
    return Prepared(template, imports)


@dataclass(frozen=True)
class Outcome:
    label: str
    exit_code: int | None  # None: killed (the usual case); 0: it finished first
    integrity: str
    foreign: list
    state: str  # "before", "after" or "mixed"
    mixed_tables: tuple[str, ...]


def _kill_run(prepared: Prepared, imp: Import, work: Path, point: tuple[str, float]) -> Outcome:
    shutil.copytree(prepared.template, work)
    how, value = point
    proc = _csfpilot(work, *imp.args)
    started = time.monotonic()
    while proc.poll() is None:
        if how == "time" and time.monotonic() - started >= value:
            break
        if how == "log" and _wal_size(work) >= value:
            break
        time.sleep(0.001)
    finished = proc.poll()
    if finished is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    db = work / DB
    integrity, foreign = health(db)
    now = counts(db)
    if now == imp.before:
        state, mixed = "before", ()
    elif now == imp.after:
        state, mixed = "after", ()
    else:
        state = "mixed"
        mixed = tuple(t for t in now if now[t] not in (imp.before.get(t), imp.after.get(t)))
        mixed = mixed or tuple(t for t in now if now[t] != imp.before.get(t))
    label = f"{imp.name} {how} {value:.3f}"
    return Outcome(label, finished, integrity, foreign, state, mixed)


def _points(rng: random.Random, imp: Import, runs: int) -> list[tuple[str, float]]:
    """Two thirds by the log's growth (through the writes and the checkpoint), the rest
    at any moment of a complete run's duration."""
    points: list[tuple[str, float]] = []
    for i in range(runs):
        if i % 3 == 2:
            points.append(("time", rng.uniform(0.0, imp.seconds)))
        else:
            points.append(("log", rng.uniform(0.0, 1.0) * max(imp.wal_peak, 1)))
    return points


def kill_summary(outcomes: list, killed: list, inconsistent: list) -> dict[str, int]:
    """The figure a crash-safety run reports (here and on PostgreSQL)."""
    return {
        "runs": len(outcomes),
        "killed_with_sigkill": len(killed),
        "left_before_import": sum(o.state == "before" for o in killed),
        "left_after_import": sum(o.state == "after" for o in killed),
        "inconsistent_databases": len(inconsistent),
    }


def test_imports_killed_at_random_points_leave_a_consistent_database(
    prepared: Prepared, tmp_path: Path, figure
):
    rng = random.Random(SEED)
    plan = [
        (prepared.imports["framework"], p)
        for p in _points(rng, prepared.imports["framework"], FRAMEWORK_RUNS)
    ] + [
        (prepared.imports["profile"], p)
        for p in _points(rng, prepared.imports["profile"], PROFILE_RUNS)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(
            pool.map(
                lambda job: _kill_run(prepared, job[1][0], tmp_path / f"run-{job[0]}", job[1][1]),
                enumerate(plan),
            )
        )
    inconsistent = [o for o in outcomes if o.integrity != "ok" or o.foreign or o.state == "mixed"]
    killed = [o for o in outcomes if o.exit_code is None]
    figure("crash_safety", kill_summary(outcomes, killed, inconsistent))
    assert inconsistent == [], inconsistent
    assert all(o.exit_code in (None, 0) for o in outcomes), outcomes
    assert len(outcomes) >= 20
    # The points must really fall inside the imports, not all before or after them.
    assert len(killed) >= 20, outcomes

    # A killed import leaves nothing that stops the same import from completing.
    framework = prepared.imports["framework"]
    last = tmp_path / f"run-{FRAMEWORK_RUNS - 1}"
    _run(last, *framework.args)
    assert health(last / DB) == ("ok", [])
    assert counts(last / DB) == framework.after
