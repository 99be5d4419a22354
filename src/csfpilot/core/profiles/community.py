"""Community Profiles as targets.

A Community Profile (NIST SP 1301, CSWP 32) is a shared Target Profile that a
sector, a supply chain or a community facing one threat publishes for its
members. In csfpilot it is an ordinary profile file with ``kind: community``
and only target columns filled. An organization derives its own Target
Profile from it: the community's targets, priorities and target details are
copied onto the organization's profile for every outcome the community
includes, and the result lists exactly what that changed.
"""

from __future__ import annotations

from dataclasses import replace

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles.changes import Change, profile_changes
from csfpilot.core.profiles.framework import OutcomeFramework
from csfpilot.core.profiles.model import Implementation, OutcomeEntry, Profile, ProfileKind
from csfpilot.core.profiles.tiers import TierRating, Tiers


def derive_target(
    community: Profile,
    base: Profile | None = None,
    *,
    name: str | None = None,
    framework: OutcomeFramework | None = None,
    keep_higher: bool = False,
) -> tuple[Profile, list[Change]]:
    """Take the targets of a Community Profile onto an organization's profile.

    ``base`` is the organization's profile (usually holding its Current
    Profile); without one a new Organizational Profile holding only targets
    is started. For each outcome the community includes, the base entry gets
    the community's target level, priority and target details, and is marked
    included (the community's rationale fills an empty one). Target details
    merge column by column: what the community fills replaces the base's,
    and the base's own policies, roles or evidence stay where it says nothing. Outcomes the
    community leaves out keep whatever the base says. Target Tiers the
    community sets replace the base's. Both profiles must share framework and
    scale: ratings on different scales do not translate. With ``keep_higher``
    an organization's own target that scores above the community's stays.

    Returns the derived profile and the changes against ``base`` (against an
    empty profile when there is no base).
    """
    if community.kind is not ProfileKind.COMMUNITY:
        raise InputRefused(
            f"{community.name!r} is an {community.kind.value} profile; a target is derived "
            "from a Community Profile (kind: community)",
            field="kind",
        )
    start = base or Profile(
        name=name or f"Target from {community.name}",
        framework=community.framework,
        scale=community.scale,
        rollup=community.rollup,
    )
    if start.framework != community.framework:
        raise InputRefused(
            f"the community profile is written for {community.framework}, "
            f"the organization's profile for {start.framework}",
            field="framework",
        )
    if start.scale != community.scale:
        raise InputRefused(
            f"the community profile rates on the {community.scale.key!r} scale and the "
            f"organization's profile on {start.scale.key!r}; ratings do not translate "
            "between scales",
            field="scale",
        )
    if base is not None and base.is_snapshot:
        start = replace(base, snapshot=None)
    entries = dict(start.outcomes)
    for code, theirs in community.outcomes.items():
        if not theirs.included:
            continue
        ours = entries.get(code) or OutcomeEntry(code)
        if keep_higher and _aims_higher(ours, theirs):
            entries[code] = replace(ours, included=True)
            continue
        entries[code] = replace(
            ours,
            included=True,
            rationale=ours.rationale or theirs.rationale,
            priority=theirs.priority if theirs.priority is not None else ours.priority,
            target=theirs.target if theirs.target is not None else ours.target,
            target_details=_merged_details(ours.target_details, theirs.target_details),
        )
    tiers = Tiers(
        governance=_target_tier(start.tiers.governance, community.tiers.governance),
        management=_target_tier(start.tiers.management, community.tiers.management),
    )
    derived = replace(
        start,
        name=name or start.name,
        kind=ProfileKind.ORGANIZATIONAL,
        based_on=community.name,
        tiers=tiers,
        outcomes=entries,
    )
    reference = base or replace(start, outcomes={}, based_on="")
    order = list(framework.outcomes) if framework is not None else None
    return derived, profile_changes(reference, derived, order=order)


def _merged_details(ours: Implementation, theirs: Implementation) -> Implementation:
    """The community's target details field by field: each column it fills replaces the
    organization's, and the organization's own policies, roles or evidence stay where the
    community says nothing."""
    return Implementation(
        **{
            name: getattr(theirs, name) or getattr(ours, name)
            for name in ("policies", "practices", "roles", "references", "evidence")
        }
    )


def _target_tier(ours: TierRating, theirs: TierRating) -> TierRating:
    if theirs.target is None:
        return ours
    return replace(ours, target=theirs.target, target_rationale=theirs.target_rationale)


def _aims_higher(ours: OutcomeEntry, theirs: OutcomeEntry) -> bool:
    mine, community = ours.target, theirs.target
    if mine is None or community is None or mine.score is None or community.score is None:
        return False
    return mine.score > community.score
