"""Workbooks and OSCAL through the app: downloads, preview then apply, API, permissions."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal.extension import NS
from csfpilot.formats.profile_xlsx import read_profile_workbook
from csfpilot.webapp.demo import ensure_demo
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import exchange_formats, lookups, services
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.demo_content import PROFILE_NAME
from tests.formats.oscal_validation import schema_errors
from tests.formats.profile_xlsx_helpers import edit, row_of
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401
from tests.webapp.test_profiles_files import SMALL

pytestmark = pytest.mark.django_db
SHEET = "Current and Target Profile"


def _stored(world: World) -> m.Profile:
    return services.import_profile_file(world.access("owner"), SMALL, filename="p.yaml").profile


def _doc(access, pk):
    from csfpilot.formats.native import to_document

    return to_document(lookups.domain_profile(m.Profile.objects.get(pk=pk)))


def test_the_demo_organization_produces_every_format():
    org = ensure_demo()
    access = require(org.memberships.get().user, org.slug, Permission.VIEW)
    row = m.Profile.objects.get(organization=org, name=PROFILE_NAME)
    framework = lookups.framework_of(row)
    xlsx = exchange_formats.export_exchange(access, row.pk, "xlsx")
    assert xlsx.filename.endswith("-nist-template.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.data))[SHEET]
    assert ws.max_row == 107
    # The stored framework carries NIST's statements, so the template shows them.
    assert ws["D2"].value.startswith("The organizational mission is understood")
    read = read_profile_workbook(xlsx.data, name=xlsx.filename, framework=framework)
    assert read.profile.name == PROFILE_NAME and len(read.profile.actions) > 0
    for fmt, model in (
        ("assessment-results", "assessment-results"),
        ("poam", "plan-of-action-and-milestones"),
    ):
        export = exchange_formats.export_exchange(access, row.pk, fmt)
        doc = json.loads(export.data)
        assert list(doc) == [model]
        assert schema_errors(doc) == []
        names = {p["name"] for p in doc[model]["metadata"]["props"] if p["ns"] == NS}
        assert {"profile-name", "scale", "framework"} <= names
    ar = json.loads(exchange_formats.export_exchange(access, row.pk, "assessment-results").data)
    assert len(ar["assessment-results"]["results"][0]["findings"]) == 106


def test_a_workbook_edit_previews_field_by_field_and_applies_all_at_once(world: World):
    row = _stored(world)
    access = world.access("assessor")
    export = exchange_formats.export_exchange(access, row.pk, "xlsx")
    r = row_of(export.data, "PR.AA-03")
    edited = edit(export.data, SHEET, {f"H{r}": "Partially implemented", f"U{r}": "Plant OT"})
    before = _doc(access, row.pk)
    preview = exchange_formats.preview_exchange(access, row.pk, edited, filename="back.xlsx")
    assert [(c.element, c.field, c.before, c.after) for c in preview.changes] == [
        ("PR.AA-03", "current", "not", "partially"),
        ("PR.AA-03", "owner", "Plant IT", "Plant OT"),
    ]
    assert _doc(access, row.pk) == before  # a preview stores nothing
    exchange_formats.apply_exchange(
        access, row.pk, edited, filename="back.xlsx", expected_version=preview.version
    )
    after = _doc(access, row.pk)
    assert after["outcomes"]["PR.AA-03"]["current"] == "partially"
    assert after["outcomes"]["PR.AA-03"]["owner"] == "Plant OT"
    # Exported again, the workbook holds what was imported.
    again = exchange_formats.export_exchange(access, row.pk, "xlsx")
    assert (
        exchange_formats.preview_exchange(access, row.pk, again.data, filename="again.xlsx").changes
        == ()
    )


def test_a_stale_preview_and_a_refused_file_change_nothing(world: World):
    row = _stored(world)
    access = world.access("owner")
    export = exchange_formats.export_exchange(access, row.pk, "xlsx")
    r = row_of(export.data, "GV.OC-01")
    edited = edit(export.data, SHEET, {f"H{r}": "Largely implemented"})
    preview = exchange_formats.preview_exchange(access, row.pk, edited, filename="x.xlsx")
    services.update_profile(
        access, row.pk, {"description": "changed meanwhile"}, expected_version=row.version
    )
    before = _doc(access, row.pk)
    with pytest.raises(StaleEdit):
        exchange_formats.apply_exchange(
            access, row.pk, edited, filename="x.xlsx", expected_version=preview.version
        )
    bad = edit(export.data, SHEET, {f"H{r}": "banana"})  # no proposal: refused on apply
    version = m.Profile.objects.get(pk=row.pk).version
    with pytest.raises(InputRefused) as info:
        exchange_formats.apply_exchange(
            access, row.pk, bad, filename="x.xlsx", expected_version=version
        )
    assert (info.value.sheet, info.value.row, info.value.column) == (
        SHEET,
        r,
        "H (Current Status)",
    )
    assert _doc(access, row.pk) == before


def test_oscal_exports_import_onto_the_profile_as_no_change_and_export_identically(world: World):
    row = _stored(world)
    access = world.access("owner")
    for fmt in ("assessment-results", "poam"):
        first = exchange_formats.export_exchange(access, row.pk, fmt)
        preview = exchange_formats.preview_exchange(access, row.pk, first.data, filename="o.json")
        assert preview.format == fmt and preview.changes == ()
        exchange_formats.apply_exchange(
            access, row.pk, first.data, filename="o.json", expected_version=preview.version
        )
        assert exchange_formats.export_exchange(access, row.pk, fmt).data == first.data


def test_a_poam_replaces_only_the_action_plan(world: World):
    row = _stored(world)
    access = world.access("owner")
    plan = json.loads(exchange_formats.export_exchange(access, row.pk, "poam").data)
    item = plan["plan-of-action-and-milestones"]["poam-items"][0]
    for p in item["props"]:
        if p["name"] == "status":
            p["value"] = "done"
    preview = exchange_formats.preview_exchange(
        access, row.pk, json.dumps(plan).encode(), filename="poam.json"
    )
    assert [(c.element, c.field, c.after) for c in preview.changes] == [
        ("action A-007", "status", "done")
    ]


def test_a_new_profile_starts_from_a_workbook(world: World):
    row = _stored(world)
    access = world.access("owner")
    export = exchange_formats.export_exchange(access, row.pk, "xlsx")
    result = exchange_formats.import_exchange_new(
        access, export.data, filename="copy.xlsx", name="Plant 2 copy"
    )
    assert result.created and result.profile.name == "Plant 2 copy"
    original, copy = _doc(access, row.pk), _doc(access, result.profile.pk)
    assert {**copy, "name": "Plant 2"} == original


def test_who_may_export_preview_and_apply(world: World):
    row = _stored(world)
    data = exchange_formats.export_exchange(world.access("auditor"), row.pk, "xlsx").data
    with pytest.raises(PermissionDenied):
        exchange_formats.export_exchange(world.access("viewer"), row.pk, "xlsx")
    for role in ("viewer", "contributor", "auditor"):
        with pytest.raises(PermissionDenied):
            exchange_formats.preview_exchange(world.access(role), row.pk, data, filename="x.xlsx")


# -- over HTTP -------------------------------------------------------------------------------


def _url(row, tail):
    return f"/orgs/acme/profiles/{row.pk}/{tail}"


def test_download_buttons_and_the_preview_page(client, world: World):
    row = _stored(world)
    client.force_login(world.users["assessor"])
    page = client.get(_url(row, ""))
    html = page.content.decode()
    for tail in (
        "exchange/xlsx/",
        "exchange/assessment-results/",
        "exchange/poam/",
        "exchange/import/",
    ):
        assert _url(row, tail) in html
    download = client.get(_url(row, "exchange/xlsx/"))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="plant-2-nist-template.xlsx"' in download["Content-Disposition"]
    r = row_of(download.content, "GV.OC-01")
    edited = edit(download.content, SHEET, {f"H{r}": "Fully implemented"})
    upload = io.BytesIO(edited)
    upload.name = "plant.xlsx"
    preview = client.post(_url(row, "exchange/import/"), {"file": upload})
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Preview: 1 change (elements affected: 1)" in text
    assert "Partially implemented" in text and "Fully implemented" in text
    token = preview.context["token"]
    applied = client.post(_url(row, "exchange/import/"), {"preview": token})
    assert applied.status_code == 302
    stored = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01")
    assert stored.current == "fully"
    # The same preview cannot be applied twice: the profile moved on.
    again = client.post(_url(row, "exchange/import/"), {"preview": token})
    assert again.status_code == 409
    forged = client.post(_url(row, "exchange/import/"), {"preview": token[:-2] + "xx"})
    assert forged.status_code == 400


def test_a_refused_upload_shows_where_the_mistake_is(client, world: World):
    row = _stored(world)
    client.force_login(world.users["owner"])
    data = client.get(_url(row, "exchange/xlsx/")).content
    r = row_of(data, "GV.OC-01")
    upload = io.BytesIO(edit(data, SHEET, {f"H{r}": "=1+1"}))
    upload.name = "plant.xlsx"
    response = client.post(_url(row, "exchange/import/"), {"file": upload})
    assert response.status_code == 400
    assert f"row {r}: column H (Current Status): the cell holds a formula" in (
        response.content.decode()
    )


def test_viewers_get_no_import_page_and_outsiders_no_profile(client, world: World):
    row = _stored(world)
    client.force_login(world.users["viewer"])
    assert client.get(_url(row, "exchange/import/")).status_code == 403
    assert client.get(_url(row, "exchange/xlsx/")).status_code == 403
    client.force_login(world.outsider)
    assert client.get(_url(row, "exchange/xlsx/")).status_code == 404


def test_the_api_previews_applies_and_documents_itself(client, world: World):
    row = _stored(world)
    client.force_login(world.users["assessor"])
    base = f"/api/organizations/acme/profiles/{row.pk}/exchange"
    ar = client.get(f"/api/organizations/acme/profiles/{row.pk}/export/assessment-results")
    assert ar.status_code == 200 and "assessment-results" in ar.json()
    doc = ar.json()
    finding = next(
        f for f in doc["assessment-results"]["results"][0]["findings"] if f["title"] == "GV.OC-01"
    )
    for p in finding["props"]:
        if p["name"] == "target-level":
            p["value"] = "largely"
    upload = io.BytesIO(json.dumps(doc).encode())
    upload.name = "ar.json"
    preview = client.post(f"{base}/preview", {"file": upload})
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["format"] == "assessment-results"
    assert body["changes"] == [
        {"element": "GV.OC-01", "field": "target", "before": "fully", "after": "largely"}
    ]
    upload.seek(0)
    stale = client.post(f"{base}/apply", {"file": upload, "version": body["version"] - 1})
    assert stale.status_code == 409
    upload.seek(0)
    applied = client.post(f"{base}/apply", {"file": upload, "version": body["version"]})
    assert applied.status_code == 200, applied.content
    assert m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01").target == "largely"
    broken = dict(doc)
    broken["assessment-results"] = {**doc["assessment-results"], "uuid": "not-a-uuid"}
    upload = io.BytesIO(json.dumps(broken).encode())
    upload.name = "bad.json"
    refused = client.post(f"{base}/preview", {"file": upload})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "assessment-results.uuid"
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/organizations/{slug}/profiles/{profile_id}/export/{format}" in paths
    assert "/api/organizations/{slug}/profiles/{profile_id}/exchange/apply" in paths
    assert "/api/organizations/{slug}/profiles/exchange/import" in paths


def test_posting_without_a_file_says_so(client, world: World):
    row = _stored(world)
    client.force_login(world.users["owner"])
    response = client.post(_url(row, "exchange/import/"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_new_profile_from_an_uploaded_oscal_file(client, world: World):
    row = _stored(world)
    client.force_login(world.users["assessor"])
    assert (
        "/orgs/acme/profiles/import-exchange/"
        in client.get("/orgs/acme/profiles/").content.decode()
    )
    data = client.get(_url(row, "exchange/assessment-results/")).content
    upload = io.BytesIO(data)
    upload.name = "ar.json"
    response = client.post(
        "/orgs/acme/profiles/import-exchange/", {"file": upload, "name": "From OSCAL"}
    )
    assert response.status_code == 302
    new = m.Profile.objects.get(organization=world.org, name="From OSCAL")
    assert m.ProfileOutcome.objects.get(profile=new, code="PR.AA-03").current == "not"
    upload = io.BytesIO(b"not a workbook")
    upload.name = "x.xlsx"
    refused = client.post("/orgs/acme/profiles/import-exchange/", {"file": upload})
    assert refused.status_code == 400 and "not a zip archive" in refused.content.decode()
    client.force_login(world.users["viewer"])
    assert client.get("/orgs/acme/profiles/import-exchange/").status_code == 403
