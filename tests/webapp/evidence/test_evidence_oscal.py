"""OSCAL assessment results carry the evidence library: items by hash, reviews, scan tallies."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from csfpilot.formats.oscal.assessment_results import scan_tallies
from csfpilot.formats.oscal.document import read_document
from csfpilot.webapp.evidence import blobs, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.profiles import exchange_formats as exchange
from csfpilot.webapp.profiles import models as pm
from tests.formats.oscal_validation import schema_errors
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
SHA = hashlib.sha256(PDF).hexdigest()


def cited(world: World):
    row = world.profile(name="Plant 2")
    pm.ProfileOutcome.objects.filter(profile=row, code="PR.PS-02").update(
        current="largely", target="fully"
    )
    assessor = world.access("assessor")
    spooled = blobs.spool([PDF], filename="policy.pdf", organization=world.org)
    policy = services.add_item(
        assessor,
        services.ItemFields(title="Patch policy", kind="policy", valid_until=date(2027, 6, 30)),
        services.Content(spooled=spooled, filename="policy.pdf"),
    )
    link = services.link(assessor, policy.pk, row.pk, "PR.PS-02", statement="Monthly patching")
    services.review(assessor, link.pk, "accepted")
    dashboard = services.add_item(
        assessor,
        services.ItemFields(title="Patch dashboard", kind="record"),
        services.Content(url="https://patch.example/dash"),
    )
    services.link(assessor, dashboard.pk, row.pk, "PR.PS-02", side="target")
    scan = m.ScanImport.objects.create(
        organization=world.org,
        profile=row,
        item=dashboard,
        version=dashboard.versions.get(),
        format="trivy",
        tool="Trivy",
        series="trivy|img",
    )
    m.ScanOutcome.objects.create(
        scan=scan, organization=world.org, code="PR.PS-02", passed=4, failed=2, serious=1
    )
    return row, policy, dashboard


def test_assessment_results_cite_items_by_hash_and_carry_scan_findings(world: World):
    row, policy, _ = cited(world)
    data = exchange.export_exchange(world.access("assessor"), row.pk, "assessment-results").data
    doc = json.loads(data)
    assert schema_errors(doc) == []
    result = doc["assessment-results"]["results"][0]
    observations = {o["title"]: o for o in result["observations"]}
    current = observations["PR.PS-02: current state"]
    [piece] = current["relevant-evidence"]
    props = {p["name"]: p["value"] for p in piece["props"]}
    assert piece["href"] == f"/orgs/acme/evidence/{policy.pk}/"
    assert piece["description"] == "Patch policy"
    assert (props["evidence-item"], props["evidence-sha256"], props["evidence-review"]) == (
        str(policy.pk),
        SHA,
        "accepted",
    )
    assert props["evidence-valid-until"] == "2027-06-30"
    [expected] = observations["PR.PS-02: evidence expected"]["relevant-evidence"]
    assert expected["href"] == "https://patch.example/dash"
    scans = observations["PR.PS-02: scanner findings"]
    assert scans["types"] == ["finding"] and scans["methods"] == ["TEST"]
    finding = next(f for f in result["findings"] if f["title"] == "PR.PS-02")
    related = {r["observation-uuid"] for r in finding["related-observations"]}
    assert related == {
        current["uuid"],
        scans["uuid"],
        observations["PR.PS-02: evidence expected"]["uuid"],
    }


def test_reading_back_gives_the_same_references_and_tallies_and_relinks(world: World):
    row, policy, dashboard = cited(world)
    assessor = world.access("assessor")
    data = exchange.export_exchange(assessor, row.pk, "assessment-results").data
    profile = exchange.read_exchange_file(data, "ar.json").profile
    entry = profile.outcomes["PR.PS-02"]
    [ref] = entry.current_details.evidence_items
    assert (ref.id, ref.version, ref.sha256, ref.title, ref.kind, ref.review) == (
        policy.pk,
        1,
        SHA,
        "Patch policy",
        "policy",
        "accepted",
    )
    assert ref.valid_until == date(2027, 6, 30)
    assert [r.id for r in entry.target_details.evidence_items] == [dashboard.pk]
    # Cited items are relevant evidence, not repeated as text lines.
    assert entry.current_details.evidence == ()
    body = read_document(data, expected="assessment-results", name="ar.json").body
    assert scan_tallies(body) == {"PR.PS-02": (4, 2, 1)}

    # The same document onto the profile changes nothing; as a new profile it re-links.
    assert exchange.preview_exchange(assessor, row.pk, data, filename="ar.json").changes == ()
    copy = exchange.import_exchange_new(assessor, data, filename="ar.json", name="Copy").profile
    assert sorted(
        m.EvidenceLink.objects.filter(profile=copy).values_list("item_id", "code", "side")
    ) == sorted([(policy.pk, "PR.PS-02", "current"), (dashboard.pk, "PR.PS-02", "target")])
    again = exchange.export_exchange(assessor, copy.pk, "assessment-results").data
    copied = exchange.read_exchange_file(again, "again.json").profile
    refs = copied.outcomes["PR.PS-02"].current_details.evidence_items
    # Reviews are an assessor's decision in this profile: a copied link waits for one.
    assert [(r.id, r.sha256, r.review) for r in refs] == [(policy.pk, SHA, "pending")]


def test_another_organization_is_told_which_items_it_lacks(world: World):
    row, policy, _ = cited(world)
    data = exchange.export_exchange(world.access("assessor"), row.pk, "assessment-results").data
    theirs = exchange.import_exchange_new(world.other_access(), data, filename="ar.json")
    assert any(f"evidence item {policy.pk} 'Patch policy'" in w for w in theirs.warnings)
    assert not m.EvidenceLink.objects.filter(profile=theirs.profile, item=policy).exists()
