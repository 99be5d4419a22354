"""Small frameworks and crosswalks whose transfers are computed by hand in the tests."""

from __future__ import annotations

from csfpilot.core.catalog import DatasetInfo, Mapping, MappingSet
from csfpilot.core.catalog.relationships import Relationship
from csfpilot.core.profiles import Group, OutcomeEntry, OutcomeFramework, Profile
from csfpilot.core.profiles.scales import STATUS, Scale

R = Relationship


def framework(key: str, prefix: str, n: int) -> OutcomeFramework:
    outcomes = tuple(f"{prefix}{i}" for i in range(1, n + 1))
    return OutcomeFramework(
        key,
        outcomes,
        (Group(prefix.upper(), "family", None, f"{prefix.upper()} family"),),
        {o: prefix.upper() for o in outcomes},
    )


def dataset(key: str, source: str, target: str, rows: list[tuple[str, R, str]]) -> MappingSet:
    info = DatasetInfo(key, key, "test", "1", source, target)
    return MappingSet(info, tuple(Mapping(s, t, r) for s, r, t in rows))


def profile(framework_key: str, ratings: dict[str, object], scale: Scale = STATUS) -> Profile:
    """A profile whose Current side holds ``ratings`` (None: included, not rated)."""
    entries = {
        code: OutcomeEntry(code, current=None if key is None else scale.level(key))
        for code, key in ratings.items()
    }
    return Profile(name="Source", framework=framework_key, scale=scale, outcomes=entries)
