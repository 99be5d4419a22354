"""Point Django at a throw-away database before anything imports it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def configure(database_url: str | None) -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix="csfpilot-bench-"))
    os.environ["CSFPILOT_DATA_DIR"] = str(data_dir)
    os.environ["CSFPILOT_SECRET_KEY"] = "bench-only-not-a-secret"
    os.environ["CSFPILOT_AUTOLOAD_CATALOGS"] = "0"
    os.environ["CSFPILOT_ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "csfpilot.webapp.config.settings"
    if database_url:
        os.environ["CSFPILOT_DATABASE_URL"] = database_url
    else:
        os.environ.pop("CSFPILOT_DATABASE_URL", None)
    import django

    django.setup()
    return data_dir


def fresh_schema(database_url: str | None) -> None:
    """An empty, migrated database (PostgreSQL: the bench database is recreated)."""
    from django.core.management import call_command
    from django.db import connection

    if database_url and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", interactive=False, verbosity=0)


def _sqlite_file() -> Path:
    from django.conf import settings

    return Path(settings.DATABASES["default"]["NAME"])


def _admin(database_url: str):  # -> psycopg.Connection
    """An autocommit connection to the server's ``postgres`` database, for CREATE/DROP."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )


def save_copy(database_url: str | None, name: str) -> None:
    """Keep the database as it is now under ``name`` (SQLite: a file path; PostgreSQL: a
    template database), so that later suites start from it instead of generating again."""
    from django.db import connections

    connections.close_all()
    if not database_url:
        import sqlite3

        target = Path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        with sqlite3.connect(_sqlite_file()) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
        source.close()
        return
    from django.conf import settings

    current = settings.DATABASES["default"]["NAME"]
    with _admin(database_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{current}"')


def restore_copy(database_url: str | None, name: str) -> None:
    """Make the bench database a copy of one :func:`save_copy` kept (call before any query)."""
    from django.db import connections

    connections.close_all()
    if not database_url:
        import shutil

        target = _sqlite_file()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(name, target)
        return
    from django.conf import settings

    current = settings.DATABASES["default"]["NAME"]
    with _admin(database_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{current}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{current}" TEMPLATE "{name}"')


def postgres_up(database_url: str) -> bool:
    """Whether PostgreSQL answers on this machine; makes the bench database if it is missing."""
    import socket
    import subprocess

    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        return False
    name = database_url.rsplit("/", 1)[1]
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
            f"CREATE DATABASE {name}",
        ],
        capture_output=True,
        check=False,
    )
    return True


def median_ms(samples: list[float]) -> float:
    """The median of samples in seconds, in milliseconds to two places."""
    import statistics

    return round(statistics.median(samples) * 1000, 2)


def run_stamp() -> dict:
    """When, on what and at what load a standalone bench ran: every published figure says."""
    import platform
    from datetime import UTC, datetime

    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "load_average": os.getloadavg(),
    }


def publish(results: Path, data: dict) -> None:
    """Keep a standalone bench's results, rewrite docs/benchmarks.md, print them."""
    import json

    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(data, indent=2) + "\n")
    from bench.report import DOC, write_doc

    write_doc(DOC)
    print(json.dumps(data, indent=2))
