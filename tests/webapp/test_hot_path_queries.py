"""The exact number of queries of every hot endpoint, pinned: a change that adds one fails.

These are the calls a client makes most (docs/benchmarks.md, the like-for-like table):
a cached read of the score summary, progress and gap analysis, the outcome list, saving
one rating and creating a profile; through an API token and through a signed-in session.
A cached read is the identity generation and the profile's state: nothing else.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.profiles import models as m
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

# identity generation + the profile's state (answer_cache.py); the answer from the cache
CACHED_READ = 2
# On PostgreSQL an audit event first locks its organization's chain (one statement); on
# SQLite the write transaction (BEGIN IMMEDIATE) already holds the only write lock.
CHAIN_LOCK = 1 if connection.vendor == "postgresql" else 0
# generation, BEGIN, the outcome row with its profile and release (one statement), its
# conditional update, the profile's stamp, the audit chain's last event and the new event,
# COMMIT; the answer is the row as read with the values written, not read back
PATCH = 8 + CHAIN_LOCK
# generation, BEGIN, the release with the name check (one statement), the profile row, its
# outcome rows (one INSERT … SELECT over the release), the audit chain's last event and the
# new event, COMMIT; the answer is the row as written, not read back
CREATE = 8 + CHAIN_LOCK

PINS = {
    "scores": CACHED_READ,
    "progress": CACHED_READ,
    "gaps": CACHED_READ,
    "outcomes": CACHED_READ,
    "patch": PATCH,
    "create": CREATE,
}


def _counted(call) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code in (200, 201), response.content[:300]
    return len(ctx.captured_queries), [q["sql"][:120] for q in ctx.captured_queries]


def _measure(client: Client, world: World, headers: dict[str, str]) -> dict[str, int]:
    row = world.profile("Hot paths")
    api = f"/api/organizations/acme/profiles/{row.pk}"
    counts = {}
    for name in ("scores", "progress", "gaps", "outcomes"):
        url = f"{api}/{name}"
        for _ in range(2):  # the answer built, the session's first visit written
            assert client.get(url, headers=headers).status_code == 200
        counts[name], reads = _counted(lambda u=url: client.get(u, headers=headers))
        assert counts[name] == PINS[name], (name, reads)

    def patch():
        # The version is the client's, read before the counted request.
        version = m.ProfileOutcome.objects.get(profile=row, code="PR.AA-01").version
        body = {"version": version, "current": ("partially", "largely")[version % 2]}
        return lambda: client.patch(
            f"{api}/outcomes/PR.AA-01",
            data=json.dumps(body),
            content_type="application/json",
            headers=headers,
        )

    made = iter(range(100))

    def create():
        body = {"name": f"Made {next(made)}"}
        return lambda: client.post(
            "/api/organizations/acme/profiles",
            data=json.dumps(body),
            content_type="application/json",
            headers=headers,
        )

    for name, prepare in (("patch", patch), ("create", create)):
        prepare()()  # warm: the first write of the request path
        counts[name], reads = _counted(prepare())
        assert counts[name] == PINS[name], (name, reads)
    return counts


def test_hot_endpoints_through_an_api_token(world: World):
    _, secret = issue_token(world.users["owner"], "acme", "owner", "hot paths")
    assert _measure(Client(), world, {"Authorization": f"Bearer {secret}"}) == PINS


def test_hot_endpoints_through_a_signed_in_session(world: World):
    client = Client()
    client.force_login(world.users["owner"])
    assert _measure(client, world, {}) == PINS


def test_a_cached_read_is_the_generation_and_the_state_only(world: World):
    _, secret = issue_token(world.users["viewer"], "acme", "viewer", "hot paths")
    headers = {"Authorization": f"Bearer {secret}"}
    row = world.profile("State only")
    client = Client()
    url = f"/api/organizations/acme/profiles/{row.pk}/scores"
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, headers=headers).status_code == 200
    first, second = (q["sql"] for q in ctx.captured_queries)
    assert first.startswith("SELECT value FROM csfpilot_identity_generation")
    assert "GROUP BY" in second and "profiles_profileoutcome" in second
