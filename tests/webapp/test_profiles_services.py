"""Profile use cases: creating, editing outcomes and Tiers, the action plan, snapshots,
Community Profiles — with the permission layer, tenancy and "nothing partial" checked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.profiles import Tier, TierRating, Tiers
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import queries, services
from csfpilot.webapp.profiles.conflicts import StaleEdit
from csfpilot.webapp.profiles.history import document_digest
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

FUNCTIONS = {"GV": 31, "ID": 21, "PR": 22, "DE": 11, "RS": 13, "RC": 8}


# -- creating --------------------------------------------------------------------------------------


def test_a_new_profile_has_every_csf_outcome_included_and_unrated(world: World):
    row = world.profile(scope_type="business-unit", scope_name="Plant 2")
    rows = list(m.ProfileOutcome.objects.filter(profile=row).order_by("position"))
    assert len(rows) == 106
    assert [r.code for r in rows[:3]] == ["GV.OC-01", "GV.OC-02", "GV.OC-03"]
    assert rows[-1].code == "RC.CO-04"
    assert all(r.included and r.current is None and r.target is None for r in rows)
    assert all(r.node.framework.key == "csf-2.0" and r.node.code == r.code for r in rows[:5])
    assert (row.scope_type, row.scope_name, row.version, row.scale) == (
        "business-unit",
        "Plant 2",
        1,
        "status",
    )
    assert row.created_by == world.users["owner"]
    progress = queries.progress(world.access("viewer"), row.pk)
    assert {p.code: p.included for p in progress} == FUNCTIONS


def test_profile_names_are_unique_per_organization_not_across(world: World):
    world.profile("Whole company")
    with pytest.raises(ConflictError, match="already has a profile named 'WHOLE COMPANY'"):
        world.profile("WHOLE COMPANY")
    services.create_profile(world.other_access(), name="Whole company")
    assert m.Profile.objects.filter(name="Whole company").count() == 2


def test_create_refuses_unknown_framework_and_names_the_field(world: World):
    with pytest.raises(InputRefused) as exc:
        world.profile(framework="csf-9.9")
    assert exc.value.field == "framework"
    assert m.Profile.objects.count() == 0


@pytest.mark.parametrize("role", ["contributor", "viewer", "auditor"])
def test_only_owners_and_assessors_create_profiles(world: World, role: str):
    with pytest.raises(PermissionDenied):
        services.create_profile(world.access(role), name="Nope")
    assert m.Profile.objects.count() == 0


def test_maturity_scale_profile_takes_numbers(world: World):
    row = world.profile(scale="maturity")
    services.update_outcome(
        world.access("assessor"),
        row.pk,
        "PR.AA-01",
        {"current": 3, "target": 5},
        expected_version=1,
    )
    with pytest.raises(InputRefused) as exc:
        services.update_outcome(
            world.access("assessor"), row.pk, "PR.AA-02", {"current": "3"}, expected_version=1
        )
    assert (exc.value.element, exc.value.field) == ("PR.AA-02", "current")
    assert "write it as the number 3" in exc.value.message
    assert queries.scores(world.access("viewer"), row.pk).profile.current.percent == 60.0


# -- editing one outcome ---------------------------------------------------------------------------


def test_update_outcome_saves_the_fields_and_moves_the_version_on(world: World):
    row = world.profile()
    saved = services.update_outcome(
        world.access("assessor"),
        row.pk,
        "GV.OC-01",
        {
            "current": "partially",
            "target": "fully",
            "priority": "high",
            "rationale": "Board mandate",
            "current_evidence": ["https://intranet.example.com/isms/scope.pdf"],
            "target_practices": "Quarterly review",
        },
        expected_version=1,
    )
    assert (saved.version, saved.current, saved.target, saved.priority) == (
        2,
        "partially",
        "fully",
        "high",
    )
    assert saved.current_evidence == ["https://intranet.example.com/isms/scope.pdf"]
    assert saved.updated_by == world.users["assessor"]
    untouched = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-02")
    assert untouched.version == 1


def test_a_stale_save_is_refused_with_the_other_persons_value(world: World):
    row = world.profile()
    # Ana and Ben both opened GV.OC-01 at version 1. Ana saves first.
    services.update_outcome(
        world.access("owner"),
        row.pk,
        "GV.OC-01",
        {"current": "largely", "notes": "Ana"},
        expected_version=1,
    )
    with pytest.raises(StaleEdit) as exc:
        services.update_outcome(
            world.access("assessor"),
            row.pk,
            "GV.OC-01",
            {"current": "partially"},
            expected_version=1,
        )
    err = exc.value
    assert (err.element, err.sent_version, err.version) == ("GV.OC-01", 1, 2)
    assert err.current["current"] == "largely"
    assert err.current["notes"] == "Ana"
    assert err.changed_by == "owner@acme.test"
    assert err.differences() == {"current": ("largely", "partially")}
    assert "changed by owner@acme.test" in str(err)
    assert "current is now 'largely' (yours: 'partially')" in str(err)
    stored = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01")
    assert (stored.current, stored.version) == ("largely", 2)
    # Based on the current version, the same change goes through.
    again = services.update_outcome(
        world.access("assessor"),
        row.pk,
        "GV.OC-01",
        {"current": "partially"},
        expected_version=err.version,
    )
    assert (again.current, again.version, again.notes) == ("partially", 3, "Ana")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"current": "mostly"}, "current", "'mostly' is not a level of the 'status' scale"),
        ({"target": True}, "target", "is not a level"),
        ({"priority": "urgent"}, "priority", "'urgent' is not one of: high, medium, low"),
        ({"included": "yes"}, "included", "expected true or false"),
        ({"version": 7}, "version", "'version' cannot be set here"),
        ({"profile_id": 2}, "profile_id", "cannot be set here"),
        ({"notes": "x" * 20_001}, "notes", "at most 20000 characters"),
        ({"current_evidence": "a link"}, "current_evidence", "expected a list of text items"),
        ({"owner_id": 10**9}, "owner_id", "is not a member of acme"),
    ],
)
def test_bad_outcome_input_names_outcome_and_field_and_stores_nothing(
    world: World, changes, field, message
):
    row = world.profile()
    with pytest.raises(InputRefused) as exc:
        services.update_outcome(
            world.access("owner"), row.pk, "ID.AM-01", changes, expected_version=1
        )
    assert (exc.value.element, exc.value.field) == ("ID.AM-01", field)
    assert message in exc.value.message
    stored = m.ProfileOutcome.objects.get(profile=row, code="ID.AM-01")
    assert (stored.version, stored.current, stored.notes) == (1, None, "")


def test_an_unknown_outcome_or_another_tenants_profile_is_not_found(world: World):
    row = world.profile()
    with pytest.raises(NotFound, match=r"has no outcome 'GV\.OC-99'"):
        services.update_outcome(world.access("owner"), row.pk, "GV.OC-99", {}, expected_version=1)
    theirs = services.create_profile(world.other_access(), name="Globex profile")
    with pytest.raises(NotFound, match=f"no profile {theirs.pk} in acme"):
        services.update_outcome(
            world.access("owner"),
            theirs.pk,
            "GV.OC-01",
            {"current": "fully"},
            expected_version=1,
        )
    assert m.ProfileOutcome.objects.get(profile=theirs, code="GV.OC-01").current is None


def test_contributors_edit_only_the_outcomes_assigned_to_them(world: World):
    row = world.profile()
    contributor = world.users["contributor"]
    services.update_outcome(
        world.access("assessor"),
        row.pk,
        "PR.AA-01",
        {"owner_id": contributor.pk},
        expected_version=1,
    )
    assigned = m.ProfileOutcome.objects.get(profile=row, code="PR.AA-01")
    assert (assigned.owner_id, assigned.owner_name) == (contributor.pk, "contributor@acme.test")
    saved = services.update_outcome(
        world.access("contributor"),
        row.pk,
        "PR.AA-01",
        {"current": "largely", "current_practices": "SSO for all office apps"},
        expected_version=2,
    )
    assert saved.current == "largely"
    with pytest.raises(PermissionDenied):
        services.update_outcome(
            world.access("contributor"),
            row.pk,
            "PR.AA-02",
            {"current": "fully"},
            expected_version=1,
        )
    # Handing the outcome on is the assessor's call.
    with pytest.raises(PermissionDenied):
        services.update_outcome(
            world.access("contributor"),
            row.pk,
            "PR.AA-01",
            {"owner_name": "Someone else"},
            expected_version=3,
        )
    for role in ("viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            services.update_outcome(
                world.access(role), row.pk, "PR.AA-01", {"notes": "x"}, expected_version=3
            )
    assert queries.owned_outcomes(world.access("contributor"), row.pk) == ["PR.AA-01"]


def test_writing_a_members_email_as_owner_assigns_the_outcome(world: World):
    row = world.profile()
    services.update_outcome(
        world.access("owner"),
        row.pk,
        "DE.CM-01",
        {"owner_name": "Contributor@ACME.test"},
        expected_version=1,
    )
    stored = m.ProfileOutcome.objects.get(profile=row, code="DE.CM-01")
    assert stored.owner_id == world.users["contributor"].pk
    services.update_outcome(
        world.access("owner"),
        row.pk,
        "DE.CM-01",
        {"owner_name": "SOC team"},
        expected_version=2,
    )
    stored.refresh_from_db()
    assert (stored.owner_id, stored.owner_name) == (None, "SOC team")


def test_assign_outcomes_moves_every_assigned_version_on(world: World):
    row = world.profile()
    viewer = world.users["viewer"]
    changed = services.assign_outcomes(
        world.access("assessor"), row.pk, ["GV.SC-01", "GV.SC-02"], viewer.pk
    )
    assert changed == 2
    rows = m.ProfileOutcome.objects.filter(profile=row, code__in=["GV.SC-01", "GV.SC-02"])
    assert {(r.owner_id, r.owner_name, r.version) for r in rows} == {
        (viewer.pk, "viewer@acme.test", 2)
    }
    with pytest.raises(NotFound, match=r"GV\.SC-99"):
        services.assign_outcomes(world.access("assessor"), row.pk, ["GV.SC-99"], None)


# -- profile fields and Tiers ----------------------------------------------------------------------


def test_update_profile_is_versioned_and_refuses_a_scale_change_once_rated(world: World):
    row = world.profile()
    owner = world.access("owner")
    updated = services.update_profile(
        owner, row.pk, {"description": "All sites", "scale": "maturity"}, expected_version=1
    )
    assert (updated.version, updated.description, updated.scale) == (2, "All sites", "maturity")
    with pytest.raises(StaleEdit) as exc:
        services.update_profile(owner, row.pk, {"assumptions": "x"}, expected_version=1)
    assert exc.value.current["description"] == "All sites"
    services.update_outcome(owner, row.pk, "GV.OC-01", {"current": 2}, expected_version=1)
    with pytest.raises(InputRefused, match="ratings do not translate") as refused:
        services.update_profile(owner, row.pk, {"scale": "status"}, expected_version=2)
    assert refused.value.field == "scale"
    world.profile("Second")
    with pytest.raises(ConflictError):
        services.update_profile(owner, row.pk, {"name": "second"}, expected_version=2)
    with pytest.raises(InputRefused, match="'organization' cannot be set"):
        services.update_profile(owner, row.pk, {"organization": 2}, expected_version=2)


def test_tiers_are_set_with_rationale_and_checked(world: World):
    row = world.profile()
    saved = services.set_tiers(
        world.access("assessor"),
        row.pk,
        {"governance": {"current": 2, "target": 3, "current_rationale": "Board informed"}},
        expected_version=1,
    )
    assert (saved.governance_current, saved.governance_target, saved.version) == (2, 3, 2)
    assert saved.governance_current_rationale == "Board informed"
    assert saved.management_current is None
    with pytest.raises(InputRefused) as exc:
        services.set_tiers(
            world.access("assessor"), row.pk, {"management": {"target": 5}}, expected_version=2
        )
    assert exc.value.field == "management.target"
    assert "5 is not a CSF Tier" in exc.value.message
    tiers = Tiers(management=TierRating(Tier.PARTIAL, Tier.ADAPTIVE, "ad hoc", "adaptive"))
    with pytest.raises(StaleEdit):
        services.set_tiers(world.access("owner"), row.pk, tiers, expected_version=1)
    saved = services.set_tiers(world.access("owner"), row.pk, tiers, expected_version=2)
    assert (saved.management_current, saved.management_target, saved.governance_current) == (
        1,
        4,
        None,
    )


# -- the action plan -------------------------------------------------------------------------------


def _rate(world: World, row, ratings: dict[str, tuple[str, str, str | None]]) -> None:
    for code, (current, target, priority) in ratings.items():
        services.update_outcome(
            world.access("owner"),
            row.pk,
            code,
            {"current": current, "target": target, "priority": priority},
            expected_version=1,
        )


def test_generate_actions_follows_the_plan_order_with_nists_sp800_53_controls(world: World):
    row = world.profile()
    _rate(
        world,
        row,
        {
            "GV.OC-01": ("partially", "fully", "low"),  # gap 2/3, rank 2/3
            "PR.AA-03": ("not", "fully", "high"),  # gap 1, rank 3
            "PR.DS-11": ("largely", "fully", "medium"),  # gap 1/3, rank 2/3
            "ID.AM-01": ("fully", "fully", "high"),  # no gap
        },
    )
    added = services.generate_actions(
        world.access("assessor"), row.pk, due=date(2027, 3, 31), milestone="Q1 2027"
    )
    assert [(a.code, a.outcomes) for a in added] == [
        ("A-001", ["PR.AA-03"]),
        ("A-002", ["GV.OC-01"]),
        ("A-003", ["PR.DS-11"]),
    ]
    assert added[0].title == "Raise PR.AA-03 from Not implemented to Fully implemented"
    assert added[0].controls == [
        "AC-7",
        "AC-12",
        "IA-2",
        "IA-3",
        "IA-5",
        "IA-7",
        "IA-8",
        "IA-9",
        "IA-10",
        "IA-11",
    ]
    assert added[1].controls == ["PM-11"]
    assert added[2].controls == ["CP-6", "CP-9"]
    assert {(a.due, a.milestone, a.status) for a in added} == {
        (date(2027, 3, 31), "Q1 2027", "open")
    }
    # Topping up again adds nothing: every gap is covered by an open action.
    assert services.generate_actions(world.access("assessor"), row.pk) == []
    plan = queries.action_plan(world.access("viewer"), row.pk)
    assert plan.candidates == ()
    assert plan.counts == {"open": 3, "in-progress": 0, "done": 0, "risk-accepted": 0}


def test_action_crud_with_versions_and_overdue(world: World):
    row = world.profile()
    assessor = world.access("assessor")
    yesterday = timezone.localdate() - timedelta(days=1)
    action = services.create_action(
        assessor,
        row.pk,
        {
            "title": "MFA on OT jump hosts",
            "outcomes": ["PR.AA-03"],
            "due": yesterday,
            "owner_id": world.users["contributor"].pk,
            "cost": "€12k",
        },
    )
    assert (action.code, action.owner_name, action.version) == (
        "A-001",
        "contributor@acme.test",
        1,
    )
    plan = queries.action_plan(world.access("viewer"), row.pk)
    assert [(v.action.code, v.overdue) for v in plan.actions] == [("A-001", True)]
    assert plan.overdue == 1
    done = services.update_action(assessor, row.pk, "A-001", {"status": "done"}, expected_version=1)
    assert (done.status, done.version) == ("done", 2)
    assert queries.action_plan(world.access("viewer"), row.pk).overdue == 0
    with pytest.raises(StaleEdit) as exc:
        services.update_action(assessor, row.pk, "A-001", {"status": "open"}, expected_version=1)
    assert exc.value.current["status"] == "done"
    with pytest.raises(StaleEdit):
        services.delete_action(assessor, row.pk, "A-001", expected_version=1)
    services.delete_action(assessor, row.pk, "A-001", expected_version=2)
    assert not m.Action.objects.filter(profile=row).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "x", "outcomes": ["ID.AM-6"]}, "outcomes[0]", "GV.RR-02, GV.SC-02"),
        ({"title": "x", "outcomes": ["GV.OC"]}, "outcomes[0]", "category"),
        ({"title": "x", "outcomes": []}, "actions.outcomes", "at least one outcome"),
        ({"title": " ", "outcomes": ["GV.OC-01"]}, "actions.title", "needs a title"),
        ({"title": "x", "outcomes": ["GV.OC-01"], "status": "late"}, "status", "not one of"),
        ({"title": "x", "outcomes": ["GV.OC-01"], "due": "31/12/2026"}, "due", "YYYY-MM-DD"),
        ({"title": "x", "outcomes": ["GV.OC-01"], "code": "A 1"}, "actions.id", "must be 1-64"),
    ],
)
def test_bad_actions_are_refused_by_field(world: World, data, field, message):
    row = world.profile()
    with pytest.raises(InputRefused) as exc:
        services.create_action(world.access("owner"), row.pk, data)
    assert exc.value.field == field
    assert message in exc.value.message
    assert not m.Action.objects.exists()


def test_contributors_and_viewers_cannot_change_the_plan(world: World):
    row = world.profile()
    for role in ("contributor", "viewer", "auditor"):
        with pytest.raises(PermissionDenied):
            services.generate_actions(world.access(role), row.pk)
        with pytest.raises(PermissionDenied):
            services.create_action(
                world.access(role), row.pk, {"title": "x", "outcomes": ["GV.OC-01"]}
            )


# -- snapshots -------------------------------------------------------------------------------------


def test_snapshots_are_dated_immutable_copies(world: World):
    row = world.profile()
    services.update_outcome(
        world.access("owner"),
        row.pk,
        "GV.OC-01",
        {"current": "largely", "target": "fully"},
        expected_version=1,
    )
    taken = datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    snap = services.take_snapshot(world.access("owner"), row.pk, label="Q1", taken_at=taken)
    assert snap.document["snapshot"] == {"taken": "2026-03-31T17:00:00+00:00", "label": "Q1"}
    assert snap.document["outcomes"]["GV.OC-01"]["current"] == "largely"
    assert len(snap.document["outcomes"]) == 106
    assert snap.digest == document_digest(snap.document)
    snap.label = "edited"
    with pytest.raises(m.SnapshotChanged):
        snap.save()
    with pytest.raises(m.SnapshotChanged):
        m.Snapshot.objects.filter(pk=snap.pk).update(label="edited")
    assert m.Snapshot.objects.get(pk=snap.pk).label == "Q1"
    with pytest.raises(ConflictError, match="already has a snapshot taken at"):
        services.take_snapshot(world.access("owner"), row.pk, taken_at=taken)
    with pytest.raises(InputRefused, match="future"):
        services.take_snapshot(
            world.access("owner"), row.pk, taken_at=timezone.now() + timedelta(days=1)
        )
    # The live profile moves on; the snapshot does not.
    services.update_outcome(
        world.access("owner"), row.pk, "GV.OC-01", {"current": "fully"}, expected_version=2
    )
    detail = queries.snapshot_detail(world.access("viewer"), snap.pk)
    assert detail.profile.entry("GV.OC-01").current.key == "largely"
    assert detail.profile.is_snapshot


def test_viewers_cannot_take_snapshots(world: World):
    row = world.profile()
    with pytest.raises(PermissionDenied):
        services.take_snapshot(world.access("viewer"), row.pk)


# -- Community Profiles ----------------------------------------------------------------------------


def _community(world: World):
    row = world.profile("Sector baseline", kind="community")
    owner = world.access("owner")
    services.update_outcome(
        owner,
        row.pk,
        "GV.SC-04",
        {"target": "fully", "priority": "high", "rationale": "Sector incidents"},
        expected_version=1,
    )
    services.update_outcome(
        owner,
        row.pk,
        "PR.AA-03",
        {"target": "largely", "target_practices": "MFA"},
        expected_version=1,
    )
    services.update_outcome(owner, row.pk, "ID.AM-01", {"included": False}, expected_version=1)
    services.set_tiers(owner, row.pk, {"governance": {"target": 3}}, expected_version=1)
    return row


def test_community_profiles_hold_targets_only(world: World):
    row = _community(world)
    with pytest.raises(InputRefused, match="holds targets only") as exc:
        services.update_outcome(
            world.access("owner"),
            row.pk,
            "GV.SC-04",
            {"current": "partially"},
            expected_version=2,
        )
    assert (exc.value.element, exc.value.field) == ("GV.SC-04", "current")
    with pytest.raises(InputRefused, match="target Tiers only"):
        services.set_tiers(
            world.access("owner"), row.pk, {"governance": {"current": 1}}, expected_version=2
        )


def test_derive_target_previews_then_creates_a_new_profile(world: World):
    community = _community(world)
    preview = services.derive_target(world.access("viewer"), community.pk, apply=False)
    assert preview.profile is None
    assert preview.derived.name == "Target from Sector baseline"
    assert m.Profile.objects.count() == 1
    changed = {(c.element, c.field): (c.before, c.after) for c in preview.changes}
    assert changed[("GV.SC-04", "target")] == (None, "fully")
    assert changed[("GV.SC-04", "priority")] == (None, "high")
    assert changed[("PR.AA-03", "target_details.practices")] == ("", "MFA")
    assert changed[("", "tiers.governance.target")] == (None, 3)
    with pytest.raises(PermissionDenied):
        services.derive_target(world.access("viewer"), community.pk)
    result = services.derive_target(world.access("assessor"), community.pk)
    stored = result.profile
    assert (stored.kind, stored.based_on, stored.governance_target) == (
        "organizational",
        "Sector baseline",
        3,
    )
    target = m.ProfileOutcome.objects.get(profile=stored, code="GV.SC-04")
    assert (target.target, target.priority, target.included) == ("fully", "high", True)
    # An outcome the community leaves out is not part of a profile started from it.
    assert not m.ProfileOutcome.objects.get(profile=stored, code="ID.AM-01").included
    assert m.ProfileOutcome.objects.filter(profile=stored, included=True).count() == 105


def test_derive_target_onto_an_existing_profile_keeps_its_current_side(world: World):
    community = _community(world)
    base = world.profile("Whole company")
    owner = world.access("owner")
    services.update_outcome(
        owner,
        base.pk,
        "GV.SC-04",
        {"current": "partially", "target": "largely"},
        expected_version=1,
    )
    with pytest.raises(StaleEdit):
        services.derive_target(owner, community.pk, base_id=base.pk, expected_version=7)
    result = services.derive_target(owner, community.pk, base_id=base.pk, expected_version=1)
    assert [(c.element, c.field, c.before, c.after) for c in result.changes] == [
        ("", "based_on", "", "Sector baseline"),
        ("", "tiers.governance.target", None, 3),
        ("GV.SC-04", "rationale", "", "Sector incidents"),
        ("GV.SC-04", "priority", None, "high"),
        ("GV.SC-04", "target", "largely", "fully"),
        ("PR.AA-03", "target", None, "largely"),
        ("PR.AA-03", "target_details.practices", "", "MFA"),
    ]
    row = m.ProfileOutcome.objects.get(profile=base, code="GV.SC-04")
    assert (row.current, row.target, row.version) == ("partially", "fully", 3)
    assert m.ProfileOutcome.objects.get(profile=base, code="GV.OC-01").version == 1
    base.refresh_from_db()
    assert (base.name, base.based_on, base.version) == ("Whole company", "Sector baseline", 2)


def test_deriving_from_an_organizational_profile_is_refused(world: World):
    row = world.profile()
    with pytest.raises(InputRefused, match="a target is derived from a Community Profile"):
        services.derive_target(world.access("owner"), row.pk, apply=False)


def test_delete_profile_takes_everything_with_it(world: World):
    row = world.profile()
    services.take_snapshot(world.access("owner"), row.pk)
    with pytest.raises(PermissionDenied):
        services.delete_profile(world.access("viewer"), row.pk)
    services.delete_profile(world.access("assessor"), row.pk)
    assert not m.ProfileOutcome.objects.exists()
    assert not m.Snapshot.objects.exists()
