"""The CLI's only door to the database: configures Django on first use.

Commands that work on files (profiles, catalogs read straight from NIST's
files) never call this, so they start fast and need no database.
"""

from __future__ import annotations

import os
from functools import cache


@cache
def setup(*, migrate: bool = True, load_catalogs: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csfpilot.webapp.config.settings")
    import django
    from django.conf import settings

    django.setup()
    if migrate:
        from django.core.management import call_command

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
    if load_catalogs and settings.CSFPILOT_AUTOLOAD_CATALOGS:
        from csfpilot.webapp.catalog.services import ensure_bundled_catalogs

        ensure_bundled_catalogs()


def manage(*args: str) -> None:
    """Run a Django management command (``csfpilot manage migrate``)."""
    setup(migrate=False, load_catalogs=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["csfpilot manage", *args])


def ensure_demo() -> None:
    """Create the demo organization once (a no-op until profiles exist)."""
    setup()
    try:
        from csfpilot.webapp.demo import ensure_demo as _ensure
    except ImportError:
        return
    _ensure()


def demo_login() -> tuple[str, str] | None:
    try:
        from csfpilot.webapp.demo import DEMO_LOGIN
    except ImportError:
        return None
    return DEMO_LOGIN


def run_server(host: str, port: int) -> None:
    """Serve with a production-grade threaded WSGI server from the standard stack."""
    setup()
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
