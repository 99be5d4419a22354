"""Profile files in and out of the database: lossless both ways, all or nothing on refusal."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import OutcomeEntry, Profile, ProfileKind
from csfpilot.formats.native import from_document, parse_profile, to_document
from csfpilot.webapp.profiles import lookups, services
from csfpilot.webapp.profiles import models as m
from tests.core.strategies import profiles
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

SMALL = b"""format_version: 1
framework: csf-2.0
name: Plant 2
kind: organizational
scope: {type: business-unit, name: Plant 2}
scale: status
tiers:
  governance: {current: 2, target: 3, current_rationale: Board informed}
outcomes:
  GV.OC-01: {current: partially, target: fully, priority: high, owner: contributor@acme.test}
  PR.AA-03:
    current: not
    target: largely
    owner: Plant IT
    current_details: {evidence: [https://intranet.example.com/mfa.pdf]}
  ID.AM-01: {included: false}
actions:
  - {id: A-007, title: MFA on jump hosts, outcomes: [PR.AA-03], due: 2027-01-31}
"""


def _import(world: World, data: bytes, filename: str = "p.yaml", **kwargs):
    return services.import_profile_file(world.access("assessor"), data, filename=filename, **kwargs)


def test_import_stores_every_column_and_assigns_member_owners(world: World):
    result = _import(world, SMALL)
    row = result.profile
    assert result.created is True
    assert (row.name, row.scope_type, row.scope_name, row.governance_current) == (
        "Plant 2",
        "business-unit",
        "Plant 2",
        2,
    )
    assert m.ProfileOutcome.objects.filter(profile=row).count() == 106
    oc = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01")
    assert (oc.current, oc.target, oc.priority, oc.owner_id) == (
        "partially",
        "fully",
        "high",
        world.users["contributor"].pk,
    )
    aa = m.ProfileOutcome.objects.get(profile=row, code="PR.AA-03")
    assert (aa.owner_name, aa.owner_id) == ("Plant IT", None)
    assert aa.current_evidence == ["https://intranet.example.com/mfa.pdf"]
    # Outcomes the file does not name are stored as not included, and stay out of exports.
    assert not m.ProfileOutcome.objects.get(profile=row, code="GV.OC-02").included
    action = m.Action.objects.get(profile=row)
    assert (action.code, action.outcomes, str(action.due)) == ("A-007", ["PR.AA-03"], "2027-01-31")


def test_export_import_export_is_identical_in_yaml_and_json(world: World):
    row = _import(world, SMALL).profile
    assessor = world.access("assessor")
    yaml_1 = services.export_profile_file(assessor, row.pk, "yaml")
    again = _import(world, yaml_1.encode(), "again.yaml", name="Again").profile
    yaml_2 = services.export_profile_file(assessor, again.pk, "yaml")
    assert yaml_2 == yaml_1.replace("\nname: Plant 2\n", "\nname: Again\n")
    json_1 = services.export_profile_file(assessor, row.pk, "json")
    again = _import(world, json_1.encode(), "again.json", name="Again JSON").profile
    json_2 = services.export_profile_file(assessor, again.pk, "json")
    assert json_2 == json_1.replace('"name": "Plant 2"', '"name": "Again JSON"', 1)
    doc = json.loads(services.export_profile_file(assessor, row.pk, "json"))
    # ID.AM-01 was written as excluded and empty: an outcome with no entry says the same.
    assert list(doc["outcomes"]) == ["GV.OC-01", "PR.AA-03"]
    assert doc["actions"][0]["id"] == "A-007"


def _storable(profile: Profile) -> Profile:
    """A random profile as a database can hold it: live (not a snapshot), and without
    NUL characters, which are refused on import (see the test below)."""
    text = json.dumps(to_document(replace(profile, snapshot=None)))
    return from_document(json.loads(text.replace("\\u0000", "0")))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    profile=profiles().map(_storable),
    fmt=st.sampled_from(["yaml", "json"]),
)
def test_export_import_export_is_lossless_over_random_profiles(world: World, profile, fmt):
    access = world.access("owner")
    with transaction.atomic():
        try:
            stored = services.store_profile(access, profile).profile
            # What was stored is the profile itself, apart from blank outcomes left out.
            blank = OutcomeEntry("-", included=False)
            expected = {
                code: entry
                for code, entry in profile.outcomes.items()
                if replace(entry, outcome="-") != blank
            }
            back = lookups.domain_profile(stored)
            assert back == replace(profile, outcomes=expected)
            first = services.export_profile_file(access, stored.pk, fmt)
            again = services.import_profile_file(
                access, first.encode(), filename=f"p.{fmt}", name="Round trip"
            ).profile
            second = services.export_profile_file(access, again.pk, fmt)
            assert parse_profile(second.encode(), name="b", fmt=fmt).profile == replace(
                parse_profile(first.encode(), name="a", fmt=fmt).profile, name="Round trip"
            )
            assert lookups.domain_profile(again) == replace(back, name="Round trip")
        finally:
            transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("text", "line", "element", "field", "message"),
    [
        (
            SMALL.replace(b"target: largely", b"target: mostly"),
            13,
            "PR.AA-03",
            "target",
            "'mostly' is not a level of the 'status' scale",
        ),
        (SMALL.replace(b"PR.AA-03:", b"PR.AC-01:"), 11, "PR.AC-01", None, "PR.AA-01"),
        (
            SMALL.replace(b"current: 2,", b"current: 5,"),
            8,
            None,
            "tiers.governance.current",
            "5 is not a CSF Tier",
        ),
        (
            SMALL.replace(b"priority: high", b"priority: urgent"),
            10,
            "GV.OC-01",
            "priority",
            "urgent",
        ),
        (SMALL + b"outcomes: {}\n", 19, None, None, "appears twice"),
    ],
)
def test_a_refused_file_names_line_outcome_and_field_and_stores_nothing(
    world: World, text, line, element, field, message
):
    with pytest.raises(InputRefused) as exc:
        _import(world, text)
    err = exc.value
    assert err.file == "p.yaml"
    assert (err.line, err.element, err.field) == (line, element, field)
    assert message in err.message
    assert not m.Profile.objects.exists()
    assert not m.ProfileOutcome.objects.exists()


def test_nul_characters_are_refused_by_outcome_and_field(world: World):
    doc = {
        "format_version": 1,
        "framework": "csf-2.0",
        "name": "x",
        "scale": "status",
        "outcomes": {"GV.OC-01": {"notes": "a\u0000b"}},
    }
    with pytest.raises(InputRefused) as exc:
        _import(world, json.dumps(doc).encode(), "p.json")
    assert (exc.value.element, exc.value.field) == ("GV.OC-01", "notes")
    assert not m.Profile.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_parsed(world: World):
    with pytest.raises(InputRefused, match="the file has 8,388,609 bytes; the limit is 8,388,608"):
        _import(world, b"#" * (8 * 1024 * 1024 + 1))
    assert not m.Profile.objects.exists()


def test_a_snapshot_file_is_not_imported_as_a_live_profile(world: World):
    text = SMALL + b"snapshot: {taken: '2026-03-31T17:00:00+00:00', label: Q1}\n"
    with pytest.raises(InputRefused) as exc:
        _import(world, text)
    assert exc.value.field == "snapshot"


def test_a_second_import_of_the_same_name_is_a_conflict_unless_replacing(world: World):
    first = _import(world, SMALL).profile
    with pytest.raises(ConflictError, match="already has a profile named 'Plant 2'"):
        _import(world, SMALL)
    changed = SMALL.replace(b"current: partially", b"current: largely")
    result = _import(world, changed, replace_existing=True)
    assert (result.created, result.profile.pk) == (False, first.pk)
    rows = {r.code: r for r in m.ProfileOutcome.objects.filter(profile=first)}
    # Only the outcome whose content changed moves to a new version.
    assert (rows["GV.OC-01"].current, rows["GV.OC-01"].version) == ("largely", 2)
    assert rows["PR.AA-03"].version == 1
    assert m.Action.objects.get(profile=first).version == 1
    first.refresh_from_db()
    assert first.version == 2
    # A file for another kind of profile does not replace this one.
    community = SMALL.replace(b"kind: organizational", b"kind: community")
    with pytest.raises(InputRefused):
        _import(world, community, replace_existing=True)


def test_community_uploads_must_be_community_profiles(world: World):
    with pytest.raises(InputRefused, match="expected a community profile") as exc:
        _import(world, SMALL, kind=ProfileKind.COMMUNITY)
    assert exc.value.field == "kind"


def test_exports_need_the_export_permission(world: World):
    row = _import(world, SMALL).profile
    for role in ("viewer", "contributor"):
        with pytest.raises(PermissionDenied):
            services.export_profile_file(world.access(role), row.pk, "yaml")
    assert "name: Plant 2" in services.export_profile_file(world.access("auditor"), row.pk)
    with pytest.raises(PermissionDenied):
        _import_as = services.import_profile_file
        _import_as(world.access("auditor"), SMALL, filename="p.yaml")


def test_snapshot_export_is_the_stored_document(world: World):
    row = _import(world, SMALL).profile
    snap = services.take_snapshot(world.access("owner"), row.pk, label="Q3 review")
    text = services.export_snapshot_file(world.access("auditor"), snap.pk, "json")
    assert json.loads(text) == snap.document
    assert json.loads(text)["snapshot"]["label"] == "Q3 review"
