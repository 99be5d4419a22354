"""Data folders whose database is already prepared, for tests that start ``csfpilot``
processes (servers, CLI commands) on a fresh folder.

Preparing a database (every migration, then NIST's catalogs and crosswalks) costs about
ten seconds of CPU, most of it Django rendering model states between migrations; dozens
of tests each paid it. Here it is paid once per test run and secret key: the prepared
database is copied into each new folder with SQLite's backup API, so the folder holds
exactly what a first start would have made (audit entries are keyed with the secret key,
hence one database per key). The first start itself stays tested on empty folders
(tests/serving/test_fresh_clone.py, tests/serving/test_serve_worker.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

DB_NAME = "csfpilot.sqlite3"
# Set once by the test run's first process (tests/conftest.py) and inherited by the
# parallel workers, so that all of them share one set of prepared databases.
RUN_DIR_VARIABLE = "TESTS_PREPARED_DATABASES"


def _run_dir() -> Path:
    configured = os.environ.get(RUN_DIR_VARIABLE)
    if configured:
        return Path(configured)
    folder = Path(tempfile.mkdtemp(prefix="csfpilot-prepared-"))
    os.environ[RUN_DIR_VARIABLE] = str(folder)
    return folder


def _prepared(secret_key: str) -> Path:
    """The prepared database for this secret key, made by the first process that asks."""
    folder = _run_dir() / hashlib.sha256(secret_key.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / DB_NAME
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "ready").exists():
            env = {
                k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))
            }
            env.update(CSFPILOT_DATA_DIR=str(folder), CSFPILOT_SECRET_KEY=secret_key)
            subprocess.run(
                [sys.executable, "-c", "from csfpilot.cli.database import setup; setup()"],
                env=env,
                check=True,
                capture_output=True,
                timeout=900,
            )
            with sqlite3.connect(database) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            (folder / "ready").touch()
    return database


def prepare(data_dir: Path, secret_key: str) -> Path:
    """Give ``data_dir`` (new or empty of a database) a prepared database; return the folder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / DB_NAME
    if target.exists():
        return data_dir
    source = sqlite3.connect(_prepared(secret_key))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return data_dir
