"""Two app servers on two ports against one PostgreSQL database, as behind a load balancer.

Every write through one server is read back through the other at once, many
times over: the servers keep no state of their own that could go stale. Then
again with a shared Redis cache, which both servers must use for the catalog's
rendered tree.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
import redis

from tests.e2e.conftest import running_server
from tests.serving.conftest import Server, call, current_profile, issue_token, prepare

pytestmark = pytest.mark.postgres

ADMIN_URL = os.environ.get("CSFPILOT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
ROUNDS = 40


def _admin() -> psycopg.Connection:
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        return psycopg.connect(f"{base}/postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            f"These tests need PostgreSQL at {base} (start it with scripts/ensure-postgres.sh): "
            f"{exc}"
        ) from exc


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A database of its own, dropped afterwards."""
    name = f"serve_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server of its own on a free port, without persistence."""
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _pair(stack: ExitStack, tmp: Path, env: dict[str, str]) -> tuple[Server, Server]:
    """Two servers, each with its own data folder, on the database prepared once."""
    servers = []
    prepared = tmp / "prepared"
    prepare(prepared, env)
    for name in ("a", "b"):
        data_dir = tmp / name
        # As a container image carries them: the static files collected at build time.
        shutil.copytree(prepared / "static", data_dir / "static")
        shutil.copy2(prepared / "static.fingerprint", data_dir / "static.fingerprint")
        url = stack.enter_context(running_server(data_dir, extra_env=env))
        token = issue_token(data_dir, env)
        servers.append(Server(url, data_dir, token, current_profile(url, token)))
    return servers[0], servers[1]


def _no_stale_reads(a: Server, b: Server) -> None:
    assert a.profile_id == b.profile_id
    code = "PR.AA-01"
    version = call(a.api(f"/outcomes/{code}"), token=a.token).json()["version"]
    for turn in range(ROUNDS):
        writer, reader = (a, b) if turn % 2 == 0 else (b, a)
        note = f"round {turn} through {writer.url}"
        level = ("partially", "largely")[turn % 2]
        written = call(
            writer.api(f"/outcomes/{code}"),
            method="PATCH",
            token=writer.token,
            body={"version": version, "notes": note, "current": level},
        )
        assert written.status == 200, written.body
        version = written.json()["version"]
        read = call(reader.api(f"/outcomes/{code}"), token=reader.token).json()
        assert (read["notes"], read["current"], read["version"]) == (note, level, version)
        listed = call(reader.api("/outcomes"), token=reader.token).json()
        assert next(o for o in listed if o["code"] == code)["version"] == version


def test_two_servers_one_database_no_stale_reads(database_url: str, tmp_path: Path):
    with ExitStack() as stack:
        a, b = _pair(stack, tmp_path, {"CSFPILOT_DATABASE_URL": database_url})
        _no_stale_reads(a, b)
        # A session made on one server is valid on the other: sessions live in the database.
        assert call(f"{b.url}/readyz").status == 200


def test_two_servers_sharing_redis_cache(database_url: str, redis_url: str, tmp_path: Path):
    env = {"CSFPILOT_DATABASE_URL": database_url, "CSFPILOT_REDIS_URL": redis_url}
    cache = redis.Redis.from_url(redis_url)
    cache.flushdb()
    with ExitStack() as stack:
        a, b = _pair(stack, tmp_path, env)
        _no_stale_reads(a, b)
        page_a = call(f"{a.url}/frameworks/csf-2.0/")
        assert page_a.status == 200
        trees = cache.keys("*catalog-tree*")
        assert len(trees) == 1, "server A rendered the tree into the shared cache"
        page_b = call(f"{b.url}/frameworks/csf-2.0/")
        assert page_b.status == 200
        assert cache.keys("*catalog-tree*") == trees, "server B reused A's rendering"
        assert b"GV.OC-01" in page_b.body
        # Outcome lists read by both servers are built once per state and shared through Redis.
        answers = cache.keys("csfpilot-answers:*")
        assert answers, "the outcome lists went to the shared cache"
        listed_a = call(a.api("/outcomes"), token=a.token).json()
        listed_b = call(b.api("/outcomes"), token=b.token).json()
        assert listed_a == listed_b
        assert sorted(cache.keys("csfpilot-answers:*")) == sorted(answers)
