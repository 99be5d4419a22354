"""Properties of the scoring and gap rules, over random profiles."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from csfpilot.core.gaps import analyse_gaps, plan_order_key, profile_gap
from csfpilot.core.profiles import (
    STATUS,
    OutcomeEntry,
    Profile,
    ProfileKind,
    Side,
    csf_2_0,
)
from csfpilot.core.scoring import outcome_weight, score_profile, score_total
from tests.core.strategies import PROFILE_SETTINGS, profiles

CSF = csf_2_0()


def all_scores(profile: Profile) -> list[Fraction | None]:
    scores = score_profile(profile, CSF)
    nodes = [scores.profile, *scores.groups]
    return [n.side(side).score for n in nodes for side in Side]


@PROFILE_SETTINGS
@given(profiles(kind=ProfileKind.ORGANIZATIONAL, snapshot=False))
def test_every_score_lies_between_0_and_100(profile):
    scores = score_profile(profile, CSF)
    for node in (scores.profile, *scores.groups):
        for side in Side:
            s = node.side(side)
            assert s.score is None or 0 <= s.score <= 1
            assert s.percent is None or 0 <= s.percent <= 100
            assert s.assessed + s.not_assessed + s.not_applicable == node.included


@PROFILE_SETTINGS
@given(profiles(kind=ProfileKind.ORGANIZATIONAL, snapshot=False), st.data())
def test_improving_one_rating_never_lowers_any_score(profile, data):
    rated = [
        c
        for c, e in profile.outcomes.items()
        if e.included and e.current is not None and e.current.applicable
    ]
    assume(rated)
    code = data.draw(st.sampled_from(rated))
    before = profile.outcomes[code].current
    better = [lv for lv in profile.scale.levels if lv.applicable and lv.score >= before.score]
    level = data.draw(st.sampled_from(better))
    improved = profile.with_rating(code, Side.CURRENT, level.key)
    for old, new in zip(all_scores(profile), all_scores(improved), strict=True):
        assert (old is None) == (new is None)
        if old is not None:
            assert new >= old


@PROFILE_SETTINGS
@given(
    profiles(kind=ProfileKind.ORGANIZATIONAL, scale=STATUS, min_outcomes=1, snapshot=False),
    st.data(),
)
def test_not_applicable_never_changes_the_weight_of_other_outcomes(profile, data):
    code = data.draw(st.sampled_from(sorted(profile.outcomes)))
    entry = profile.outcomes[code]
    na = replace(entry, included=True, current=STATUS.get("na"), target=STATUS.get("na"))
    with_na = profile.with_entry(na)
    left_out = profile.with_entry(replace(entry, included=False))
    assert all_scores(with_na) == all_scores(left_out)


@PROFILE_SETTINGS
@given(profiles(kind=ProfileKind.ORGANIZATIONAL, snapshot=False))
def test_each_group_score_is_the_weighted_mean_of_the_outcomes_beneath_it(profile):
    scores = score_profile(profile, CSF)
    for group in CSF.groups:
        pairs = []
        for code in CSF.outcomes_under(group.code):
            e = profile.outcomes.get(code)
            if e and e.included and e.current is not None and e.current.applicable:
                pairs.append((outcome_weight(e, profile.rollup), e.current.score))
        expected = sum(w * s for w, s in pairs) / sum(w for w, _ in pairs) if pairs else None
        assert scores.group(group.code).current.score == expected


@PROFILE_SETTINGS
@given(profiles(kind=ProfileKind.ORGANIZATIONAL, snapshot=False))
def test_gaps_are_non_negative_and_in_action_plan_order(profile):
    gaps = analyse_gaps(profile, CSF)
    assert list(gaps.outcomes) == sorted(gaps.outcomes, key=plan_order_key)
    for g in gaps.outcomes:
        assert 0 <= g.gap <= 1
        assert g.gap == max(0, g.target_score - g.current_score)
    for group in (gaps.profile, *gaps.groups):
        assert group.gap is None or 0 <= group.gap <= 1
    ranks = [g.rank for g in gaps.with_gap()]
    assert ranks == sorted(ranks, reverse=True)


@PROFILE_SETTINGS
@given(profiles(kind=ProfileKind.ORGANIZATIONAL, snapshot=False))
def test_an_outcome_not_in_the_profile_counts_nowhere(profile):
    missing = [c for c in CSF.outcomes if c not in profile.outcomes]
    assume(missing)
    code = missing[0]
    excluded = replace(
        profile, outcomes={**profile.outcomes, code: OutcomeEntry(code, included=False)}
    )
    assert all_scores(excluded) == all_scores(profile)


@PROFILE_SETTINGS
@given(profiles(kind=ProfileKind.ORGANIZATIONAL, snapshot=False))
def test_the_profile_level_shortcuts_equal_the_full_analysis(profile):
    """Profile lists read only the top figures; they must be the full analysis' own."""
    assert score_total(profile, CSF) == score_profile(profile, CSF).profile
    assert profile_gap(profile, CSF) == analyse_gaps(profile, CSF).profile
