"""OSCAL assessment-results and POA&M: valid against NIST's schemas, and back without loss."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings

from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal.assessment_results import assessment_results, read_assessment_results
from csfpilot.formats.oscal.extension import NS
from csfpilot.formats.oscal.poam import poam, read_poam
from tests.core.strategies import PROFILE_SETTINGS, profiles
from tests.formats.oscal_validation import schema_errors
from tests.formats.profile_xlsx_helpers import FRAMEWORK, data_of, sample_profile

WHEN = datetime(2025, 3, 31, 17, 0, tzinfo=UTC)


def export_both(profile):
    ar = assessment_results(profile, FRAMEWORK, identity="acme/7", when=WHEN)
    if not profile.actions:
        with pytest.raises(InputRefused, match="needs at least one action"):
            poam(profile, FRAMEWORK, identity="acme/7", when=WHEN)
        return ar, None
    return ar, poam(profile, FRAMEWORK, identity="acme/7", when=WHEN)


def import_both(ar, plan):
    from_ar, _ = read_assessment_results(
        json.dumps(ar).encode(), name="ar.json", framework=FRAMEWORK
    )
    if plan is None:
        return from_ar
    from_plan, _ = read_poam(json.dumps(plan).encode(), name="poam.json", framework=FRAMEWORK)
    return from_ar.with_actions(from_plan.actions)


def props(obj):
    return {p["name"]: p["value"] for p in obj.get("props", []) if p.get("ns") == NS}


def test_both_documents_validate_against_nists_schemas():
    ar, plan = export_both(sample_profile())
    assert schema_errors(ar) == []
    assert schema_errors(plan) == []


def test_findings_observations_and_evidence_say_what_the_profile_says():
    ar, _ = export_both(sample_profile())
    result = ar["assessment-results"]["results"][0]
    findings = {f["title"]: f for f in result["findings"]}
    assert list(findings) == ["GV.OC-01", "GV.OC-02", "PR.AA-01", "DE.CM-01"]  # NIST's order
    first = findings["GV.OC-01"]
    assert first["target"] == {
        "type": "objective-id",
        "target-id": "GV.OC-01",
        "status": {"state": "not-satisfied"},
        "implementation-status": {"state": "partial"},
    }
    assert props(first)["priority"] == "high"
    assert props(first)["target-level"] == "fully"
    assert props(first)["owner"] == "ciso@example.com"
    assert findings["GV.OC-02"]["target"]["status"] == {
        "state": "not-satisfied",
        "reason": "out-of-scope",
    }
    assert findings["PR.AA-01"]["target"]["status"]["state"] == "satisfied"
    observation = next(
        o
        for o in result["observations"]
        if o["uuid"] == first["related-observations"][0]["observation-uuid"]
    )
    assert props(observation)["current-level"] == "partially"
    assert observation["relevant-evidence"] == [
        {
            "description": "https://intranet.example/mission.pdf",
            "href": "https://intranet.example/mission.pdf",
        },
        {"description": "two\nlines"},
    ]
    selected = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert [c["control-id"] for c in selected] == ["GV.OC-01", "PR.AA-01", "DE.CM-01"]
    meta = props(ar["assessment-results"]["metadata"])
    assert meta["scale"] == "status" and meta["tier-governance-current"] == "2"


def test_the_poam_links_items_to_risks_findings_and_the_owner():
    ar, plan = export_both(sample_profile())
    body = plan["plan-of-action-and-milestones"]
    (item,) = body["poam-items"]
    (risk,) = body["risks"]
    assert item["related-risks"] == [{"risk-uuid": risk["uuid"]}]
    ar_finding = ar["assessment-results"]["results"][0]["findings"][0]
    assert item["related-findings"] == [{"finding-uuid": ar_finding["uuid"]}]
    assert [f["uuid"] for f in body["findings"]] == [ar_finding["uuid"]]
    assert risk["status"] == "remediating"
    assert risk["deadline"] == "2025-06-30T23:59:59Z"
    task = risk["remediations"][0]["tasks"][0]
    assert task["title"] == "M1"
    assert task["timing"] == {"on-date": {"date": "2025-06-30T23:59:59Z"}}
    (party,) = body["metadata"]["parties"]
    assert party["name"] == "ciso@example.com"
    assert task["responsible-roles"] == [
        {"role-id": "action-owner", "party-uuids": [party["uuid"]]}
    ]
    assert props(item)["cost"] == "+2 person-weeks"


def test_export_import_export_is_identical():
    profile = sample_profile()
    ar, plan = export_both(profile)
    back = import_both(ar, plan)
    assert data_of(back) == data_of(profile)
    assert export_both(back) == (ar, plan)


@settings(PROFILE_SETTINGS, max_examples=25)
@given(profiles(snapshot=False))
def test_any_profile_round_trips_through_oscal(profile):
    ar, plan = export_both(profile)
    back = import_both(ar, plan)
    assert data_of(back) == data_of(profile)
    assert json.dumps(export_both(back)) == json.dumps((ar, plan))


@settings(PROFILE_SETTINGS, max_examples=10)
@given(profiles(snapshot=False))
def test_any_profile_gives_schema_valid_documents(profile):
    ar, plan = export_both(profile)
    assert schema_errors(ar) == []
    assert plan is None or schema_errors(plan) == []


def test_a_document_that_fails_the_schema_is_refused_with_its_json_path():
    ar, _ = export_both(sample_profile())
    ar["assessment-results"]["results"][0]["findings"][1]["target"]["status"]["state"] = "maybe"
    with pytest.raises(InputRefused) as info:
        read_assessment_results(json.dumps(ar).encode(), name="ar.json", framework=FRAMEWORK)
    assert info.value.file == "ar.json"
    assert info.value.field.startswith("assessment-results.results[0].findings[1].target")
    assert "schema" in info.value.message


def test_another_model_and_another_tools_document_are_refused():
    ar, plan = export_both(sample_profile())
    with pytest.raises(InputRefused, match="this is an OSCAL plan-of-action-and-milestones"):
        read_assessment_results(json.dumps(plan).encode(), name="x.json", framework=FRAMEWORK)
    ar["assessment-results"]["metadata"]["props"] = [
        p for p in ar["assessment-results"]["metadata"]["props"] if p["name"] != "export-format"
    ]
    with pytest.raises(InputRefused, match="not written by csfpilot"):
        read_assessment_results(json.dumps(ar).encode(), name="x.json", framework=FRAMEWORK)


def test_a_level_the_scale_lacks_is_refused_naming_the_outcome():
    ar, _ = export_both(sample_profile())
    finding = ar["assessment-results"]["results"][0]["findings"][0]
    for p in finding["props"]:
        if p["name"] == "target-level":
            p["value"] = "mostly"
    with pytest.raises(InputRefused) as info:
        read_assessment_results(json.dumps(ar).encode(), name="ar.json", framework=FRAMEWORK)
    assert info.value.element == "GV.OC-01"
    assert "'mostly' is not a level of the 'status' scale" in info.value.message


def test_a_wrong_encoding_and_a_500_mb_file_are_refused(tmp_path):
    ar, _ = export_both(sample_profile())
    with pytest.raises(InputRefused) as info:
        read_assessment_results(
            json.dumps(ar).encode("utf-16"), name="utf16.json", framework=FRAMEWORK
        )
    assert info.value.file == "utf16.json" and "UTF-16" in info.value.message
    big = tmp_path / "huge.json"
    with big.open("wb") as fh:
        fh.truncate(500 * 1024 * 1024)  # sparse: no disk space used
    with pytest.raises(InputRefused) as info:
        read_assessment_results(big, name="huge.json", framework=FRAMEWORK)
    assert "bytes" in info.value.message
