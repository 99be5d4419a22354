"""Gaps computed by hand, and the action-plan order (priority weight × gap, then id)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from csfpilot.core.gaps import analyse_gaps
from csfpilot.core.profiles import Priority, Profile, Side


def build(rows: dict[str, tuple[object, object, Priority | None]]) -> Profile:
    p = Profile("Gaps")
    for code, (current, target, priority) in rows.items():
        p = p.with_rating(code, Side.CURRENT, current).with_rating(code, Side.TARGET, target)
        p = p.with_entry(replace(p.entry(code), priority=priority))
    return p


@pytest.fixture
def profile() -> Profile:
    return build(
        {
            "GV.OC-01": ("partially", "fully", Priority.HIGH),  # gap 2/3, rank 2
            "GV.OC-02": ("not", "fully", Priority.LOW),  # gap 1, rank 1
            "ID.AM-01": ("not", "largely", Priority.MEDIUM),  # gap 2/3, rank 4/3
            "PR.AA-01": ("partially", "fully", None),  # gap 2/3, unset weighs 1: rank 2/3
            "DE.CM-01": ("partially", "largely", Priority.MEDIUM),  # gap 1/3, rank 2/3
            "RS.MA-01": ("fully", "largely", Priority.HIGH),  # ahead of target: gap 0
            "RC.RP-01": (None, "fully", Priority.HIGH),  # not assessed: not comparable
            "GV.OC-03": ("na", "fully", Priority.HIGH),  # not applicable: not comparable
        }
    )


def test_outcome_gaps_are_target_minus_current_floored_at_zero(profile, csf):
    gaps = analyse_gaps(profile, csf)
    assert gaps.outcome("GV.OC-01").gap == Fraction(2, 3)
    assert gaps.outcome("GV.OC-02").gap == 1
    assert gaps.outcome("RS.MA-01").gap == 0
    assert gaps.outcome("RC.RP-01") is None


def test_action_plan_order_is_weight_times_gap_then_outcome_id(profile, csf):
    ordered = [(g.outcome, g.rank) for g in analyse_gaps(profile, csf).with_gap()]
    assert ordered == [
        ("GV.OC-01", Fraction(2)),
        ("ID.AM-01", Fraction(4, 3)),
        ("GV.OC-02", Fraction(1)),
        # A tie at 2/3: ascending outcome id decides.
        ("DE.CM-01", Fraction(2, 3)),
        ("PR.AA-01", Fraction(2, 3)),
    ]


def test_outcomes_missing_a_rating_or_not_applicable_are_not_comparable(profile, csf):
    assert analyse_gaps(profile, csf).not_comparable == ("GV.OC-03", "RC.RP-01")


def test_group_gaps_are_means_of_outcome_gaps(profile, csf):
    gaps = analyse_gaps(profile, csf)
    oc = gaps.group("GV.OC")
    assert (oc.gap, oc.percent) == (Fraction(5, 6), 83.33)
    assert (oc.comparable, oc.with_gap, oc.not_comparable) == (2, 2, 1)
    assert gaps.group("GV").gap == Fraction(5, 6)
    rs = gaps.group("RS")
    assert (rs.gap, rs.comparable, rs.with_gap) == (0, 1, 0)
    rc = gaps.group("RC")
    assert (rc.gap, rc.comparable, rc.not_comparable) == (None, 0, 1)
    # Being ahead on RS.MA-01 does not offset anything: (2/3+1+2/3+2/3+1/3+0)/6.
    assert gaps.profile.gap == Fraction(5, 9)
    assert gaps.profile.percent == 55.56


def test_excluded_outcomes_have_no_gap(profile, csf):
    p = profile.with_entry(replace(profile.entry("GV.OC-01"), included=False))
    gaps = analyse_gaps(p, csf)
    assert gaps.outcome("GV.OC-01") is None
    assert "GV.OC-01" not in gaps.not_comparable
