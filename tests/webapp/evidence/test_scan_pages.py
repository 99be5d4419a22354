"""The scanner results pages: import a real tool's file, see the summary and the findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.profiles import services as profiles
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parents[2] / "data" / "scanners"


@pytest.fixture
def world():
    return build_world()


def signed_in(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_an_assessor_imports_trivy_and_sees_the_contradiction(world):
    profile = world.profile()
    profiles.update_outcome(
        world.access("owner"), profile.pk, "PR.PS-02", {"current": "fully"}, expected_version=1
    )
    client = signed_in(world.users["assessor"])
    with (DATA / "trivy-image.json").open("rb") as handle:
        answer = client.post(
            "/orgs/acme/evidence/scans/import/", {"file": handle, "profile": str(profile.pk)}
        )
    scan = m.ScanImport.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/orgs/acme/evidence/scans/{scan.pk}/"
    page = client.get(answer["Location"]).content.decode()
    assert "Contradicted outcomes" in page and "PR.PS-02" in page
    assert "7 read, 7 mapped to outcomes" in page
    only = client.get(answer["Location"], {"outcome": "PR.PS-02"}).content.decode()
    assert only.count('class="finding-status status-fail"') == 3
    listing = client.get("/orgs/acme/evidence/scans/").content.decode()
    assert f"/orgs/acme/evidence/scans/{scan.pk}/" in listing
    # The dashboard's evidence panel counts it.
    dashboard = client.get(f"/orgs/acme/profiles/{profile.pk}/dashboard/").content.decode()
    assert "contradicted" in dashboard.lower()


def test_a_file_that_is_no_scan_is_refused_with_its_name(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(world.users["owner"])
    answer = client.post(
        "/orgs/acme/evidence/scans/import/",
        {"file": SimpleUploadedFile("notes.json", b'{"hello": "world"}')},
        follow=True,
    )
    assert "notes.json" in answer.content.decode()
    assert not m.ScanImport.objects.exists() and not m.StoredFile.objects.exists()


def test_viewers_read_but_cannot_import_and_the_page_speaks_zh_hant(world):
    client = signed_in(world.users["viewer"], "zh-hant")
    page = client.get("/orgs/acme/evidence/scans/").content.decode()
    assert "掃描結果" in page and 'name="file"' not in page
    with (DATA / "bandit.sarif").open("rb") as handle:
        refused = client.post("/orgs/acme/evidence/scans/import/", {"file": handle})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "name", ["oscap-debian11-standard-arf.xml", "oscap-debian11-standard-xccdf.xml"]
)
def test_openscap_results_with_xhtml_descriptions_import_through_the_page(world, name):
    """An XCCDF result holds XHTML in its rule descriptions: the scanner reader decides what
    the file is, not the evidence type check that refuses HTML pages."""
    client = signed_in(world.users["owner"])
    with (DATA / name).open("rb") as handle:
        answer = client.post("/orgs/acme/evidence/scans/import/", {"file": handle})
    scan = m.ScanImport.objects.get()
    assert answer["Location"] == f"/orgs/acme/evidence/scans/{scan.pk}/"
    assert (scan.format, scan.findings_count, scan.mapped_count) == ("xccdf", 44, 40)
    assert scan.version.stored_file.media_type == "application/xml"
