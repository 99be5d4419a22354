"""Scanner imports over the REST API: import, list, one, findings, trend; roles and tenants."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from csfpilot.webapp.profiles import services as profiles
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parents[1] / "data" / "scanners"
BASE = "/api/organizations/acme/evidence/scans"


@pytest.fixture
def world():
    return build_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, name: str, **fields):
    with (DATA / name).open("rb") as handle:
        return client.post(BASE, {"file": handle, **fields})


def test_import_list_detail_findings_and_trend(world):
    profile = world.profile()
    profiles.update_outcome(
        world.access("owner"), profile.pk, "PR.PS-02", {"current": "fully"}, expected_version=1
    )
    client = client_for(world.users["assessor"])
    answer = upload(client, "trivy-image.json", profile=str(profile.pk))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["summary"]["contradicted"] == ["PR.PS-02"]
    assert body["summary"]["findings"] == 7 and body["scan"]["format"] == "trivy"
    scan_id = body["scan"]["id"]
    assert len(body["scan"]["sha256"]) == 64

    listed = client.get(BASE).json()
    assert [s["id"] for s in listed] == [scan_id]
    detail = client.get(f"{BASE}/{scan_id}").json()
    assert detail["summary"]["outcomes"]["PR.PS-02"] == {"fail": 3}
    failing = client.get(f"{BASE}/{scan_id}/findings", {"outcome": "PR.PS-02"}).json()
    assert failing["total"] == 3
    assert {f["status"] for f in failing["findings"]} == {"fail"}
    trend = client.get(
        f"{BASE}/trend", {"series": body["scan"]["series"], "outcome": "PR.PS-01"}
    ).json()
    assert [(p["passed"], p["failed"]) for p in trend] == [(1, 2)]


def test_a_refused_file_answers_400_naming_the_file(world):
    client = client_for(world.users["owner"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(BASE, {"file": SimpleUploadedFile("junk.json", b'{"a": 1}')})
    assert answer.status_code == 400
    assert "junk.json" in answer.content.decode()


def test_roles_and_tenants(world):
    assert upload(client_for(world.users["contributor"]), "bandit.sarif").status_code == 403
    assert upload(client_for(world.users["viewer"]), "bandit.sarif").status_code == 403
    assert client_for(world.users["viewer"]).get(BASE).status_code == 200
    scan_id = upload(client_for(world.users["owner"]), "bandit.sarif").json()["scan"]["id"]
    outsider = client_for(world.outsider)
    assert outsider.get(f"{BASE}/{scan_id}").status_code == 404
    assert outsider.get(f"/api/organizations/globex/evidence/scans/{scan_id}").status_code == 404


def test_an_openscap_arf_imports_over_the_api(world):
    answer = upload(client_for(world.users["owner"]), "oscap-debian11-standard-arf.xml")
    assert answer.status_code == 201, answer.content
    assert answer.json()["summary"]["findings"] == 44
