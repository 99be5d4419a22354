"""The identity cache is correct, not only fast: each way of losing or changing access is
seen by the very next request, even when the change is made by plain SQL that no Django
signal sees (the database's triggers move the generation; accounts/identity_cache.py).

Every test first reads twice, so that the second read is served from the cache (checked
by its query count), then changes the database and reads again.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from csfpilot.webapp.accounts import identity_cache
from csfpilot.webapp.accounts.services import issue_token
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PROFILES = "/api/organizations/acme/profiles"


def _sql(statement: str, params: list[object]) -> None:
    """A change made behind Django's back: no model, no signal."""
    with connection.cursor() as cur:
        cur.execute(statement, params)


def _cached(client: Client, url: str, **headers: str) -> None:
    """Read ``url`` until the read is answered by the identity cache (generation only)."""
    for _ in range(2):
        assert client.get(url, headers=headers).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, headers=headers).status_code == 200
    reads = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "FROM csfpilot_identity_generation" in reads
    for table in (
        "django_session",
        "accounts_user",
        "accounts_apitoken",
        "organizations_membership",
    ):
        assert f'FROM "{table}"' not in reads, table


def _token(world: World, role: str = "owner") -> tuple[object, dict[str, str]]:
    row, secret = issue_token(world.users[role], "acme", role, "cache proof")
    return row, {"Authorization": f"Bearer {secret}"}


def test_a_removed_membership_is_seen_by_the_next_request(world: World):
    client = Client()
    client.force_login(world.users["viewer"])
    _cached(client, PROFILES)
    _sql(
        "DELETE FROM organizations_membership WHERE user_id = %s",
        [world.users["viewer"].pk],
    )
    assert client.get(PROFILES).status_code == 404


def test_a_changed_role_is_seen_by_the_next_request(world: World):
    client = Client()
    client.force_login(world.users["assessor"])
    body = {"name": "Made by an assessor"}
    _cached(client, PROFILES)
    assert client.post(PROFILES, body, content_type="application/json").status_code == 201
    _sql(
        "UPDATE organizations_membership SET role = 'viewer' WHERE user_id = %s",
        [world.users["assessor"].pk],
    )
    refused = client.post(PROFILES, {"name": "Refused"}, content_type="application/json")
    assert refused.status_code == 403


def test_a_revoked_token_is_seen_by_the_next_request(world: World):
    token, headers = _token(world)
    client = Client()
    _cached(client, PROFILES, **headers)
    _sql("UPDATE accounts_apitoken SET revoked = %s WHERE id = %s", [timezone.now(), token.pk])
    assert client.get(PROFILES, headers=headers).status_code == 401


def test_a_token_whose_owner_is_demoted_loses_the_rights_at_once(world: World):
    _, headers = _token(world, "owner")
    client = Client()
    _cached(client, PROFILES, **headers)
    _sql(
        "UPDATE organizations_membership SET role = 'viewer' WHERE user_id = %s",
        [world.users["owner"].pk],
    )
    refused = client.post(PROFILES, {"name": "x"}, content_type="application/json", headers=headers)
    assert refused.status_code == 403


def test_an_ended_session_is_seen_by_the_next_request(world: World):
    client = Client()
    client.force_login(world.users["viewer"])
    _cached(client, PROFILES)
    _sql("DELETE FROM django_session WHERE session_key = %s", [client.session.session_key])
    assert client.get(PROFILES).status_code == 401
    page = client.get("/orgs/acme/profiles/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_signing_out_ends_the_session_for_the_next_request(world: World):
    client = Client()
    client.force_login(world.users["viewer"])
    _cached(client, PROFILES)
    key = client.session.session_key
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get(PROFILES).status_code == 200
    client.logout()
    assert not Session.objects.filter(session_key=key).exists()
    assert stolen.get(PROFILES).status_code == 401


def test_a_deactivated_account_is_seen_by_the_next_request(world: World):
    client = Client()
    client.force_login(world.users["viewer"])
    _, headers = _token(world, "viewer")
    api = Client()
    _cached(client, PROFILES)
    _cached(api, PROFILES, **headers)
    _sql("UPDATE accounts_user SET is_active = %s WHERE id = %s", [False, world.users["viewer"].pk])
    assert client.get(PROFILES).status_code == 401
    assert api.get(PROFILES, headers=headers).status_code == 401


def test_a_new_password_ends_other_sessions_at_once(world: World):
    client = Client()
    client.force_login(world.users["viewer"])
    _cached(client, PROFILES)
    user = world.users["viewer"]
    user.set_password("a completely different passphrase 42")
    user.save()
    # The session's hash of the old password no longer matches the user read again.
    assert client.get(PROFILES).status_code == 401


def test_using_a_token_does_not_invalidate_the_cache(world: World):
    """A token's last-used time is written at most once a minute; that write leaves the
    generation alone, so reads stay cached."""
    token, headers = _token(world)
    client = Client()
    client.get(PROFILES, headers=headers)
    before = identity_cache.generation()
    _sql("UPDATE accounts_apitoken SET last_used = NULL WHERE id = %s", [token.pk])
    client.get(PROFILES, headers=headers)  # writes last_used again
    assert identity_cache.generation() == before
    _cached(client, PROFILES, **headers)


def test_without_the_generation_row_nothing_is_cached(world: World):
    client = Client()
    client.force_login(world.users["viewer"])
    _sql("DELETE FROM csfpilot_identity_generation", [])
    client.get(PROFILES)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PROFILES).status_code == 200
    assert any("django_session" in q["sql"] for q in ctx.captured_queries)
    assert any("organizations_membership" in q["sql"] for q in ctx.captured_queries)


def test_a_change_within_a_request_is_seen_later_in_that_request(world: World):
    """A request that changes a membership reads the generation again afterwards."""
    from csfpilot.webapp.organizations.models import Membership
    from csfpilot.webapp.organizations.permissions import find_access

    viewer = world.users["viewer"]
    token = identity_cache._current.set(identity_cache._UNREAD)
    try:
        assert find_access(viewer, "acme").role.value == "viewer"
        assert find_access(viewer, "acme").role.value == "viewer"  # from the cache
        Membership.objects.filter(user=viewer).update(role="assessor")
        # A bulk update sends no signal: the request still holds the old generation.
        identity_cache.changed()
        assert find_access(viewer, "acme").role.value == "assessor"
        Membership.objects.get(user=viewer).delete()  # a signal: read again by itself
        assert find_access(viewer, "acme") is None
    finally:
        identity_cache._current.reset(token)
