"""Profiles are immutable values; Community Profiles hold targets only."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.profiles import (
    MATURITY,
    Action,
    Implementation,
    OutcomeEntry,
    Priority,
    Profile,
    ProfileKind,
    Side,
    Tier,
    TierRating,
    Tiers,
)


def test_editing_returns_a_new_profile_and_leaves_the_old_one_alone():
    before = Profile("P")
    after = before.with_rating("GV.OC-01", Side.CURRENT, "largely")
    assert before.entry("GV.OC-01") is None
    assert after.entry("GV.OC-01").current.key == "largely"
    assert after.with_rating("GV.OC-01", Side.CURRENT, None).entry("GV.OC-01").current is None


def test_outcomes_cannot_be_changed_in_place():
    p = Profile("P").with_rating("GV.OC-01", Side.CURRENT, "fully")
    with pytest.raises(TypeError):
        p.outcomes["GV.OC-02"] = OutcomeEntry("GV.OC-02")  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "Other"  # type: ignore[misc]


def test_a_snapshot_never_changes():
    snap = Profile("P").snapshot_of(datetime(2025, 3, 31, 17, 0, tzinfo=UTC), "Q1")
    assert snap.is_snapshot and snap.snapshot.label == "Q1"
    with pytest.raises(ConflictError, match="snapshots never change"):
        snap.with_rating("GV.OC-01", Side.CURRENT, "fully")
    with pytest.raises(ConflictError):
        snap.replace(name="Renamed")


def test_a_snapshot_needs_a_time_zone():
    with pytest.raises(ValueError, match="time zone"):
        Profile("P").snapshot_of(datetime(2025, 3, 31, 17, 0))


def test_a_rating_must_be_a_level_of_the_profiles_scale():
    status_level = Profile("S").with_rating("GV.OC-01", Side.CURRENT, "fully").entry("GV.OC-01")
    with pytest.raises(InputRefused) as exc:
        Profile("M", scale=MATURITY, outcomes={"GV.OC-01": status_level})
    assert (exc.value.element, exc.value.field) == ("GV.OC-01", "current")
    with pytest.raises(InputRefused, match="not a level of the 'maturity' scale"):
        Profile("M", scale=MATURITY).with_rating("GV.OC-01", Side.TARGET, "fully")


def test_a_community_profile_refuses_current_content():
    target_only = OutcomeEntry(
        "GV.OC-01",
        priority=Priority.HIGH,
        target_details=Implementation(policies="Board-approved policy"),
    )
    Profile("C", kind=ProfileKind.COMMUNITY, outcomes={"GV.OC-01": target_only})
    for current in (
        dataclasses.replace(target_only, current_priority=Priority.LOW),
        dataclasses.replace(target_only, current_details=Implementation(roles="CISO")),
    ):
        with pytest.raises(InputRefused, match="holds targets only") as exc:
            Profile("C", kind=ProfileKind.COMMUNITY, outcomes={"GV.OC-01": current})
        assert exc.value.element == "GV.OC-01"
    with pytest.raises(InputRefused, match="target Tiers only") as exc:
        Profile(
            "C",
            kind=ProfileKind.COMMUNITY,
            tiers=Tiers(governance=TierRating(current=Tier.PARTIAL)),
        )
    assert exc.value.field == "tiers.governance.current"


def test_action_ids_are_unique_and_actions_need_a_title_and_an_outcome():
    with pytest.raises(InputRefused, match="used twice"):
        Profile("P", actions=(Action("A-1", "x", ("GV.OC-01",)), Action("A-1", "y", ("GV.OC-02",))))
    with pytest.raises(InputRefused, match="needs a title"):
        Action("A-1", " ", ("GV.OC-01",))
    with pytest.raises(InputRefused, match="at least one outcome"):
        Action("A-1", "x", ())
    with pytest.raises(InputRefused, match="must be 1-64 letters"):
        Action("A 1", "x", ("GV.OC-01",))


def test_tier_labels():
    assert [(t.value, t.label) for t in Tier] == [
        (1, "Partial"),
        (2, "Risk Informed"),
        (3, "Repeatable"),
        (4, "Adaptive"),
    ]


def test_priority_weights():
    assert [(p.value, p.weight) for p in Priority] == [("high", 3), ("medium", 2), ("low", 1)]
