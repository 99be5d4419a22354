"""Regressions: one import size limit everywhere, the jobs page refusing up front, a
POA&M of a profile without an action plan answered cleanly."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from csfpilot.formats.limits import MiB, import_max_bytes
from csfpilot.webapp.jobs.models import Job
from csfpilot.webapp.profiles import services
from tests.formats.nist_template_helpers import blank_template, fill
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401
from tests.webapp.test_profiles_files import SMALL

pytestmark = pytest.mark.django_db


def test_the_limit_comes_from_one_setting():
    assert import_max_bytes({}) == 8 * MiB
    assert import_max_bytes({"CSFPILOT_IMPORT_MAX_MB": "0.5"}) == MiB // 2
    with pytest.raises(ValueError, match="CSFPILOT_IMPORT_MAX_MB must be a positive number"):
        import_max_bytes({"CSFPILOT_IMPORT_MAX_MB": "lots"})


def test_every_web_and_api_import_refuses_a_file_over_the_same_limit(
    client, world: World, settings
):
    settings.CSFPILOT_IMPORT_MAX_BYTES = 1000
    row = services.import_profile_file(world.access("owner"), SMALL, filename="p.yaml").profile
    client.force_login(world.users["owner"])
    big = b"# padding\n" * 200 + SMALL  # a valid profile file, over 1,000 bytes
    pages = {
        "/orgs/acme/profiles/import/": "p.yaml",
        f"/orgs/acme/profiles/{row.pk}/exchange/import/": "p.xlsx",
        "/orgs/acme/jobs/import/": "p.yaml",
    }
    for url, name in pages.items():
        response = client.post(url, {"file": SimpleUploadedFile(name, big)})
        assert response.status_code == 400, url
        assert "the limit is 1,000 (CSFPILOT_IMPORT_MAX_MB)" in response.content.decode(), url
    api = client.post(
        "/api/organizations/acme/profiles/import",
        {"file": SimpleUploadedFile("p.yaml", big)},
    )
    assert api.status_code == 413
    assert not Job.objects.exists()


def test_the_jobs_page_refuses_a_workbook_before_queueing_it(client, world: World):
    client.force_login(world.users["owner"])
    upload = SimpleUploadedFile("consultant.xlsx", fill(blank_template()))
    response = client.post("/orgs/acme/jobs/import/", {"file": upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert "a profile file ends in .yaml, .yml or .json; a workbook is imported onto a" in text
    bad = SMALL.replace(b"framework: csf-2.0", b"framework: csf-9.9")
    response = client.post("/orgs/acme/jobs/import/", {"file": SimpleUploadedFile("b.yaml", bad)})
    assert response.status_code == 400
    assert "csf-9.9" in response.content.decode()
    assert not Job.objects.exists()


def test_a_poam_of_a_profile_without_an_action_plan_is_a_clean_400(client, world: World):
    row = world.profile("No plan yet")
    client.force_login(world.users["owner"])
    page = client.get(f"/orgs/acme/profiles/{row.pk}/exchange/poam/")
    assert page.status_code == 400
    assert "Nothing to export" in page.content.decode()
    api = client.get(f"/api/organizations/acme/profiles/{row.pk}/export/poam")
    assert api.status_code == 400
    said = "&#x27;No plan yet&#x27; has no action plan yet: a POA&amp;M needs at least one action"
    assert said in page.content.decode()
    assert "has no action plan yet" in api.json()["detail"]
