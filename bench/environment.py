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
