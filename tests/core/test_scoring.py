"""Roll-ups computed by hand: outcome → Category → Function → Profile."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from csfpilot.core.profiles import (
    MATURITY,
    OutcomeEntry,
    Priority,
    Profile,
    RollUp,
    Side,
)
from csfpilot.core.scoring import percent, score_profile


def rated(profile: Profile, ratings: dict[str, tuple[object, object]]) -> Profile:
    for code, (current, target) in ratings.items():
        profile = profile.with_rating(code, Side.CURRENT, current)
        profile = profile.with_rating(code, Side.TARGET, target)
    return profile


@pytest.fixture
def sample() -> Profile:
    p = rated(
        Profile("Sample"),
        {
            "GV.OC-01": ("partially", "fully"),  # 1/3
            "GV.OC-02": ("fully", "fully"),  # 1
            "GV.RM-01": ("not", "largely"),  # 0
            "GV.RM-02": ("na", "na"),  # not applicable
            "GV.RM-03": (None, "fully"),  # not assessed on the current side
            "ID.AM-01": ("largely", "fully"),  # 2/3
            "GV.OC-03": ("fully", "fully"),  # excluded below
        },
    )
    entry = p.entry("GV.OC-03")
    return p.with_entry(
        OutcomeEntry(entry.outcome, included=False, current=entry.current, target=entry.target)
    )


def test_category_score_is_the_mean_of_its_rated_outcomes(sample, csf):
    scores = score_profile(sample, csf)
    oc = scores.group("GV.OC")
    assert oc.current.score == Fraction(2, 3)  # (1/3 + 1) / 2; GV.OC-03 is not included
    assert oc.current.percent == 66.67
    assert (oc.outcomes, oc.included, oc.current.assessed) == (5, 2, 2)


def test_a_category_whose_only_rating_is_zero_scores_zero_not_unassessed(sample, csf):
    rm = score_profile(sample, csf).group("GV.RM").current
    assert rm.score == 0
    assert (rm.assessed, rm.not_applicable, rm.not_assessed) == (1, 1, 1)


def test_function_score_is_the_mean_over_outcomes_not_a_mean_of_category_means(sample, csf):
    gv = score_profile(sample, csf).group("GV")
    # Outcomes 1/3, 1, 0 → 4/9. A mean of the Category means would be (2/3 + 0)/2 = 1/3.
    assert gv.current.score == Fraction(4, 9)
    assert gv.current.percent == 44.44
    assert gv.target.score == Fraction(1 + 1 + Fraction(2, 3) + 1, 4)


def test_profile_score_and_counts(sample, csf):
    top = score_profile(sample, csf).profile
    assert top.current.score == Fraction(1, 2)  # (1/3 + 1 + 0 + 2/3) / 4
    assert top.current.percent == 50.0
    assert (top.outcomes, top.included) == (106, 6)
    assert (top.current.assessed, top.current.not_assessed, top.current.not_applicable) == (
        4,
        1,
        1,
    )
    assert (top.target.assessed, top.target.not_assessed, top.target.not_applicable) == (5, 0, 1)


def test_nothing_assessed_is_none_never_zero(sample, csf):
    scores = score_profile(sample, csf)
    pr = scores.group("PR")
    assert pr.current.score is None and pr.current.percent is None
    assert (pr.included, pr.current.assessed) == (0, 0)
    empty = score_profile(Profile("Empty"), csf).profile
    assert empty.current.score is None and empty.target.score is None


def test_maturity_scale_normalizes_by_five(csf):
    p = rated(
        Profile("Maturity", scale=MATURITY),
        {"PR.AA-01": (3, 5), "PR.AA-02": (5, 5), "PR.AA-03": (0, 4)},
    )
    aa = score_profile(p, csf).group("PR.AA")
    assert aa.current.score == Fraction(8, 15)
    assert aa.current.percent == 53.33
    assert aa.target.percent == 93.33


def test_priority_rollup_weights_each_outcome_by_its_target_priority(csf):
    p = rated(
        Profile("Weighted", rollup=RollUp.PRIORITY),
        {"GV.OC-01": ("partially", "fully"), "GV.OC-02": ("fully", "fully")},
    )
    p = p.with_entry(_with_priority(p.entry("GV.OC-01"), Priority.HIGH))
    p = p.with_entry(_with_priority(p.entry("GV.OC-02"), Priority.LOW))
    oc = score_profile(p, csf).group("GV.OC")
    assert oc.current.score == Fraction(1, 2)  # (3·1/3 + 1·1) / (3 + 1)
    equal = score_profile(p.replace(rollup=RollUp.EQUAL), csf).group("GV.OC")
    assert equal.current.score == Fraction(2, 3)


def _with_priority(entry: OutcomeEntry, priority: Priority) -> OutcomeEntry:
    return replace(entry, priority=priority)


def test_percent_rounds_to_two_places():
    assert percent(Fraction(2, 3)) == 66.67
    assert percent(Fraction(1, 3)) == 33.33
    assert percent(Fraction(1)) == 100.0
    assert percent(None) is None
