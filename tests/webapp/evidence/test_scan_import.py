"""Importing real scanner output as evidence: summary, series, contradictions, one event."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence import EvidenceState
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import queries, scans
from csfpilot.webapp.organizations.permissions import PermissionMissing
from csfpilot.webapp.profiles import services as profiles
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parents[2] / "data" / "scanners"
MALFORMED = {
    "truncated.json": b'{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"',
    "entities.xml": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2">&b;</Benchmark>'
    ),
    "unknown.json": b'{"hello": "world"}',
    "binary.bin": b"\x00\x01\x02\x03",
}


@pytest.fixture
def world():
    return build_world()


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def rate_fully(world, profile, code):
    profiles.update_outcome(
        world.access("owner"), profile.pk, code, {"current": "fully"}, expected_version=1
    )


def test_trivy_failures_contradict_a_fully_rating_and_link_pending(world):
    profile = world.profile()
    owner = world.access("owner")
    rate_fully(world, profile, "PR.PS-02")
    result = scans.import_scan(
        owner, [read("trivy-image.json")], "trivy-image.json", profile_id=profile.pk
    )
    assert result.to_json() == {
        "format": "trivy",
        "findings": 7,
        "mapped": 7,
        "unmapped": {},
        "outcomes": {
            "ID.RA-01": {"fail": 3},
            "PR.AA-01": {"fail": 1},
            "PR.PS-01": {"fail": 2, "pass": 1},
            "PR.PS-02": {"fail": 3},
        },
        "contradicted": ["PR.PS-02"],
    }
    item = result.scan.item
    assert item.kind == "scan-result" and item.source_kind == "tool"
    assert item.versions.get().stored_file.media_type == "application/json"
    links = m.EvidenceLink.objects.filter(item=item, profile=profile)
    assert sorted(links.values_list("code", flat=True)) == [
        "ID.RA-01",
        "PR.AA-01",
        "PR.PS-01",
        "PR.PS-02",
    ]
    assert set(links.values_list("review", flat=True)) == {"pending"}
    state = queries.profile_states(profile, today=timezone.now().date())["PR.PS-02"]
    assert state.state is EvidenceState.CONTRADICTED and state.serious >= 1
    assert m.ScanFinding.objects.filter(scan=result.scan).count() == 7
    # One audit event for the whole import.
    events = AuditEvent.objects.filter(organization=world.org)
    assert list(events.filter(object_type="scan-import").values_list("action", flat=True)) == [
        "import"
    ]
    assert not events.filter(object_type="evidence").exists()


def test_repeated_imports_form_a_series_and_only_the_newest_counts(world):
    profile = world.profile()
    owner = world.access("owner")
    rate_fully(world, profile, "PR.PS-02")
    data = read("trivy-image.json")
    first = scans.import_scan(owner, [data], "trivy-image.json", profile_id=profile.pk)
    second = scans.import_scan(owner, [data], "trivy-again.json", profile_id=profile.pk)
    assert first.scan.series == second.scan.series
    assert second.scan.item_id == first.scan.item_id
    assert [v.number for v in second.scan.item.versions.all()] == [2, 1]
    # The same bytes are stored once.
    assert m.StoredFile.objects.filter(organization=world.org).count() == 1
    latest = m.ScanOutcome.objects.filter(organization=world.org, latest=True)
    assert set(latest.values_list("scan_id", flat=True)) == {second.scan.pk}
    assert [(p, f) for _, p, f in scans.trend(world.org, first.scan.series, "PR.PS-01")] == [
        (1, 2),
        (1, 2),
    ]
    state = queries.profile_states(profile, today=timezone.now().date())["PR.PS-02"]
    assert state.failing == 3  # not 6: the first import no longer counts


def test_openscap_results_on_this_machine_map_through_the_800_53_crosswalk(world):
    owner = world.access("owner")
    result = scans.import_scan(owner, [read("oscap-debian11-standard-arf.xml")], "arf.xml")
    summary = result.to_json()
    assert summary["format"] == "xccdf"
    assert (summary["findings"], summary["mapped"]) == (44, 40)
    assert summary["unmapped"] == {"no-ids": 3, "not-in-crosswalk": 1}
    assert summary["outcomes"]["PR.AA-05"] == {"fail": 5, "pass": 21}
    assert result.scan.item.versions.get().stored_file.media_type == "application/xml"
    # No profile named: nothing is linked, the tallies count for every profile.
    assert not m.EvidenceLink.objects.exists()


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_file_is_refused_and_nothing_is_stored(world, name):
    with pytest.raises(InputRefused):
        scans.import_scan(world.access("owner"), [MALFORMED[name]], name)
    assert not m.EvidenceItem.objects.exists()
    assert not m.StoredFile.objects.exists()
    assert not m.ScanImport.objects.exists()


def test_only_owners_and_assessors_import(world):
    for role in ("contributor", "viewer", "auditor"):
        with pytest.raises(PermissionMissing):
            scans.import_scan(world.access(role), [read("bandit.sarif")], "bandit.sarif")
    scans.import_scan(world.access("assessor"), [read("bandit.sarif")], "bandit.sarif")
