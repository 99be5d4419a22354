"""Mapping projects: proposals stored per requirement, each pair decided by a person, bulk
accept after a preview, and only reviewed pairs in the organization's crosswalk."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from csfpilot.core.catalog import Relationship
from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.mapping import models as m
from csfpilot.webapp.mapping import queries, services
from csfpilot.webapp.mapping.services import Decision
from csfpilot.webapp.organizations.permissions import PermissionMissing
from tests.webapp.crosswalk_review.world import KEY, load_supplier_framework, project_with_proposals
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    load_supplier_framework()
    return build_world()


def _pair(project, code: str, rank: int = 1) -> m.Pair:
    return m.Pair.objects.get(project=project, requirement__code=code, rank=rank)


def test_a_project_lists_the_framework_s_requirements_and_stores_proposals(world):
    project = project_with_proposals(world.access("assessor"))
    assert list(project.requirements.values_list("code", flat=True)) == [
        "S-1",
        "S-2",
        "S-3",
        "S-4",
        "S-5",
    ]
    assert project.run_state == m.RunState.READY
    counts = queries.state_counts(project)
    assert counts == {
        "proposed": 9,
        "accepted": 0,
        "rejected": 0,
        "changed": 0,
        "requirements": 5,
        "in_crosswalk": 0,
    }
    best = _pair(project, "S-1")
    assert (best.proposed_code, best.score, best.reasons) == (
        "PR.DS-11",
        0.91,
        [{"kind": "terms", "detail": "shared terms: backup, restore"}],
    )
    # Proposals alone make no crosswalk.
    ms, _ = queries.crosswalk(project)
    assert ms.mappings == ()
    assert queries.organization_crosswalks(world.org) == []


def test_accept_reject_and_change_say_who_when_and_how(world):
    access = world.access("assessor")
    project = project_with_proposals(access)
    a = services.review(access, project.pk, _pair(project, "S-1").pk, Decision("accept"), version=1)
    assert (a.state, a.relationship, a.reviewed_by_name) == (
        "accepted",
        "intersects_with",
        "assessor@acme.test",
    )
    assert a.reviewed_at is not None and a.version == 2
    r = services.review(access, project.pk, _pair(project, "S-2").pk, Decision("reject"), version=1)
    assert (r.state, r.relationship) == ("rejected", "")
    c = services.review(
        access,
        project.pk,
        _pair(project, "S-3").pk,
        Decision("change", "subset_of", "RS.MA-01", "reported by the supplier"),
        version=1,
    )
    assert (c.state, c.proposed_code, c.target_code, c.relationship) == (
        "changed",
        "RS.CO-02",
        "RS.MA-01",
        "subset_of",
    )
    ms, made = queries.crosswalk(project)
    assert [(x.source, x.target, x.relationship) for x in ms.mappings] == [
        ("S-1", "PR.DS-11", Relationship.INTERSECTS_WITH),
        ("S-3", "RS.MA-01", Relationship.SUBSET_OF),
    ]
    assert [x.state for x in made] == ["accepted", "changed"]
    assert ms.info.publisher == "Acme Corp"
    assert "made by automation, reviewed by a person" in ms.info.description
    assert queries.filter_counts(project) == {
        "all": 5,
        "unreviewed": 2,
        "accepted": 2,
        "rejected": 1,
    }
    # Each decision is one audit event naming the change.
    events = AuditEvent.objects.filter(object_type="mapping-pair").order_by("seq")
    assert [e.changes["state"] for e in events] == [
        ["proposed", "accepted"],
        ["proposed", "rejected"],
        ["proposed", "changed"],
    ]
    # Reset takes the pair out of the crosswalk again; undoing an undecided pair is nothing.
    services.review(access, project.pk, a.pk, Decision("reset"), version=2)
    undecided = _pair(project, "S-4")
    services.review(access, project.pk, undecided.pk, Decision("reset"), version=1)
    assert AuditEvent.objects.filter(object_type="mapping-pair").count() == 4
    assert m.Pair.objects.get(pk=undecided.pk).version == 1
    ms, _ = queries.crosswalk(project)
    assert [x.source for x in ms.mappings] == ["S-3"]


def test_a_stale_version_is_a_conflict_and_changes_nothing(world):
    access = world.access("owner")
    project = project_with_proposals(access)
    pair = _pair(project, "S-1")
    services.review(access, project.pk, pair.pk, Decision("accept"), version=1)
    with pytest.raises(ConflictError, match="decided by someone else"):
        services.review(access, project.pk, pair.pk, Decision("reject"), version=1)
    assert m.Pair.objects.get(pk=pair.pk).state == "accepted"


def test_a_change_is_refused_with_the_field_when_it_names_nothing_usable(world):
    access = world.access("owner")
    project = project_with_proposals(access)
    pk = _pair(project, "S-1").pk
    cases = [
        (Decision("change", "subset_of", "XX-99"), "target", "is not an element of csf-2.0"),
        (Decision("change", "", "PR.DS-10"), "relationship", "say how the two relate"),
        (Decision("change", "subset_of", ""), "target", "name the target element"),
        # Another proposal of the same requirement: decide that one instead.
        (Decision("change", "equivalent", "RC.RP-03"), "target", "already a pair of S-1"),
        (Decision("accept", "related"), "relationship", "one of"),
        (Decision("maybe"), "action", "one of"),
    ]
    for decision, field, words in cases:
        with pytest.raises(InputRefused, match=words) as caught:
            services.review(access, project.pk, pk, decision, version=None)
        assert caught.value.field == field
    assert m.Pair.objects.get(pk=pk).state == "proposed"


def test_bulk_accept_previews_its_count_and_refuses_when_it_changed(world):
    access = world.access("assessor")
    project = project_with_proposals(access)
    preview = services.bulk_preview(access, project.pk, 0.7)
    # Best proposal per requirement scoring 0.7 or more: S-1, S-2, S-3.
    assert (preview.pairs, preview.requirements) == (3, 3)
    everything = services.bulk_preview(access, project.pk, 0.7, best_only=False)
    assert (everything.pairs, everything.requirements) == (4, 3)
    # Someone decides S-2 meanwhile: the count previewed no longer holds.
    services.review(access, project.pk, _pair(project, "S-2").pk, Decision("reject"), version=1)
    with pytest.raises(ConflictError, match="preview again"):
        services.bulk_accept(access, project.pk, 0.7, expected=3)
    assert queries.state_counts(project)["accepted"] == 0
    assert services.bulk_accept(access, project.pk, 0.7, expected=2) == 2
    ms, _ = queries.crosswalk(project)
    assert [(x.source, x.target) for x in ms.mappings] == [
        ("S-1", "PR.DS-11"),
        ("S-3", "RS.CO-02"),
    ]
    event = AuditEvent.objects.filter(object_type="mapping-project").order_by("-seq").first()
    assert event.changes["count"] == 2
    assert event.changes["bulk_accept"] == {"threshold": 0.7, "best_only": True}
    with pytest.raises(InputRefused, match="from 0 to 1"):
        services.bulk_preview(access, project.pk, 1.5)


def test_viewers_read_and_reviewers_decide(world):
    project = project_with_proposals(world.access("owner"))
    pk = _pair(project, "S-1").pk
    for role in ("viewer", "contributor", "auditor"):
        with pytest.raises(PermissionMissing):
            services.review(world.access(role), project.pk, pk, Decision("accept"), version=None)
        with pytest.raises(PermissionMissing):
            services.bulk_accept(world.access(role), project.pk, 0.1)
    assert services.bulk_preview(world.access("viewer"), project.pk, 0.1).pairs == 5
    # Another organization's project is not found, whatever its id.
    with pytest.raises(NotFound):
        services.review(world.other_access(), project.pk, pk, Decision("accept"), version=None)


def test_proposals_are_kept_once_a_pair_was_reviewed(world):
    access = world.access("owner")
    project = project_with_proposals(access)
    services.review(access, project.pk, _pair(project, "S-4").pk, Decision("reject"), version=1)
    with pytest.raises(ConflictError, match="kept"):
        services.request_proposals(access, project.pk)
    assert queries.state_counts(project)["rejected"] == 1


def test_a_project_is_refused_for_unknown_or_id_only_frameworks(world):
    access = world.access("owner")
    with pytest.raises(InputRefused, match="no framework 'nope'") as caught:
        services.create_project(access, name="x", source_key="nope")
    assert caught.value.field == "source"
    with pytest.raises(InputRefused, match="must differ"):
        services.create_project(access, name="x", source_key=KEY, target_key=KEY)
    services.create_project(access, name="Same", source_key=KEY)
    with pytest.raises(ConflictError, match="exists already"):
        services.create_project(access, name="Same", source_key=KEY)


def test_the_database_refuses_a_pair_in_the_crosswalk_without_a_decision(world):
    project = project_with_proposals(world.access("owner"))
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Pair.objects.filter(pk=_pair(project, "S-1").pk).update(state="accepted")


def test_the_organization_s_crosswalks_are_what_transfer_can_go_through(world):
    access = world.access("owner")
    project = project_with_proposals(access)
    services.bulk_accept(access, project.pk, 0.8)
    other = project_with_proposals(world.other_access(), name="Globex's")
    services.bulk_accept(world.other_access(), other.pk, 0.0)
    (ms,) = queries.organization_crosswalks(world.org)
    assert ms.info.key == f"acme-mapping-{project.pk}"
    assert (ms.info.source_framework, ms.info.target_framework) == (KEY, "csf-2.0")
    assert [(x.source, x.target) for x in ms.mappings] == [("S-1", "PR.DS-11"), ("S-2", "PR.AA-01")]
