"""Properties of every transfer: no rating from nothing, partial never full."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from csfpilot.core.crosswalks import CombineRule, Coverage, find_route, transfer_profile
from csfpilot.core.profiles import MATURITY, STATUS, OutcomeEntry, Profile, Side
from tests.core.crosswalk_cases import R, dataset, framework

A = framework("fw-a", "a", 6)
B = framework("fw-b", "b", 5)
C = framework("fw-c", "c", 4)
RELS = [r for r in R]


def rows(src, dst, n_src, n_dst):
    return st.lists(
        st.tuples(
            st.integers(1, n_src).map(lambda i: f"{src}{i}"),
            st.sampled_from(RELS),
            st.integers(1, n_dst).map(lambda i: f"{dst}{i}"),
        ),
        max_size=20,
        unique_by=lambda r: (r[0], r[2]),
    )


def levels(scale):
    return st.none() | st.sampled_from(scale.levels)


@st.composite
def cases(draw):
    scale = draw(st.sampled_from([STATUS, MATURITY]))
    target_scale = draw(st.sampled_from([STATUS, MATURITY]))
    entries = {
        f"a{i}": OutcomeEntry(f"a{i}", current=draw(levels(scale)), target=draw(levels(scale)))
        for i in range(1, 7)
    }
    prof = Profile(name="P", framework="fw-a", scale=scale, outcomes=entries)
    d1 = dataset("d1", "fw-a", "fw-b", draw(rows("a", "b", 6, 5)))
    d2 = dataset("d2", "fw-b", "fw-c", draw(rows("b", "c", 5, 4)))
    chain = draw(st.booleans())
    rule = draw(st.sampled_from(list(CombineRule)))
    return prof, [d1, d2], chain, rule, target_scale


def _run(prof, sets, chain, rule, target_scale):
    to = "fw-c" if chain else "fw-b"
    route = find_route(sets, "fw-a", to)
    return transfer_profile(
        prof, route, target_framework=C if chain else B, rule=rule, target_scale=target_scale
    )


@settings(max_examples=300, deadline=None)
@given(cases())
def test_no_rating_without_a_rated_source(case):
    prof = case[0]
    t = _run(*case)
    for p in t.proposals:
        for side in Side:
            rated = [c for c in p.contributions if c.level(side) is not None]
            assert all(c.source in prof.outcomes for c in p.contributions)
            if not rated:
                assert p.side(side).level is None
                assert p.side(side).coverage is Coverage.NONE


@settings(max_examples=300, deadline=None)
@given(cases())
def test_partial_coverage_is_never_proposed_as_fully_implemented(case):
    t = _run(*case)
    for p in t.proposals:
        for side in Side:
            s = p.side(side)
            if s.coverage is Coverage.PARTIAL and s.level is not None:
                assert s.level.score is None or s.level.score < 1
            if s.level is not None and s.level.score == 1:
                assert any(
                    c.coverage is Coverage.FULL and c.level(side) is not None
                    for c in p.contributions
                )


@settings(max_examples=100, deadline=None)
@given(cases())
def test_an_unrated_profile_proposes_nothing(case):
    prof, *rest = case
    blank = Profile(
        name="Blank",
        framework="fw-a",
        scale=prof.scale,
        outcomes={k: OutcomeEntry(k) for k in prof.outcomes},
    )
    t = _run(blank, *rest)
    assert all(p.current.level is None and p.target.level is None for p in t.proposals)
