"""The spreadsheet wizards through their pages and services, on real workbooks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import Side
from csfpilot.formats.community_workbook import read_spec
from csfpilot.formats.csf11_assessment import AssessmentColumns
from csfpilot.webapp.audit.models import AuditEvent as Event
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.intake import services
from csfpilot.webapp.intake.models import CommunitySource, HeldUpload
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.operator import operator_access
from tests.community_workbooks import SECTOR_SPEC, csf11_assessment, sector_workbook
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
COMMUNITY = "/orgs/acme/profiles/community-workbook/"
CSF11 = "/orgs/acme/profiles/csf11-migration/"

MAPPING_POST = {
    "sheet": "Structure",
    "mapping_sheet": "Mapping",
    "name": "Water Sector Community Profile",
    "publisher": "Example Water ISAC",
    "version": "1.2",
    "terms": "CC BY 4.0",
    "scale": "status",
    "id": "ID",
    "target": "Tiering (target)",
    "priority": "Priority",
    "rationale": "Rationale",
    "text": "Statement",
    "parent": "Parent",
    "extra": ["Guidance"],
    "statement": "Statement ID",
    "subcategory": "CSF 2.0 Subcategory",
}


def _upload(client, url, data: bytes, name: str):
    return client.post(url, {"action": "upload", "file": SimpleUploadedFile(name, data)})


def test_community_wizard_previews_then_stores_with_publisher(client, world: World):
    client.force_login(world.users["assessor"])
    assert _upload(client, COMMUNITY, sector_workbook(), "water.xlsx").status_code == 302
    page = client.get(COMMUNITY + "?sheet=Structure&mapping_sheet=Mapping")
    assert page.status_code == 200
    assert '<option value="Tiering (target)">' in page.content.decode()

    preview = client.post(COMMUNITY, {**MAPPING_POST, "action": "preview"})
    body = preview.content.decode()
    assert preview.status_code == 200, body[:2000]
    assert "Structure!5, Mapping!3; Structure!6, Mapping!8" in body
    assert "Structure!D10" in body  # where "Baseline" was typed
    assert m.Profile.objects.filter(kind="community", name__startswith="Water").count() == 0
    digest = preview.context["digest"]
    value_rows = preview.context["value_rows"]
    rows = {r["text"]: r["index"] for r in value_rows}
    assert {r["text"]: r["chosen"] for r in value_rows} == {
        "Tier 3": "largely",
        "Required": "fully",
        "Tier 4": "fully",
        "In progress": "partially",
        "Baseline": "-",
    }

    # Choices made after the preview: storing with the old digest shows a new preview.
    choices = {f"vt-{r['index']}": r["text"] for r in value_rows}
    choices |= {f"vc-{r['index']}": r["chosen"] for r in value_rows}
    choices[f"vc-{rows['Baseline']}"] = "partially"
    choices[f"vc-{rows['In progress']}"] = "-"
    stale = client.post(
        COMMUNITY, {**MAPPING_POST, **choices, "action": "store", "previewed": digest}
    )
    assert stale.status_code == 409
    assert not m.Profile.objects.filter(name="Water Sector Community Profile").exists()
    stored = client.post(
        COMMUNITY,
        {**MAPPING_POST, **choices, "action": "store", "previewed": stale.context["digest"]},
    )
    assert stored.status_code == 302
    row = m.Profile.objects.get(organization=world.org, name="Water Sector Community Profile")
    assert row.kind == "community"
    targets = dict(
        m.ProfileOutcome.objects.filter(profile=row, included=True).values_list("code", "target")
    )
    assert targets["PR.AT-01"] == "partially"
    assert targets["GV.OC-05"] == "fully"
    assert targets["PR.DS-11"] is None  # "In progress" set to not rated
    source = CommunitySource.objects.get(profile=row)
    assert (source.publisher, source.version, source.terms) == (
        "Example Water ISAC",
        "1.2",
        "CC BY 4.0",
    )
    assert source.citations["PR.AA-05"] == ["Structure!8, Mapping!5"]
    assert source.spec["values"]["Baseline"] == "partially"
    assert not HeldUpload.objects.exists()
    assert Event.objects.filter(organization=world.org, action="import").count() == 1
    overview = client.get(stored["Location"]).content.decode()
    assert "Example Water ISAC" in overview and "CC BY 4.0" in overview
    assert "water.xlsx" in overview


def test_a_refused_workbook_stores_nothing_and_names_the_cell(client, world: World):
    client.force_login(world.users["owner"])
    bad = sector_workbook(mapping=[("WS-1.1", "PR.AC-1")])
    _upload(client, COMMUNITY, bad, "water.xlsx")
    response = client.post(COMMUNITY, {**MAPPING_POST, "action": "preview"})
    assert response.status_code == 400
    assert (
        "water.xlsx: sheet &#x27;Mapping&#x27;: row 2: column B: PR.AC-1 is not an outcome"
        in response.content.decode()
    )
    assert not m.Profile.objects.filter(kind="community").exists()


def test_an_upload_that_is_not_a_workbook_is_refused(client, world: World):
    client.force_login(world.users["owner"])
    response = _upload(client, COMMUNITY, b"name: x\n", "x.yaml")
    assert response.status_code == 400
    assert "expected .xlsx or .xlsm" in response.content.decode()
    assert not HeldUpload.objects.exists()


def test_held_files_are_one_persons_own(world: World):
    services.hold(world.access("owner"), "community", sector_workbook(), "w.xlsx")
    assert services.held(world.access("assessor"), "community") is None
    assert services.held(world.access("owner"), "community").filename == "w.xlsx"


def test_only_the_operator_keeps_statements_as_a_framework(world: World):
    spec = read_spec(SECTOR_SPEC.encode(), name="map.yaml")
    with pytest.raises(InputRefused, match="only the instance's operator"):
        services.store_community_workbook(
            world.access("owner"), sector_workbook(), "w.xlsx", spec, statements_key="water-1.2"
        )
    stored = services.store_community_workbook(
        operator_access("acme"),
        sector_workbook(),
        "w.xlsx",
        spec,
        {"Baseline": "partially"},
        statements_key="water-1.2",
    )
    fw = catalog.Framework.objects.get(key="water-1.2")
    assert (fw.publisher, fw.version, fw.outcome_level) == ("Example Water ISAC", "1.2", "level_2")
    dataset = catalog.MappingDataset.objects.get(key="water-1.2-to-csf-2.0")
    assert dataset.row_count == 8
    assert catalog.Mapping.objects.filter(dataset=dataset, target__isnull=False).count() == 8
    assert stored.result.profile.kind == "community"


COLUMNS = {
    "sheet": "Assessment 2021",
    "scale": "status",
    "id": "Subcategory",
    "current": "Current status",
    "target": "Target status",
    "priority": "Priority",
    "name": "Plant (CSF 2.0)",
}


def test_csf11_wizard_proposes_and_stores_what_was_confirmed(client, world: World):
    client.force_login(world.users["owner"])
    assert _upload(client, CSF11, csf11_assessment(), "plant-2021.xlsx").status_code == 302
    preview = client.post(CSF11, {**COLUMNS, "action": "preview"})
    body = preview.content.decode()
    assert preview.status_code == 200, body[:3000]
    assert (
        "weakest link of ID.BE-2 (incorporated into), ID.BE-3 (incorporated into): ID.BE-3" in body
    )
    rows = {r["code"]: r for r in preview.context["proposal_rows"]}
    assert [s["chosen"] for s in rows["GV.OC-01"]["sides"]] == ["partially", "fully"]
    assert [s["chosen"] for s in rows["PR.AA-01"]["sides"]] == ["na", "na"]
    assert [s["chosen"] for s in rows["GV.OV-01"]["sides"]] == ["", ""]
    decisions = {
        f"d-{code}-{s['side']}": s["chosen"] for code, r in rows.items() for s in r["sides"]
    }
    decisions["d-GV.OC-01-current"] = "largely"  # the person knows better
    # The browser posts every typed value with the level shown for it: unchanged, so the
    # preview still holds.
    for r in preview.context["value_rows"]:
        decisions[f"vt-{r['index']}"] = r["text"]
        decisions[f"vc-{r['index']}"] = r["chosen"]
    assert not m.Profile.objects.filter(name="Plant (CSF 2.0)").exists()
    stored = client.post(
        CSF11,
        {**COLUMNS, **decisions, "action": "store", "previewed": preview.context["digest"]},
    )
    assert stored.status_code == 302
    row = m.Profile.objects.get(organization=world.org, name="Plant (CSF 2.0)")
    assert row.framework.key == "csf-2.0" and row.kind == "organizational"
    got = {
        o.code: (o.current, o.target, o.priority)
        for o in m.ProfileOutcome.objects.filter(profile=row)
    }
    assert got["GV.OC-01"] == ("largely", "fully", "medium")
    assert got["ID.AM-01"] == ("largely", "fully", "high")
    assert got["PR.AA-01"] == ("na", "na", "")
    assert got["GV.OV-01"] == (None, None, "")
    assert got["DE.CM-01"] == (None, "fully", "")


def test_migration_service_reads_csfpilots_own_11_profile(world: World):
    text = (
        b"format_version: 1\nframework: csf-1.1\nname: Old\nscale: status\n"
        b"outcomes:\n  ID.AM-1: {current: fully, target: fully}\n"
    )
    migration = services.plan_migration(world.access("owner"), text, "old.yaml")
    assert migration.plan.proposal("ID.AM-01", Side.CURRENT).level.key == "fully"
    result = services.store_migration(world.access("owner"), migration, name="New", filename="o")
    assert result.profile.framework.key == "csf-2.0"


def test_migration_refuses_a_sheet_with_a_bad_id(world: World):
    data = csf11_assessment([("ID.AM-9", "Fully", "", "")])
    columns = AssessmentColumns(sheet="Assessment 2021", id="Subcategory", current="Current status")
    with pytest.raises(InputRefused) as err:
        services.plan_migration(world.access("owner"), data, "a.xlsx", columns)
    assert str(err.value).startswith(
        "a.xlsx: sheet 'Assessment 2021': row 2: column A: ID.AM-9 is not an outcome of csf-1.1"
    )
