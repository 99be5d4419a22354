"""The sector benchmark between instances through the REST API: a member's contribution
(preview and signed file, by API token), the sector body's member keys, contribution
uploads and signed aggregate (the steward's signed-in session), the member's import."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.formats.packages.container import read_package
from csfpilot.formats.packages.redaction import listing
from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.profiles.models import ProfileOutcome
from csfpilot.webapp.sectors import stewardship
from csfpilot.webapp.sectors.models import RemoteContribution
from tests.webapp.profiles_world import build_world, make_user

pytestmark = pytest.mark.django_db
NOTE = "api-sector-note-7713"


@pytest.fixture
def world():
    w = build_world()
    w.plant = w.profile("Plant")
    ProfileOutcome.objects.filter(profile=w.plant, code__startswith="PR").update(
        current="partially", target="fully", notes=NOTE
    )
    w.steward = make_user("steward@isac.test")
    stewardship.appoint("energy", w.steward.email)
    isac = Organization.objects.create(name="Energy ISAC", slug="isac")
    Membership.objects.create(user=w.steward, organization=isac, role="owner")
    return w


def _token(user, org: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(user, org, 'owner', 't')[1]}"})


def _file(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/json")


def test_contribute_list_upload_publish_and_import_over_the_api(world):
    acme = _token(world.users["owner"], "acme")
    base = "/api/organizations/acme/benchmark/contribution"
    preview = acme.get(f"{base}/preview?sector=energy&profile={world.plant.pk}")
    assert preview.status_code == 200
    got = acme.get(f"{base}?sector=energy&profile={world.plant.pk}")
    assert got.status_code == 200 and NOTE.encode() not in got.content
    pkg = read_package(got.content, {})
    assert [(r["member"], r["field"], r["value"]) for r in preview.json()] == listing(pkg.members)
    assert acme.get(f"{base}?sector=nowhere").status_code == 404
    fp = acme.get("/api/organizations/acme/keys").json()["keys"][0]["fingerprint"]

    body = Client()
    body.force_login(world.steward)
    keys = "/api/sectors/energy/member-keys"
    bad = body.post(keys, {"name": "Acme", "fingerprint": "xyz"}, content_type="application/json")
    assert bad.status_code == 400 and "fingerprint" in bad.json()["detail"]
    added = body.post(keys, {"name": "Acme", "fingerprint": fp}, content_type="application/json")
    assert added.status_code == 201 and added.json()["counted"] is False
    sent = body.post(
        "/api/sectors/energy/contributions",
        {"file": [_file(got.content, "acme.json"), _file(b"[]", "junk.json")]},
    )
    assert sent.status_code == 200
    results = {r["filename"]: r for r in sent.json()}
    assert results["acme.json"]["accepted"] and results["acme.json"]["member"] == "Acme"
    assert not results["junk.json"]["accepted"] and results["junk.json"]["reason"]
    listed = body.get(keys).json()
    assert listed[0]["counted"] is True and listed[0]["contribution_signed"]
    # An API token is limited to one organization: the sector body's routes refuse it.
    assert acme.get(keys).status_code == 403

    published = body.get("/api/sectors/energy/aggregate?org=isac")
    assert published.status_code == 200
    assert json.loads(published.content)["members"]["aggregate.json"]["contributors"] == 1
    assert body.get("/api/sectors/energy/aggregate?org=acme").status_code == 404

    imported = "/api/organizations/acme/benchmark/aggregate"
    refused = acme.post(imported, {"file": _file(published.content, "agg.json")})
    assert refused.status_code == 400 and "not a trusted key" in refused.json()["detail"]
    isac_fp = read_package(published.content, {}).fingerprint
    acme.post(
        "/api/organizations/acme/trusted-keys",
        {"fingerprint": isac_fp, "partner": "Energy ISAC"},
        content_type="application/json",
    )
    ok = acme.post(imported, {"file": _file(published.content, "agg.json")})
    assert ok.status_code == 201
    assert (ok.json()["source"], ok.json()["trusted_as"]) == ("Energy ISAC", "Energy ISAC")

    removed = body.delete(f"{keys}/{fp}")
    assert removed.status_code == 200 and removed.json()["status"] == "revoked"
    assert removed.json()["counted"] is False
    assert RemoteContribution.objects.count() == 1  # kept, no longer counted
