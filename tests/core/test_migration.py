"""The CSF 1.1 → 2.0 migration rule, on NIST's own relationships as shipped."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import (
    MATURITY,
    STATUS,
    OutcomeEntry,
    OutcomeFramework,
    Priority,
    Profile,
    Side,
)
from csfpilot.core.profiles.migration import (
    CSF_1_1,
    Feed,
    Route,
    draft_profile,
    migration_routes,
    propose,
    weakest_link,
)
from csfpilot.formats.native.reference import bundled_reference
from csfpilot.formats.nist.csf11 import read_csf11_workbook
from csfpilot.formats.nist.shipped import CSF_1_1_WORKBOOK, shipped_file


@cache
def csf11() -> OutcomeFramework:
    return OutcomeFramework.from_catalog(
        read_csf11_workbook(shipped_file(CSF_1_1_WORKBOOK)).catalogs[0]
    )


@cache
def routes() -> dict[str, tuple[Feed, ...]]:
    nist = bundled_reference()
    return migration_routes(csf11(), nist.framework, nist.withdrawals)


def assessment(ratings: dict[str, tuple[object, object]], scale=STATUS) -> Profile:
    return Profile(
        name="Plant 2019",
        framework=CSF_1_1,
        scale=scale,
        outcomes={
            code: OutcomeEntry(
                code,
                current=None if cur is None else scale.level(cur),
                target=None if tgt is None else scale.level(tgt),
            )
            for code, (cur, tgt) in ratings.items()
        },
    )


def test_routes_follow_nists_relationships():
    r = routes()
    assert r["ID.AM-01"] == (Feed("ID.AM-1", Route.KEPT),)
    assert r["GV.OC-01"] == (
        Feed("ID.BE-2", Route.INCORPORATED_INTO),
        Feed("ID.BE-3", Route.INCORPORATED_INTO),
    )
    assert r["PR.AA-01"] == (Feed("PR.AC-1", Route.INCORPORATED_INTO),)
    # Outcomes new in CSF 2.0 have no route at all.
    assert "GV.OV-01" not in r and "GV.RR-01" not in r and "ID.IM-01" not in r
    assert len(r) == 86
    assert sum(len(v) for v in r.values()) == 151


def test_weakest_link_where_several_feed_one():
    plan = propose(
        assessment({"ID.BE-2": ("fully", "fully"), "ID.BE-3": ("partially", "largely")}),
        bundled_reference().framework,
        routes(),
    )
    current = plan.proposal("GV.OC-01", Side.CURRENT)
    assert current.level.key == "partially"
    assert current.decided_by == ("ID.BE-3",)
    assert current.explanation() == (
        "weakest link of ID.BE-2 (incorporated into), ID.BE-3 (incorporated into): ID.BE-3"
    )
    assert plan.proposal("GV.OC-01", Side.TARGET).level.key == "largely"


def test_new_outcomes_and_unrated_sources_stay_not_assessed():
    plan = propose(
        assessment({"ID.AM-1": ("largely", None)}), bundled_reference().framework, routes()
    )
    assert plan.proposal("ID.AM-01", Side.CURRENT).level.key == "largely"
    assert plan.proposal("ID.AM-01", Side.TARGET).level is None
    gv = plan.proposal("GV.OV-01", Side.CURRENT)
    assert gv.level is None and gv.sources == ()
    assert gv.explanation() == "new in CSF 2.0: no CSF 1.1 outcome feeds it; left not assessed"
    assert plan.proposal("ID.AM-02", Side.CURRENT).explanation() == (
        "from ID.AM-2 (kept as): none of them is rated; left not assessed"
    )
    assert len(plan.rated()) == 1


def test_not_applicable_drops_out_unless_every_rated_source_is():
    framework = bundled_reference().framework
    mixed = propose(
        assessment({"ID.BE-2": ("na", "na"), "ID.BE-3": ("partially", None)}), framework, routes()
    )
    assert mixed.proposal("GV.OC-01", Side.CURRENT).level.key == "partially"
    assert mixed.proposal("GV.OC-01", Side.TARGET).level.key == "na"


def test_draft_takes_decisions_and_explains_in_notes():
    framework = bundled_reference().framework
    source = assessment({"ID.BE-2": ("fully", "fully"), "ID.BE-3": ("partially", "fully")})
    source = source.with_entry(
        OutcomeEntry("ID.BE-3", current=STATUS.level("partially"), priority=Priority.HIGH)
    )
    plan = propose(source, framework, routes())
    draft = draft_profile(
        plan,
        name="Plant 2025",
        decisions={("GV.OC-01", Side.CURRENT): STATUS.level("largely")},
    )
    entry = draft.entry("GV.OC-01")
    assert draft.framework == "csf-2.0" and len(draft.outcomes) == 106
    assert entry.current.key == "largely"
    assert entry.target.key == "fully"
    assert entry.priority is Priority.HIGH
    assert entry.notes.startswith("Carried from CSF 1.1: weakest link of ID.BE-2")
    assert draft.entry("GV.OV-01").current is None
    assert draft.based_on == "Plant 2019 (CSF 1.1)"


def test_a_csf20_profile_is_refused():
    with pytest.raises(InputRefused, match=r"a migration starts from a csf-1\.1 assessment"):
        propose(Profile(name="x"), bundled_reference().framework, routes())


def test_a_decision_off_the_scale_is_refused():
    plan = propose(assessment({}), bundled_reference().framework, routes())
    with pytest.raises(InputRefused, match="not a level of the 'status' scale"):
        draft_profile(plan, name="x", decisions={("ID.AM-01", Side.TARGET): MATURITY.level(3)})


levels = st.sampled_from([None, *MATURITY.levels])


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(csf11().outcomes), st.tuples(levels, levels), max_size=40))
def test_property_never_invented_and_weakest(ratings):
    source = Profile(
        name="p",
        framework=CSF_1_1,
        scale=MATURITY,
        outcomes={c: OutcomeEntry(c, current=a, target=b) for c, (a, b) in ratings.items()},
    )
    plan = propose(source, bundled_reference().framework, routes())
    for p in plan.proposals:
        rated = [s.level for s in p.sources if s.level is not None]
        if not rated:
            assert p.level is None
            continue
        assert p.level in rated
        applicable = [lv for lv in rated if lv.score is not None]
        if applicable:
            assert p.level.score == min(lv.score for lv in applicable)
        else:
            assert p.level.score is None


@given(st.lists(st.sampled_from([None, *STATUS.levels]), max_size=6))
def test_property_weakest_link_is_one_of_its_inputs(values):
    found = weakest_link(values)
    assert (found is None) == all(v is None for v in values)
    if found is not None:
        assert found in values
