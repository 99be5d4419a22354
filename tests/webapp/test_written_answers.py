"""Saving an outcome and creating a profile answer with what was written, not read back:
the answer must be exactly what reading the row afterwards returns, and the audit trail
written by prepared statements must still verify, link for link."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.audit.queries import verify_chains
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _client(world: World) -> tuple[Client, dict[str, str]]:
    _, secret = issue_token(world.users["owner"], "acme", "owner", "answers")
    return Client(), {"Authorization": f"Bearer {secret}"}


def test_a_saved_outcome_answers_what_reading_it_returns(world: World):
    client, headers = _client(world)
    row = world.profile("Answers")
    url = f"/api/organizations/acme/profiles/{row.pk}/outcomes/PR.AA-01"
    version = json.loads(client.get(url, headers=headers).content)["version"]
    contributor = world.users["contributor"].pk
    changes = {
        "version": version,
        "current": "partially",
        "target": "fully",
        "notes": "Badges for every site by June.",
        "owner_id": contributor,
        "current_details": {"evidence": ["Badge audit 2025"]},
    }
    saved = client.patch(url, json.dumps(changes), content_type="application/json", headers=headers)
    assert saved.status_code == 200, saved.content
    answer = json.loads(saved.content)
    assert answer == json.loads(client.get(url, headers=headers).content)
    assert answer["version"] == version + 1 and answer["owner_id"] == contributor
    assert answer["owner"] == "contributor@acme.test"  # the member's e-mail, as stored
    assert answer["updated_by"] == "owner@acme.test"
    # A save based on the old version is refused, with the stored values, and changes nothing.
    stale = client.patch(
        url,
        json.dumps({"version": version, "current": "fully"}),
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409
    assert json.loads(stale.content)["current"]["current"] == "partially"
    assert json.loads(client.get(url, headers=headers).content) == answer


def test_a_created_profile_answers_what_reading_it_returns(world: World):
    client, headers = _client(world)
    made = client.post(
        "/api/organizations/acme/profiles",
        json.dumps({"name": "Plant 7", "scope_type": "business-unit", "scale": "maturity"}),
        content_type="application/json",
        headers=headers,
    )
    assert made.status_code == 201, made.content
    answer = json.loads(made.content)
    url = f"/api/organizations/acme/profiles/{answer['id']}"
    assert answer == json.loads(client.get(url, headers=headers).content)
    outcomes = json.loads(client.get(url + "/outcomes", headers=headers).content)
    assert len(outcomes) == 106 and [o["code"] for o in outcomes][:2] == ["GV.OC-01", "GV.OC-02"]
    assert all(o["version"] == 1 and o["current"] is None for o in outcomes)
    again = client.post(
        "/api/organizations/acme/profiles",
        json.dumps({"name": "PLANT 7"}),
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 409  # the name, whatever its case: nothing stored


def test_the_audit_trail_still_verifies_link_for_link(world: World):
    client, headers = _client(world)
    before = AuditEvent.objects.filter(organization=world.org).count()
    for i in range(3):
        made = client.post(
            "/api/organizations/acme/profiles",
            json.dumps({"name": f"Chain {i}"}),
            content_type="application/json",
            headers=headers,
        )
        pk = json.loads(made.content)["id"]
        url = f"/api/organizations/acme/profiles/{pk}/outcomes/GV.OC-01"
        body = json.dumps({"version": 1, "current": "largely"})
        patched = client.patch(url, body, content_type="application/json", headers=headers)
        assert patched.status_code == 200
    events = AuditEvent.objects.filter(organization=world.org).order_by("seq")
    assert events.count() == before + 6
    assert list(events.values_list("seq", flat=True)) == list(range(1, events.count() + 1))
    assert all(verdict.ok for _slug, verdict in verify_chains())
