"""Transfer rules, computed by hand for every OLIR relationship, a chain and many-to-one."""

from __future__ import annotations

from fractions import Fraction

import pytest

from csfpilot.core.crosswalks import (
    CombineRule,
    Coverage,
    apply_transfer,
    compose,
    coverage_of,
    find_route,
    nearest_level,
    route_through,
    transfer_profile,
)
from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.core.profiles import MATURITY, STATUS, Profile, Side
from tests.core.crosswalk_cases import R, dataset, framework, profile

A = framework("fw-a", "a", 8)
B = framework("fw-b", "b", 9)
C = framework("fw-c", "c", 4)

D1 = dataset(
    "d1",
    "fw-a",
    "fw-b",
    [
        ("a1", R.EQUIVALENT, "b1"),
        ("a2", R.SUPERSET_OF, "b2"),
        ("a3", R.SUBSET_OF, "b3"),
        ("a4", R.INTERSECTS_WITH, "b4"),
        ("a5", R.RELATED_TO, "b5"),
        ("a1", R.SUPERSET_OF, "b6"),
        ("a4", R.INTERSECTS_WITH, "b6"),
        ("a6", R.EQUIVALENT, "b7"),
        ("a7", R.EQUIVALENT, "b8"),
        ("a8", R.MOVED_TO, "b9"),
        ("a1", R.RELATED_TO, "B"),  # a family: no outcome of fw-b
    ],
)
D2 = dataset(
    "d2",
    "fw-b",
    "fw-c",
    [
        ("b1", R.SUPERSET_OF, "c1"),
        ("b3", R.EQUIVALENT, "c2"),
        ("b2", R.SUBSET_OF, "c3"),
    ],
)
RATINGS = {
    "a1": "fully",
    "a2": "largely",
    "a3": "fully",
    "a4": "partially",
    "a5": "not",
    "a6": None,
    "a7": "na",
    "a8": "largely",
}


def run(rule: CombineRule = CombineRule.WEAKEST, target=B, route_to="fw-b", **kw):
    route = find_route([D1, D2], "fw-a", route_to)
    return transfer_profile(
        profile("fw-a", RATINGS), route, target_framework=target, rule=rule, **kw
    )


def current(transfer, code):
    p = transfer.proposal(code)
    assert p is not None, code
    return p.current


def key(side):
    return None if side.level is None else side.level.key


def test_equivalent_carries_the_value_in_full():
    s = current(run(), "b1")
    assert (key(s), s.coverage) == ("fully", Coverage.FULL)


def test_a_source_that_is_a_superset_covers_the_target():
    s = current(run(), "b2")
    assert (key(s), s.coverage) == ("largely", Coverage.FULL)


def test_subset_of_is_partial_and_never_fully_implemented():
    s = current(run(), "b3")
    # a3 is fully implemented but only part of b3: held at the level short of full
    assert (key(s), s.coverage, s.capped) == ("largely", Coverage.PARTIAL, True)


def test_intersects_with_is_partial_and_carries_a_lower_value_as_is():
    s = current(run(), "b4")
    assert (key(s), s.coverage, s.capped) == ("partially", Coverage.PARTIAL, False)


def test_related_to_is_a_partial_contribution():
    s = current(run(), "b5")
    assert (key(s), s.coverage) == ("not", Coverage.PARTIAL)


def test_moved_to_is_the_same_outcome_under_a_new_id():
    s = current(run(), "b9")
    assert (key(s), s.coverage) == ("largely", Coverage.FULL)


def test_an_unrated_source_produces_no_rating():
    p = run().proposal("b7")
    assert p.current.level is None and p.current.coverage is Coverage.NONE
    assert [c.source for c in p.contributions] == ["a6"]


def test_not_applicable_sources_propose_not_applicable_when_they_cover_the_target():
    s = current(run(), "b8")
    assert (key(s), s.coverage) == ("na", Coverage.FULL)


def test_many_to_one_weakest_link_is_the_default():
    t = run()
    s = current(t, "b6")
    assert t.rule is CombineRule.WEAKEST
    # a1 fully (superset: full) and a4 partially (intersects): min(1, 1/3)
    assert (key(s), s.score, s.coverage) == ("partially", Fraction(1, 3), Coverage.FULL)
    assert [c.source for c in t.proposal("b6").contributions] == ["a1", "a4"]


def test_many_to_one_average_and_strongest():
    avg = current(run(CombineRule.AVERAGE), "b6")
    assert (key(avg), avg.score) == ("largely", Fraction(2, 3))
    strong = current(run(CombineRule.STRONGEST), "b6")
    assert (key(strong), strong.score) == ("fully", Fraction(1))


def test_strongest_never_lifts_a_partial_source_to_full():
    # only a partial source reaches b3: strongest still stops short of full
    s = current(run(CombineRule.STRONGEST), "b3")
    assert key(s) == "largely"


def test_targets_that_are_no_outcome_are_listed_not_proposed():
    t = run()
    assert t.not_assessable == ("B",)
    assert t.proposal("B") is None


def test_chain_through_two_datasets_composes_the_relationships():
    t = run(target=C, route_to="fw-c")
    assert t.datasets == ("d1", "d2")
    c1 = t.proposal("c1")
    # a1 ≡ b1 ⊇ c1: a1 covers c1
    assert (key(c1.current), c1.current.coverage) == ("fully", Coverage.FULL)
    assert c1.contributions[0].relationship is R.SUPERSET_OF
    assert [(s.dataset, s.source, s.target) for s in c1.contributions[0].path] == [
        ("d1", "a1", "b1"),
        ("d2", "b1", "c1"),
    ]
    c2 = t.proposal("c2")
    # a3 ⊆ b3 ≡ c2: partial, so fully implemented a3 proposes "largely"
    assert (key(c2.current), c2.current.coverage) == ("largely", Coverage.PARTIAL)
    c3 = t.proposal("c3")
    # a2 ⊇ b2 ⊆ c3: they meet in b2
    assert c3.contributions[0].relationship is R.INTERSECTS_WITH
    assert c3.current.coverage is Coverage.PARTIAL


