"""Reads over profiles: exact values on the real CSF 2.0 Core, and a fixed number of queries
however many profiles, outcomes, actions or snapshots there are."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.core.gaps import analyse_gaps, candidate_actions
from csfpilot.core.scoring import score_profile
from csfpilot.webapp.profiles import lookups, queries, services
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.frameworks import suggested_controls
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _count(fn, *args, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn(*args, **kwargs)
    return len(ctx.captured_queries), result


def _rated(world: World, name: str, ratings: dict[str, dict]) -> int:
    row = world.profile(name)
    for code, changes in ratings.items():
        services.update_outcome(world.access("owner"), row.pk, code, changes, expected_version=1)
    return row.pk


RATINGS = {
    "GV.OC-01": {
        "current": "partially",
        "target": "fully",
        "priority": "high",
        "owner_name": "CISO",
    },
    "GV.OC-02": {"current": "na", "target": "na"},
    "ID.AM-01": {
        "current": "largely",
        "target": "fully",
        "priority": "low",
        "owner_name": "IT Ops",
    },
    "PR.AA-01": {
        "current": "not",
        "target": "largely",
        "priority": "medium",
        "owner_name": "IT Ops",
    },
    "PR.AA-02": {"current": "fully", "target": "fully"},
    "DE.CM-01": {"target": "fully"},
}


# -- query counts ------------------------------------------------------------------------------


def test_profile_list_takes_two_queries_however_many_profiles(world: World):
    access = world.access("viewer")
    _rated(world, "First", RATINGS)
    queries.profile_list(access)  # the framework's outcome list is read once per process
    one, _ = _count(queries.profile_list, access)
    for i in range(4):
        pid = _rated(world, f"More {i}", RATINGS)
        services.create_action(
            world.access("owner"),
            pid,
            {"title": "x", "outcomes": ["PR.AA-01"], "due": date(2020, 1, 1)},
        )
        services.take_snapshot(world.access("owner"), pid)
    five, rows = _count(queries.profile_list, access)
    assert one == five == 2
    assert [s.profile.name for s in rows] == ["First", "More 0", "More 1", "More 2", "More 3"]
    first, more = rows[0], rows[1]
    assert (first.current_percent, first.target_percent) == (50.0, 93.33)
    assert (first.scores.current.assessed, first.scores.current.not_assessed) == (4, 101)
    assert first.scores.current.not_applicable == 1
    assert first.gap.percent == 41.67
    assert (more.open_actions, more.overdue_actions, more.snapshot_count) == (1, 1, 1)
    assert (first.open_actions, first.snapshot_count, first.last_snapshot) == (0, 0, None)


def test_profile_detail_reads_every_outcome_in_three_queries(world: World):
    pid = _rated(world, "Whole company", RATINGS)
    owner = world.access("owner")
    services.assign_outcomes(owner, pid, ["GV.SC-01", "GV.SC-02"], world.users["contributor"].pk)
    for i in range(5):
        services.create_action(owner, pid, {"title": f"Action {i}", "outcomes": ["GV.OC-01"]})
    queries.profile_detail(world.access("contributor"), pid)
    n, detail = _count(queries.profile_detail, world.access("contributor"), pid)
    assert n == 3
    assert len(detail.outcomes) == 106
    assert len(detail.actions) == 5
    editable = [o.code for o in detail.outcomes if o.can_edit]
    assert editable == ["GV.SC-01", "GV.SC-02"]
    view = detail.outcome("PR.AA-01")
    assert (view.function, view.category, view.entry.current.label) == (
        "PR",
        "PR.AA",
        "Not implemented",
    )
    assert view.text == (
        "Identities and credentials for authorized users, services, and hardware are managed "
        "by the organization"
    )
    groups = detail.groups("function")
    assert [(g.code, len(outcomes)) for g, outcomes in groups] == [
        ("GV", 31),
        ("ID", 21),
        ("PR", 22),
        ("DE", 11),
        ("RS", 13),
        ("RC", 8),
    ]
    assert detail.scores.group("PR.AA").current.percent == 50.0
    assert detail.can_edit_profile is False


def _whole_dashboard(access, pid):
    """The dashboard with everything it draws worked out (the trend reads the snapshots)."""
    board = queries.dashboard(access, pid)
    assert board.scores and board.gaps and board.trend
    return board


def test_action_plan_and_dashboard_queries_do_not_grow_with_the_plan(world: World):
    pid = _rated(world, "Whole company", RATINGS)
    viewer = world.access("viewer")
    queries.action_plan(viewer, pid)
    few, _ = _count(queries.action_plan, viewer, pid)
    few_dash, _ = _count(_whole_dashboard, viewer, pid)
    services.generate_actions(world.access("owner"), pid)
    for label in ("Q1", "Q2"):
        services.take_snapshot(
            world.access("owner"),
            pid,
            label=label,
            taken_at=timezone.now() - timedelta(days=len(label) * 30),
        )
    many, plan = _count(queries.action_plan, viewer, pid)
    # The first read of new snapshots fetches their documents once (one more query).
    first_dash, _ = _count(_whole_dashboard, viewer, pid)
    many_dash, dash = _count(_whole_dashboard, viewer, pid)
    assert few == many == 4
    # A dashboard reads the rated outcomes to build the scores and gaps when the profile
    # or its rows changed (the first one, and the first after the plan and snapshots were
    # written); the answer cache serves them after that (one query checks the rows'
    # state). The first read of new snapshots fetches their documents once (one more).
    assert (few_dash, first_dash, many_dash) == (5, 6, 4)
    assert [v.action.outcomes for v in plan.actions] == [
        ["GV.OC-01"],
        ["PR.AA-01"],
        ["ID.AM-01"],
    ]
    assert [len(p.scores.groups) for p in dash.trend] == [28, 28, 28]
    assert dash.plan.open == 3


# -- the questionnaire ---------------------------------------------------------------------------


def test_next_unanswered_follows_document_order_and_wraps(world: World):
    row = world.profile()
    owner = world.access("owner")
    assert queries.next_unanswered(owner, row.pk) == "GV.OC-01"
    services.update_outcome(owner, row.pk, "GV.OC-01", {"current": "fully"}, expected_version=1)
    services.update_outcome(owner, row.pk, "GV.OC-02", {"included": False}, expected_version=1)
    assert queries.next_unanswered(owner, row.pk) == "GV.OC-03"
    assert queries.next_unanswered(owner, row.pk, after="RC.CO-03") == "RC.CO-04"
    services.update_outcome(owner, row.pk, "RC.CO-04", {"current": "not"}, expected_version=1)
    assert queries.next_unanswered(owner, row.pk, after="RC.CO-03") == "GV.OC-03"
    assert queries.next_unanswered(owner, row.pk, side="target") == "GV.OC-01"
    n, _ = _count(queries.next_unanswered, owner, row.pk, after="RC.CO-03")
    assert n <= 4


def test_progress_counts_answers_per_function(world: World):
    pid = _rated(world, "Whole company", RATINGS)
    progress = {p.code: p for p in queries.progress(world.access("viewer"), pid)}
    gv = progress["GV"]
    assert (gv.included, gv.current_answered, gv.target_answered) == (31, 2, 2)
    assert (progress["DE"].current_answered, progress["DE"].target_answered) == (0, 1)
    assert not gv.complete
    categories = queries.progress(world.access("viewer"), pid, level="category")
    assert categories[0].code == "GV.OC" and categories[0].included == 5


# -- gaps ------------------------------------------------------------------------------------------


def test_gap_filters_by_function_priority_and_owner(world: World):
    pid = _rated(world, "Whole company", RATINGS)
    viewer = world.access("viewer")
    everything = queries.gap_analysis(viewer, pid)
    assert [g.outcome for g in everything.outcomes] == ["GV.OC-01", "PR.AA-01", "ID.AM-01"]
    assert everything.owners == ("CISO", "IT Ops")
    assert [f.code for f in everything.functions] == ["GV", "ID", "PR", "DE", "RS", "RC"]
    assert [g.outcome for g in queries.gap_analysis(viewer, pid, function="PR").outcomes] == [
        "PR.AA-01"
    ]
    assert [g.outcome for g in queries.gap_analysis(viewer, pid, function="GV.OC").outcomes] == [
        "GV.OC-01"
    ]
    assert [g.outcome for g in queries.gap_analysis(viewer, pid, priority="low").outcomes] == [
        "ID.AM-01"
    ]
    by_owner = queries.gap_analysis(viewer, pid, owner="it ops")
    assert [g.outcome for g in by_owner.outcomes] == ["PR.AA-01", "ID.AM-01"]
    assert queries.gap_analysis(viewer, pid, priority="none").outcomes == ()
    # Filters narrow the list, never the analysis itself.
    assert by_owner.analysis.profile.percent == everything.analysis.profile.percent == 41.67
    with pytest.raises(InputRefused) as exc:
        queries.gap_analysis(viewer, pid, priority="urgent")
    assert exc.value.field == "priority"


# -- history ---------------------------------------------------------------------------------------


def test_trend_and_compare_over_snapshots(world: World):
    row = world.profile()
    owner = world.access("owner")
    services.update_outcome(
        owner, row.pk, "GV.OC-01", {"current": "not", "target": "fully"}, expected_version=1
    )
    q1 = services.take_snapshot(
        owner, row.pk, label="Q1", taken_at=datetime(2026, 3, 31, 17, tzinfo=UTC)
    )
    services.update_outcome(owner, row.pk, "GV.OC-01", {"current": "largely"}, expected_version=2)
    q2 = services.take_snapshot(
        owner, row.pk, label="Q2", taken_at=datetime(2026, 6, 30, 17, tzinfo=UTC)
    )
    services.update_outcome(owner, row.pk, "GV.OC-01", {"current": "fully"}, expected_version=3)
    points = queries.trend(world.access("viewer"), row.pk)
    assert [(p.label, p.scores.profile.current.percent) for p in points] == [
        ("Q1 (2026-03-31T17:00+00:00)", 0.0),
        ("Q2 (2026-06-30T17:00+00:00)", 66.67),
        ("Whole company", 100.0),
    ]
    comparison = queries.compare(world.access("viewer"), f"snapshot:{q1.pk}", f"snapshot:{q2.pk}")
    assert [(c.element, c.field, c.before, c.after) for c in comparison.changes] == [
        ("GV.OC-01", "current", "not", "largely")
    ]
    assert comparison.deltas[0].as_percent()["current_delta"] == 66.67
    live = queries.compare(world.access("viewer"), f"snapshot:{q2.pk}", f"profile:{row.pk}")
    assert live.changed_outcomes == ["GV.OC-01"]
    assert [s.label for s in queries.snapshots(world.access("viewer"), row.pk)] == ["Q1", "Q2"]
    with pytest.raises(InputRefused, match="write profile:<id> or snapshot:<id>"):
        queries.compare(world.access("viewer"), "q1", f"profile:{row.pk}")


def test_outcome_detail_has_history_examples_and_neighbours(world: World):
    row = world.profile()
    owner = world.access("owner")
    services.update_outcome(owner, row.pk, "GV.OC-01", {"current": "partially"}, expected_version=1)
    services.take_snapshot(
        owner, row.pk, label="Q1", taken_at=datetime(2026, 3, 31, 17, tzinfo=UTC)
    )
    services.create_action(owner, row.pk, {"title": "Mission workshop", "outcomes": ["GV.OC-01"]})
    detail = queries.outcome_detail(world.access("viewer"), row.pk, "GV.OC-01")
    assert (detail.previous, detail.next) == (None, "GV.OC-02")
    assert [(e.code, e.title) for e in detail.examples] == [("GV.OC-01.001", "Ex1")]
    assert [(h.label, h.current) for h in detail.history] == [("Q1", "partially")]
    assert [a.title for a in detail.actions] == ["Mission workshop"]
    last = queries.outcome_detail(world.access("viewer"), row.pk, "RC.CO-04")
    assert (last.previous, last.next) == ("RC.CO-03", None)


def test_reads_never_cross_tenants(world: World):
    theirs = services.create_profile(world.other_access(), name="Globex")
    mine = world.access("owner")
    for read in (
        queries.profile_detail,
        queries.scores,
        queries.trend,
        queries.dashboard,
        queries.action_plan,
        queries.snapshots,
        queries.gap_analysis,
    ):
        with pytest.raises(NotFound):
            read(mine, theirs.pk)
    snap = services.take_snapshot(world.other_access(), theirs.pk)
    with pytest.raises(NotFound):
        queries.snapshot_detail(mine, snap.pk)
    with pytest.raises(NotFound):
        queries.compare(mine, f"snapshot:{snap.pk}", f"profile:{theirs.pk}")
    assert queries.profile_list(mine) == []


@pytest.mark.parametrize("rollup", ["equal", "priority"])
def test_the_rated_profile_scores_and_plans_exactly_as_the_whole_profile(world: World, rollup):
    """Scores, gaps and plan candidates read only six columns; they must not differ."""
    pid = _rated(world, "Whole company", RATINGS)
    owner = world.access("owner")
    services.update_outcome(
        owner,
        pid,
        "ID.AM-02",
        {"included": False, "current": "fully", "target": "fully", "notes": "out of scope"},
        expected_version=1,
    )
    services.update_outcome(
        owner,
        pid,
        "RS.MA-01",
        {"current": "not", "target": "fully", "rationale": "why", "target_policies": "IR plan"},
        expected_version=1,
    )
    services.create_action(owner, pid, {"title": "x", "outcomes": ["PR.AA-01"]})
    m.Profile.objects.filter(pk=pid).update(rollup=rollup)
    row = lookups.profile(owner, pid)
    framework = lookups.framework_of(row)
    whole, rated = lookups.domain_profile(row), lookups.rated_profile(row)
    assert "ID.AM-02" in whole.outcomes and "ID.AM-02" not in rated.outcomes
    assert rated.actions == whole.actions and rated.rollup.value == rollup
    assert score_profile(rated, framework) == score_profile(whole, framework)
    gaps = analyse_gaps(whole, framework)
    assert analyse_gaps(rated, framework) == gaps
    assert gaps.outcome("RS.MA-01").gap == 1
    controls = suggested_controls(framework.key)
    assert candidate_actions(rated, gaps, controls) == candidate_actions(whole, gaps, controls)
