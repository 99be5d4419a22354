"""The transfer API: preview and apply over HTTP with an API token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.profiles import models as m
from tests.webapp.profiles_world import World
from tests.webapp.test_profile_pages import rate

pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db


def call(world: World, role: str, path: str, body: dict) -> tuple[int, dict]:
    _, secret = issue_token(world.users[role], "acme", role, "transfer")
    response = Client().post(
        f"/api/organizations/acme/profiles/{path}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    return response.status_code, json.loads(response.content or b"{}")


def test_preview_then_apply_onto_an_existing_profile(world: World):
    row = world.profile("Clinic")
    rate(world, row, "PR.AA-01", current="partially", target="fully")
    rate(world, row, "PR.AA-05", current="largely", target="largely")
    onto = world.profile("Controls", framework="sp800-53r5")
    rate(world, onto, "AC-1", current="fully")
    status, body = call(
        world, "viewer", f"{row.pk}/transfer/preview", {"to": "sp800-53r5", "onto": onto.pk}
    )
    assert status == 200, body
    assert body["datasets"] == ["olir-sp800-53r5-5.2.0"] and body["rule"] == "weakest"
    ac1 = next(r for r in body["outcomes"] if r["id"] == "AC-1")
    assert ac1["current"]["level"] == "partially" and ac1["current"]["coverage"] == "partial"
    assert ac1["existing"]["current"] == "fully" and ac1["replaces"] is True
    path = next(s for s in ac1["sources"] if s["id"] == "PR.AA-01")["path"]
    assert path == [
        {
            "dataset": "olir-sp800-53r5-5.2.0",
            "source": "PR.AA-01",
            "relationship": "related_to",
            "target": "AC-1",
        }
    ]
    denied, _ = call(world, "viewer", f"{row.pk}/transfer/apply", {"to": "sp800-53r5"})
    assert denied == 403
    status, body = call(
        world,
        "assessor",
        f"{row.pk}/transfer/apply",
        {
            "to": "sp800-53r5",
            "onto": onto.pk,
            "choices": {"AC-1": {"current": "largely", "target": None}},
            "versions": {"AC-1": ac1["existing"]["version"]},
        },
    )
    assert status == 200, body
    stored = m.ProfileOutcome.objects.get(profile=onto, code="AC-1")
    assert (stored.current, stored.target) == ("largely", None)
    stale, body = call(
        world,
        "assessor",
        f"{row.pk}/transfer/apply",
        {
            "to": "sp800-53r5",
            "onto": onto.pk,
            "choices": {"AC-1": {"current": "not"}},
            "versions": {"AC-1": ac1["existing"]["version"]},
        },
    )
    assert stale == 409
    bad, body = call(
        world, "owner", f"{row.pk}/transfer/preview", {"to": "sp800-53r5", "rule": "x"}
    )
    assert bad in (400, 422)
    status, body = call(world, "owner", f"{row.pk}/transfer/apply", {"to": "cis-v8.1"})
    assert status == 201 and body["framework"] == "cis-v8.1"
