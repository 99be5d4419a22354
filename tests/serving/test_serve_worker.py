"""``csfpilot serve`` runs a background worker beside the web server, and stops it.

Real processes on a real SQLite file: the worker's sign of life is read from the
server's database, and whether a process still runs from the operating system.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import _free_port, running_server
from tests.serving.conftest import prepare, server_env

pytestmark = pytest.mark.sqlite_file


def beats(data_dir: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(data_dir / "csfpilot.sqlite3", timeout=30) as db:
        return db.execute("SELECT worker_id, pid FROM jobs_workerbeat").fetchall()


def wait_for(check, what: str, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"gave up waiting: {what}")


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that ended but was not collected yet is gone too.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve-worker")
    prepare(path)
    return path


def test_serve_starts_a_worker_and_stops_it_with_the_server(data_dir: Path):
    with running_server(data_dir) as url:
        ((worker_id, pid),) = wait_for(lambda: beats(data_dir), "the worker's first beat")
        assert worker_id.startswith("csfpilot-") and running(pid)
        with urllib.request.urlopen(url + "/healthz", timeout=30) as answer:
            assert answer.status == 200
        log = (data_dir / "server.log").read_text()
        assert f"A background worker runs beside it (process {pid})." in log
    wait_for(lambda: not running(pid), "the worker to stop with the server", 30)
    # It stopped cleanly: no row is left to look like a live worker.
    assert beats(data_dir) == []


def test_a_worker_whose_server_was_killed_stops_by_itself(data_dir: Path):
    port = _free_port()
    with (data_dir / "killed.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "csfpilot", "serve", "--port", str(port), "--workers", "1"],
            env=server_env(data_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        ((_worker_id, pid),) = wait_for(lambda: beats(data_dir), "the worker's first beat")
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    # Nobody is left to stop it: it notices that its server is gone.
    wait_for(lambda: not running(pid), "the orphaned worker to stop", 60)
    assert beats(data_dir) == []


def test_no_worker_when_asked_for_none(data_dir: Path):
    port = _free_port()
    with (data_dir / "none.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "csfpilot", "serve", "--port", str(port), "--no-worker"],
            env=server_env(data_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: "Press Ctrl+C to stop." in (data_dir / "none.log").read_text(),
            "the server to start",
        )
        text = (data_dir / "none.log").read_text()
        assert "background worker" not in text and "csfpilot worker on" not in text
        assert beats(data_dir) == []
    finally:
        server.terminate()
        server.wait(timeout=30)