def test_backwards_a_superset_reads_as_a_subset():
    route = find_route([D1], "fw-b", "fw-a")
    assert [h.forward for h in route.hops] == [False]
    src = profile("fw-b", {"b2": "fully", "b1": "largely"})
    t = transfer_profile(src, route, target_framework=A)
    # b2 is a subset of a2: partial
    assert (key(t.proposal("a2").current), t.proposal("a2").current.coverage) == (
        "largely",
        Coverage.PARTIAL,
    )
    assert key(t.proposal("a1").current) == "largely"


def test_scales_meet_through_the_score_fraction():
    t = run(target_scale=MATURITY)
    assert current(t, "b1").level.key == 5  # fully → 1.0 → 5
    assert current(t, "b2").level.key == 3  # largely 2/3 → nearest 0.6
    assert current(t, "b4").level.key == 2  # partially 1/3 → nearest 0.4
    assert current(t, "b3").level.key == 4  # partial: held at 0.8, the level short of 5
    src = profile("fw-a", {"a1": 4, "a2": 1}, scale=MATURITY)
    t = transfer_profile(
        src, find_route([D1], "fw-a", "fw-b"), target_framework=B, target_scale=STATUS
    )
    assert current(t, "b1").level.key == "largely"  # 0.8 → 2/3
    assert current(t, "b2").level.key == "partially"  # 0.2 → 1/3 (0 is further)


def test_nearest_level_prefers_the_lower_level_on_a_tie():
    assert nearest_level(STATUS, Fraction(1, 2)).key == "partially"
    assert nearest_level(STATUS, Fraction(1), below_full=True).key == "largely"


def test_relationship_composition_follows_set_logic():
    assert compose(R.EQUIVALENT, R.SUBSET_OF) is R.SUBSET_OF
    assert compose(R.SUPERSET_OF, R.SUPERSET_OF) is R.SUPERSET_OF
    assert compose(R.SUBSET_OF, R.SUPERSET_OF) is R.RELATED_TO
    assert compose(R.SUPERSET_OF, R.INTERSECTS_WITH) is R.INTERSECTS_WITH
    assert compose(R.INTERSECTS_WITH, R.SUBSET_OF) is R.INTERSECTS_WITH
    assert compose(R.INTERSECTS_WITH, R.SUPERSET_OF) is R.RELATED_TO
    assert compose(R.INCORPORATED_INTO, R.EQUIVALENT) is R.SUBSET_OF
    assert coverage_of(R.INCORPORATES) is Coverage.FULL
    assert coverage_of(R.RELATED_TO) is Coverage.PARTIAL


def test_route_prefers_the_dataset_that_lands_on_outcomes():
    families = dataset(
        "fam", "fw-a", "fw-b", [("a1", R.RELATED_TO, "B"), ("a2", R.RELATED_TO, "B")]
    )
    route = find_route(
        [families, D1],
        "fw-a",
        "fw-b",
        outcomes={"fw-a": frozenset(A.outcomes), "fw-b": frozenset(B.outcomes)},
    )
    assert route.dataset_keys == ("d1",)


def test_routes_that_do_not_exist_or_do_not_chain_are_refused():
    with pytest.raises(NotFound, match="no crosswalk leads from fw-a to fw-x"):
        find_route([D1, D2], "fw-a", "fw-x")
    with pytest.raises(InputRefused, match="already on fw-a"):
        find_route([D1], "fw-a", "fw-a")
    with pytest.raises(InputRefused, match="but the chain is at fw-a"):
        route_through([D1, D2], "fw-a", "fw-c", ["d2"])
    with pytest.raises(InputRefused, match="lead to fw-b, not to fw-c"):
        route_through([D1, D2], "fw-a", "fw-c", ["d1"])
    with pytest.raises(NotFound, match="no crosswalk dataset 'nope'"):
        route_through([D1], "fw-a", "fw-b", ["nope"])
    assert route_through([D1, D2], "fw-c", "fw-a", ["d2", "d1"]).dataset_keys == ("d2", "d1")


def test_apply_writes_accepted_levels_and_keeps_what_is_not_chosen():
    t = run()
    onto = Profile(name="Target", framework="fw-b", scale=STATUS).with_rating(
        "b5", Side.CURRENT, "fully"
    )
    chosen = {"b1": (STATUS.level("largely"), None), "b3": (None, None)}
    out = apply_transfer(t, onto, choices=chosen)
    assert out.entry("b1").current.key == "largely"  # edited by the reviewer
    assert out.entry("b3").current is None  # accepted without a value: nothing written
    assert out.entry("b5").current.key == "fully"  # not chosen: untouched
    assert "via d1" in out.entry("b1").notes and "a1" in out.entry("b1").notes
    everything = apply_transfer(t, Profile(name="Draft", framework="fw-b"))
    assert everything.entry("b6").current.key == "partially"


def test_apply_refuses_another_framework_or_a_foreign_level():
    t = run()
    with pytest.raises(InputRefused, match="not on fw-b"):
        apply_transfer(t, Profile(name="X", framework="fw-a"))
    onto = Profile(name="T", framework="fw-b", scale=MATURITY)
    with pytest.raises(InputRefused, match="maturity"):
        apply_transfer(t, onto, choices={"b1": (STATUS.level("fully"), None)})
    with pytest.raises(InputRefused, match="proposes nothing"):
        apply_transfer(t, Profile(name="T", framework="fw-b"), choices={"b99": (None, None)})
