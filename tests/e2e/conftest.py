"""A real server (``csfpilot serve`` in a subprocess, SQLite file) and headless Chromium.

Chromium is Debian's package, driven by Playwright's Python client; no browser
is ever downloaded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.prepared_data import prepare

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(
    data_dir: Path,
    *,
    host: str = "127.0.0.1",
    extra_env: dict[str, str] | None = None,
    first_start: bool = False,
) -> Iterator[str]:
    """Start ``csfpilot serve`` on a SQLite data folder; yield its base URL.

    A new folder gets a copy of a database prepared once per test run
    (tests/prepared_data.py) unless ``first_start`` asks for the whole first start.
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="e2e-only-not-a-secret",
        PYTHONUNBUFFERED="1",
        **(extra_env or {}),
    )
    if not first_start and "CSFPILOT_DATABASE_URL" not in env:
        prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
    log_path = data_dir / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "csfpilot", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://{host}:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=2)
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise RuntimeError("server did not start:\n" + log_path.read_text()) from None
                time.sleep(0.3)
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # The whole first start, as a user's first `csfpilot serve` (migrations, catalogs, demo).
    with running_server(tmp_path_factory.mktemp("server-data"), first_start=True) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.name.replace("/", "_")
    with contextlib.suppress(Exception):
        pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
