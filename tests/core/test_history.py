"""Snapshots compared and charted over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from csfpilot.core.profiles import Action, ActionStatus, Change, Profile, Side
from csfpilot.core.scoring import compare_profiles, trend

Q1 = datetime(2025, 3, 31, 17, 0, tzinfo=UTC)
Q2 = Q1 + timedelta(days=91)


def q1_profile() -> Profile:
    p = Profile("Acme")
    for code, current in (("GV.OC-01", "partially"), ("GV.OC-02", "not"), ("ID.AM-01", "fully")):
        p = p.with_rating(code, Side.CURRENT, current).with_rating(code, Side.TARGET, "fully")
    return p.with_actions((Action("A-001", "Mission statement", ("GV.OC-01",)),))


def q2_profile() -> Profile:
    p = q1_profile().with_rating("GV.OC-01", Side.CURRENT, "fully")
    p = p.with_rating("GV.OC-02", Side.CURRENT, "largely").without_entry("ID.AM-01")
    done = Action("A-001", "Mission statement", ("GV.OC-01",), status=ActionStatus.DONE)
    return p.with_actions((done, Action("A-002", "Stakeholder map", ("GV.OC-02",))))


def test_compare_lists_every_change_and_how_scores_moved(csf):
    before = q1_profile().snapshot_of(Q1, "Q1 review")
    after = q2_profile().snapshot_of(Q2, "Q2 review")
    comparison = compare_profiles(before, after, csf)
    assert comparison.before == "Q1 review (2025-03-31T17:00+00:00)"
    assert comparison.after == "Q2 review (2025-06-30T17:00+00:00)"
    assert list(comparison.changes) == [
        Change("GV.OC-01", "current", "partially", "fully"),
        Change("GV.OC-02", "current", "not", "largely"),
        Change("ID.AM-01", "included", True, False),
        Change("ID.AM-01", "current", "fully", None),
        Change("ID.AM-01", "target", "fully", None),
        Change("action A-001", "status", "open", "done"),
        Change("action A-002", "action", None, "Stakeholder map"),
    ]
    assert comparison.changed_outcomes == ["GV.OC-01", "GV.OC-02", "ID.AM-01"]
    top = comparison.deltas[0]
    # Q1: (1/3 + 0 + 1)/3 = 4/9; Q2: (1 + 2/3)/2 = 5/6.
    assert (top.current_before, top.current_after) == (Fraction(4, 9), Fraction(5, 6))
    assert top.current_delta == Fraction(7, 18)
    assert top.as_percent()["current_delta"] == 38.89
    id_row = next(d for d in comparison.deltas if d.code == "ID")
    assert (id_row.current_before, id_row.current_after, id_row.current_delta) == (1, None, None)
    pr_row = next(d for d in comparison.deltas if d.code == "PR")
    assert not pr_row.changed


def test_trend_is_oldest_first_with_the_live_profile_last(csf):
    live = q2_profile().with_rating("GV.OC-02", Side.CURRENT, "fully")
    points = trend(
        [q2_profile().snapshot_of(Q2, "Q2"), live, q1_profile().snapshot_of(Q1, "Q1")], csf
    )
    assert [(p.taken, p.label) for p in points] == [
        (Q1, "Q1 (2025-03-31T17:00+00:00)"),
        (Q2, "Q2 (2025-06-30T17:00+00:00)"),
        (None, "Acme"),
    ]
    assert [p.scores.group("GV").current.percent for p in points] == [16.67, 83.33, 100.0]


def test_comparing_a_profile_with_itself_changes_nothing(csf):
    comparison = compare_profiles(q1_profile(), q1_profile(), csf)
    assert comparison.changes == ()
    assert not any(d.changed for d in comparison.deltas)
