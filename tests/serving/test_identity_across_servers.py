"""The identity cache across processes: a change made anywhere is seen by every worker.

Two workers of one server on SQLite (each process with its own cache, keyed by the
generation the database's triggers replace), then two servers on one PostgreSQL database
sharing Redis (the entries shared, the generation still read from the database). The
changes are made by another process with plain SQL, which no Django signal sees.
"""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
import redis

from tests.serving.conftest import ORG, Server, call
from tests.serving.test_two_servers import _pair, database_url, redis_url  # noqa: F401

ROUNDS = 12  # requests per check: each on a new connection, so both workers answer some


def _all(server: Server, path: str, expected: int, method: str = "GET", body=None) -> None:
    for turn in range(ROUNDS):
        answer = call(server.api(path), method=method, token=server.token, body=body)
        assert answer.status == expected, (turn, server.url, path, answer.status, answer.body)


def _level(server: Server, turn: int) -> dict:
    version = call(server.api("/outcomes/PR.AA-01"), token=server.token).json()["version"]
    return {"version": version, "current": ("partially", "largely")[turn % 2]}


@pytest.mark.sqlite_file
def test_two_workers_on_sqlite_see_a_revoked_token_at_once(sqlite_server: Server):
    _all(sqlite_server, "/scores", 200)  # cached in both workers
    with sqlite3.connect(sqlite_server.data_dir / "csfpilot.sqlite3") as db:
        db.execute("UPDATE accounts_apitoken SET revoked = CURRENT_TIMESTAMP")
    _all(sqlite_server, "/scores", 401)


@pytest.mark.postgres
def test_two_servers_sharing_redis_see_every_change_at_once(
    database_url: str,  # noqa: F811
    redis_url: str,  # noqa: F811
    tmp_path: Path,
):
    env = {"CSFPILOT_DATABASE_URL": database_url, "CSFPILOT_REDIS_URL": redis_url}
    cache = redis.Redis.from_url(redis_url)
    cache.flushdb()
    with ExitStack() as stack, psycopg.connect(database_url, autocommit=True) as db:
        a, b = _pair(stack, tmp_path, env)
        b.token = a.token  # one caller, reaching either server
        for server in (a, b):
            _all(server, "/scores", 200)
        assert cache.keys("csfpilot-identity:*"), "identities went to the shared cache"

        # A profile changed through one server is what the other answers next.
        for turn in range(4):
            saved = call(
                a.api("/outcomes/PR.AA-01"), method="PATCH", token=a.token, body=_level(a, turn)
            )
            assert saved.status == 200, saved.body
            assert (
                call(b.api("/scores"), token=b.token).json()
                == call(a.api("/scores"), token=a.token).json()
            )
        assert call(b.api("/outcomes/PR.AA-01"), token=b.token).json()["current"] == "largely"

        # The token's owner demoted: the token keeps only what both roles allow.
        member = "SELECT id FROM accounts_user WHERE email = 'demo@example.com'"
        org = "SELECT id FROM organizations_organization WHERE slug = %s"
        db.execute(
            f"UPDATE organizations_membership SET role = 'viewer' WHERE user_id = ({member}) "
            f"AND organization_id = ({org})",
            [ORG],
        )
        for server in (a, b):
            _all(server, "/outcomes/PR.AA-01", 403, "PATCH", _level(server, 0))
            _all(server, "/scores", 200)

        # The membership removed: the organization is unknown to the caller.
        row = db.execute(
            f"DELETE FROM organizations_membership WHERE user_id = ({member}) "
            f"AND organization_id = ({org}) RETURNING user_id, organization_id, created",
            [ORG],
        ).fetchone()
        for server in (a, b):
            _all(server, "/scores", 404)
        db.execute(
            "INSERT INTO organizations_membership (user_id, organization_id, role, created) "
            "VALUES (%s, %s, 'owner', %s)",
            list(row),
        )
        for server in (a, b):
            _all(server, "/scores", 200)

        # The token revoked.
        db.execute("UPDATE accounts_apitoken SET revoked = now()")
        for server in (a, b):
            _all(server, "/scores", 401)
