"""Deriving a Target Profile from a Community Profile."""

from __future__ import annotations

from dataclasses import replace

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import (
    MATURITY,
    Change,
    Implementation,
    OutcomeEntry,
    Priority,
    Profile,
    ProfileKind,
    Side,
    Tier,
    TierRating,
    Tiers,
    derive_target,
)


@pytest.fixture
def community() -> Profile:
    status = Profile("x").scale
    return Profile(
        "Water sector baseline",
        kind=ProfileKind.COMMUNITY,
        tiers=Tiers(governance=TierRating(target=Tier.REPEATABLE, target_rationale="Sector norm")),
        outcomes={
            "GV.OC-01": OutcomeEntry(
                "GV.OC-01",
                rationale="Mission drives every sector priority",
                priority=Priority.HIGH,
                target=status.get("fully"),
                target_details=Implementation(references=("SP 800-53: PM-11",)),
            ),
            "PR.AA-01": OutcomeEntry(
                "PR.AA-01", priority=Priority.MEDIUM, target=status.get("largely")
            ),
            "RC.RP-01": OutcomeEntry("RC.RP-01", included=False, target=status.get("fully")),
        },
    )


@pytest.fixture
def ours() -> Profile:
    p = Profile("Acme")
    p = p.with_rating("GV.OC-01", Side.CURRENT, "partially").with_rating(
        "GV.OC-01", Side.TARGET, "largely"
    )
    p = p.with_entry(replace(p.entry("GV.OC-01"), rationale="Our own reason"))
    p = p.with_rating("DE.CM-01", Side.CURRENT, "not").with_rating("DE.CM-01", Side.TARGET, "fully")
    return p


def test_targets_come_from_the_community_and_the_differences_are_listed(community, ours, csf):
    derived, changes = derive_target(community, ours, framework=csf)
    assert derived.based_on == "Water sector baseline"
    assert derived.kind is ProfileKind.ORGANIZATIONAL
    assert derived.entry("GV.OC-01").target.key == "fully"
    assert derived.entry("GV.OC-01").current.key == "partially"
    assert derived.entry("GV.OC-01").rationale == "Our own reason"
    assert derived.entry("PR.AA-01").target.key == "largely"
    assert derived.entry("DE.CM-01").target.key == "fully"  # the community is silent: kept
    assert derived.entry("RC.RP-01") is None  # the community does not include it
    assert derived.tiers.governance.target is Tier.REPEATABLE
    assert changes == [
        Change("", "based_on", "", "Water sector baseline"),
        Change("", "tiers.governance.target", None, 3),
        Change("", "tiers.governance.target_rationale", "", "Sector norm"),
        Change("GV.OC-01", "priority", None, "high"),
        Change("GV.OC-01", "target", "largely", "fully"),
        Change("GV.OC-01", "target_details.references", [], ["SP 800-53: PM-11"]),
        Change("PR.AA-01", "included", False, True),
        Change("PR.AA-01", "priority", None, "medium"),
        Change("PR.AA-01", "target", None, "largely"),
    ]


def test_without_an_organization_profile_a_target_only_profile_is_started(community, csf):
    derived, changes = derive_target(community, name="Acme target", framework=csf)
    assert derived.name == "Acme target"
    assert sorted(derived.outcomes) == ["GV.OC-01", "PR.AA-01"]
    assert derived.entry("GV.OC-01").rationale == "Mission drives every sector priority"
    assert all(e.current is None for e in derived.outcomes.values())
    assert Change("GV.OC-01", "target", None, "fully") in changes


def test_only_a_community_profile_is_a_source_of_targets(ours):
    with pytest.raises(InputRefused, match=r"is an organizational profile") as exc:
        derive_target(ours, ours)
    assert exc.value.field == "kind"


def test_ratings_on_different_scales_do_not_translate(community):
    with pytest.raises(InputRefused, match="do not translate") as exc:
        derive_target(community, Profile("Maturity based", scale=MATURITY))
    assert exc.value.field == "scale"


def test_a_different_framework_is_refused(community):
    with pytest.raises(InputRefused, match=r"written for csf-2\.0"):
        derive_target(community, Profile("Next", framework="csf-2.1"))


def test_keep_higher_keeps_an_organizations_more_ambitious_target(community, ours, csf):
    ours = ours.with_rating("PR.AA-01", Side.TARGET, "fully")
    derived, changes = derive_target(community, ours, framework=csf, keep_higher=True)
    assert derived.entry("PR.AA-01").target.key == "fully"  # above the community's largely
    assert derived.entry("GV.OC-01").target.key == "fully"  # raised from largely
    assert Change("PR.AA-01", "target", "fully", "largely") not in changes


def test_community_details_merge_field_by_field_with_the_organizations_own(community, ours, csf):
    """The community's references arrive; the organization's target policies and roles stay."""
    own = Implementation(
        policies="Information security policy §4",
        roles="CISO approves",
        references=("ISO 27001: A.5.1",),
    )
    ours = ours.with_entry(replace(ours.entry("GV.OC-01"), target_details=own))
    ours = ours.with_entry(
        replace(ours.entry("DE.CM-01"), target_details=Implementation(practices="SOC reviews"))
    )
    derived, changes = derive_target(community, ours, framework=csf)
    merged = derived.entry("GV.OC-01").target_details
    assert merged == Implementation(
        policies="Information security policy §4",
        roles="CISO approves",
        references=("SP 800-53: PM-11",),
    )
    # Outcomes the community gives no details for keep the organization's whole block.
    assert derived.entry("DE.CM-01").target_details == Implementation(practices="SOC reviews")
    assert [c for c in changes if c.field.startswith("target_details")] == [
        Change("GV.OC-01", "target_details.references", ["ISO 27001: A.5.1"], ["SP 800-53: PM-11"])
    ]
