"""``csfpilot serve`` never creates the demo account (public password) in production
(issue #14, item 10): not by default, and an explicit ``--demo`` is refused."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import running_server
from tests.serving.conftest import call, server_env

PRODUCTION = {
    "CSFPILOT_ENV": "production",
    # Plain HTTP in the test: no proxy in front to terminate TLS.
    "CSFPILOT_SSL_REDIRECT": "0",
    # Only the migrations: the catalogs play no part here and take minutes to load.
    "CSFPILOT_AUTOLOAD_CATALOGS": "0",
}


def _accounts(data_dir: Path) -> list[str]:
    with sqlite3.connect(data_dir / "csfpilot.sqlite3") as db:
        return [row[0] for row in db.execute("select email from accounts_user")]


def test_production_serve_starts_without_the_demo_account(tmp_path: Path):
    with running_server(tmp_path, extra_env={**PRODUCTION, "CSFPILOT_WORKERS": "1"}) as url:
        assert call(f"{url}/readyz").status == 200
        assert _accounts(tmp_path) == []
    assert "Demo login" not in (tmp_path / "server.log").read_text()


def test_production_serve_refuses_an_explicit_demo(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "csfpilot", "serve", "--demo", "--port", "1"],
        env=server_env(tmp_path, PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "never created with CSFPILOT_ENV=production" in " ".join(done.stdout.split())
    # Refused before anything was prepared: no database was even made.
    assert not (tmp_path / "csfpilot.sqlite3").exists()
