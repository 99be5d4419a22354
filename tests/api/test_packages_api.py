"""``/api/organizations/{slug}/keys|trusted-keys|packages`` and the package pages."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.profiles.models import ProfileOutcome
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
NOTE = "api-only-note-5521"


@pytest.fixture
def world():
    w = build_world()
    w.plant = w.profile("Plant")
    ProfileOutcome.objects.filter(profile=w.plant, code="GV.OC-01").update(
        current="partially", target="fully", notes=NOTE
    )
    return w


def _api(user, org: str) -> Client:
    token = issue_token(user, org, "owner", "t")[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_export_verify_trust_import_over_the_api(world):
    acme = _api(world.users["owner"], "acme")
    globex = _api(world.outsider, "globex")
    keys = acme.get("/api/organizations/acme/keys").json()
    fp = keys["keys"][0]["fingerprint"]
    assert (
        keys["keys"][0]["state"] == "active"
        and "BEGIN PUBLIC KEY" in keys["keys"][0]["public_key_pem"]
    )
    preview = acme.get(
        f"/api/organizations/acme/profiles/{world.plant.pk}/package/preview?level=scores"
    )
    assert preview.status_code == 200 and {r["member"] for r in preview.json()} == {"scores.json"}
    got = acme.get(f"/api/organizations/acme/profiles/{world.plant.pk}/package?level=no-text")
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    data = got.content
    assert NOTE.encode() not in data

    def upload(content=data):
        return SimpleUploadedFile("p.csfpkg.json", content, content_type="application/json")

    seen = globex.post("/api/organizations/globex/packages/verify", {"file": upload()}).json()
    assert seen["trusted"] is False and seen["fingerprint"] == fp and seen["importable"]
    refused = globex.post("/api/organizations/globex/packages/import", {"file": upload()})
    assert refused.status_code == 400 and "not a trusted key" in refused.json()["detail"]
    added = globex.post(
        "/api/organizations/globex/trusted-keys",
        json.dumps({"fingerprint": fp, "partner": "Acme"}),
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["trusted"][0]["partner"] == "Acme"
    done = globex.post("/api/organizations/globex/packages/import", {"file": upload()})
    assert done.status_code == 201, done.content
    assert done.json()["trusted"] is True and done.json()["profile_name"] == "Plant"
    again = globex.post("/api/organizations/globex/packages/import", {"file": upload()})
    assert again.status_code == 400 and "replay" in again.json()["detail"]
    altered = data.replace(b'"partially"', b'"fully"', 1)
    bad = globex.post("/api/organizations/globex/packages/verify", {"file": upload(altered)})
    assert bad.status_code == 400 and "profile.json" in bad.json()["detail"]
    gone = globex.delete(f"/api/organizations/globex/trusted-keys/{fp}")
    assert gone.status_code == 200 and gone.json()["trusted"] == []


def test_rotate_and_revoke_over_the_api(world):
    acme = _api(world.users["owner"], "acme")
    first = acme.get("/api/organizations/acme/keys").json()["keys"][0]["fingerprint"]
    rotated = acme.post("/api/organizations/acme/keys/rotate").json()["keys"]
    assert {k["fingerprint"]: k["state"] for k in rotated}[first] == "retired"
    revoked = acme.post(f"/api/organizations/acme/keys/{first}/revoke").json()["keys"]
    assert {k["fingerprint"]: k["state"] for k in revoked}[first] == "revoked"
    # Another organization's key is not found under one's own.
    other = _api(world.outsider, "globex")
    theirs = other.get("/api/organizations/globex/keys").json()["keys"][0]["fingerprint"]
    assert acme.post(f"/api/organizations/acme/keys/{theirs}/revoke").status_code == 404
    assert other.get("/api/organizations/globex/keys").json()["keys"][0]["state"] == "active"


def test_the_pages_show_keys_preview_and_import(world):
    client = Client()
    client.force_login(world.users["owner"])
    page = client.get("/orgs/acme/keys/")
    assert page.status_code == 200 and b"fingerprint" in page.content
    export = client.get(f"/orgs/acme/profiles/{world.plant.pk}/package/?level=full")
    assert export.status_code == 200 and NOTE.encode() in export.content
    export = client.get(f"/orgs/acme/profiles/{world.plant.pk}/package/?level=scores")
    assert NOTE.encode() not in export.content and b"scores.json" in export.content
    data = client.get(
        f"/orgs/acme/profiles/{world.plant.pk}/package/download/?level=no-text"
    ).content
    other = Client()
    other.force_login(world.outsider)
    check = other.post(
        "/orgs/globex/packages/import/",
        {"file": SimpleUploadedFile("p.json", data), "action": "check"},
    )
    assert check.status_code == 200
    assert "Intact, but signed by a key you do not trust" in check.content.decode()
    token = check.context["token"]
    refused = other.post("/orgs/globex/packages/import/", {"token": token, "action": "import"})
    assert "not a trusted key" in refused.content.decode()
    done = other.post(
        "/orgs/globex/packages/import/",
        {"token": token, "action": "import", "accept_untrusted": "on", "name": "From Acme"},
    )
    assert done.status_code == 302
    history = other.get("/orgs/globex/packages/import/").content.decode()
    assert "From Acme" in history and "untrusted" in history
