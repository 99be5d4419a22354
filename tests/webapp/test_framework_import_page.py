"""The operator's framework and crosswalk import page: check, import, refusals, the audit chain."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.catalog import models as m

pytestmark = pytest.mark.django_db
URL = "/instance/frameworks/import/"
CROSSWALK = (
    b"Source framework,Source ID,Relationship,Target framework,Target ID,Comment\r\n"
    b"csf-2.0,GV.OC-01,subset of,sp800-53r5,PM-11,mission first\r\n"
    b"csf-2.0,PR.AA-05,related to,sp800-53r5,AC-3,\r\n"
)


@pytest.fixture
def operator(client):
    user = get_user_model().objects.create_superuser("op@example.org", "op@example.org", "x" * 16)
    client.force_login(user)
    return client


def post(client, content: bytes, name: str, action: str, **fields: str):
    return client.post(URL, {"file": SimpleUploadedFile(name, content), "action": action, **fields})


def test_only_the_operator_may_import(client):
    user = get_user_model().objects.create_user("a@example.org", "a@example.org", "x" * 16)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert post(client, CROSSWALK, "mine.csv", "import").status_code == 403
    assert not m.MappingDataset.objects.filter(key="mine").exists()


def test_check_shows_what_would_be_created_and_stores_nothing(operator):
    response = post(operator, CROSSWALK, "mine.csv", "check", publisher="Our team")
    body = response.content.decode()
    assert response.status_code == 200
    assert "mine.csv can be imported" in body and "<code>mine</code>" in body
    # The server's request limit (25 MiB by default) is lower than the readers' (64 MiB).
    assert "At most 25 MiB." in body
    assert not m.MappingDataset.objects.filter(key="mine").exists()


def test_import_stores_the_crosswalk_and_records_it(operator):
    response = post(
        operator, CROSSWALK, "mine.csv", "import", publisher="Our team", reviewed_by="Ana Lee"
    )
    assert response.status_code == 200
    assert "mine.csv was imported" in response.content.decode()
    ds = m.MappingDataset.objects.get(key="mine")
    assert (ds.publisher, ds.reviewed_by, ds.row_count) == ("Our team", "Ana Lee", 2)
    assert sorted(
        ds.rows.values_list("source__code", "target__code", "relationship", "comment")
    ) == [
        ("GV.OC-01", "PM-11", "subset_of", "mission first"),
        ("PR.AA-05", "AC-3", "related_to", ""),
    ]
    page = operator.get("/crosswalks/mine/").content.decode()
    assert '<dt>Reviewed by</dt><dd translate="no">Ana Lee <span class="muted">(' in page
    listed = operator.get("/api/datasets").json()
    assert [d["reviewed_by"] for d in listed if d["key"] == "mine"] == ["Ana Lee"]
    event = AuditEvent.objects.filter(organization__isnull=True, action="import").get()
    assert (event.object_type, event.object_label, event.actor_name) == (
        "framework-import",
        "mine.csv",
        "op@example.org",
    )


def test_a_refused_file_says_why_and_stores_nothing(operator):
    bad = CROSSWALK.replace(b"sp800-53r5,AC-3", b"nist-800-171r3,3.1.1")
    response = post(operator, bad, "mixed.csv", "import")
    body = response.content.decode()
    assert response.status_code == 400
    assert "mixed.csv cannot be imported" in body
    assert "every row must relate csf-2.0 to sp800-53r5" in body
    assert not m.MappingDataset.objects.filter(key="mixed").exists()


def test_the_page_points_scripts_at_the_api(operator):
    body = operator.get(URL).content.decode()
    assert (
        "Scripts do the same through the API: <code>POST /api/instance/frameworks/import</code> "
        "and <code>POST /api/instance/crosswalks/import</code>" in body
    )
