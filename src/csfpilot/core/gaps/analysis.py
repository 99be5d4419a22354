"""Gap analysis: how far each outcome's Current Profile is from its Target.

For one outcome the gap is ``target score − current score``, floored at 0:
being ahead of target on one outcome is not a gap and never offsets another.
An outcome has a gap only when it is included and rated on an applicable
level on both sides; otherwise it is listed as *not comparable* (not assessed
on one side, or not applicable), never as a gap of 0 or 1.

A Category's or Function's gap is the weighted mean of the gaps of the
comparable outcomes beneath it, with the same weights as the profile's
roll-up (:mod:`csfpilot.core.scoring.rollup`), so a group's gap reads on the
same 0–100 scale as its scores.

Outcomes with a gap are ordered the way the action plan works them: by
priority weight (high 3, medium 2, low 1, unset 1) × gap, largest first, ties
by outcome id (ascending string).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from csfpilot.core.profiles.framework import OutcomeFramework
from csfpilot.core.profiles.model import OutcomeEntry, Priority, Profile, priority_weight
from csfpilot.core.profiles.scales import Level
from csfpilot.core.scoring.rollup import PROFILE_LEVEL, outcome_weight, percent

_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class OutcomeGap:
    """One comparable outcome: its two ratings, its gap and its plan rank."""

    outcome: str
    current: Level
    target: Level
    priority: Priority | None
    owner: str = ""
    # Worked out once: pages and the plan read each outcome's gap many times, and
    # Fraction arithmetic is what a 106-outcome analysis spends most of its time on.
    gap: Fraction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        difference = self.target_score - self.current_score
        object.__setattr__(self, "gap", difference if difference > 0 else _ZERO)

    @property
    def current_score(self) -> Fraction:
        return self.current.score  # type: ignore[return-value]

    @property
    def target_score(self) -> Fraction:
        return self.target.score  # type: ignore[return-value]

    @property
    def weight(self) -> int:
        return priority_weight(self.priority)

    @property
    def rank(self) -> Fraction:
        """Priority weight × gap: what orders the action plan."""
        return self.weight * self.gap


def plan_order_key(g: OutcomeGap) -> tuple[Fraction, str]:
    """Largest rank first; ties by outcome id, ascending as strings."""
    return (-g.rank, g.outcome)


@dataclass(frozen=True, slots=True)
class GroupGap:
    """The gap of the profile or of one group, with what it rests on."""

    code: str
    level: str
    title: str
    gap: Fraction | None  # None when no outcome beneath is comparable
    comparable: int  # included outcomes rated applicable on both sides
    with_gap: int  # of which below target
    not_comparable: int  # included outcomes missing a rating or not applicable

    @property
    def percent(self) -> float | None:
        return percent(self.gap)


@dataclass(frozen=True)
class GapAnalysis:
    """Per-outcome and per-group gaps of one profile."""

    outcomes: tuple[OutcomeGap, ...]  # every comparable outcome, in action-plan order
    profile: GroupGap
    groups: tuple[GroupGap, ...]  # document order
    not_comparable: tuple[str, ...]  # included outcomes, document order

    def with_gap(self) -> tuple[OutcomeGap, ...]:
        """The outcomes below target, in action-plan order."""
        return tuple(g for g in self.outcomes if g.gap > 0)

    def outcome(self, code: str) -> OutcomeGap | None:
        return next((g for g in self.outcomes if g.outcome == code), None)

    def group(self, code: str) -> GroupGap:
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(code)

    def at_level(self, level: str) -> tuple[GroupGap, ...]:
        return tuple(g for g in self.groups if g.level == level)


def _comparable(entry: OutcomeEntry) -> OutcomeGap | None:
    if not entry.included or entry.current is None or entry.target is None:
        return None
    if not (entry.current.applicable and entry.target.applicable):
        return None
    return OutcomeGap(entry.outcome, entry.current, entry.target, entry.priority, entry.owner)


def _comparable_outcomes(
    profile: Profile, framework: OutcomeFramework
) -> tuple[dict[str, OutcomeGap], list[str]]:
    gaps: dict[str, OutcomeGap] = {}
    not_comparable: list[str] = []
    for code in framework.outcomes:
        entry = profile.outcomes.get(code)
        if entry is None or not entry.included:
            continue
        found = _comparable(entry)
        if found is None:
            not_comparable.append(code)
        else:
            gaps[code] = found
    return gaps, not_comparable


class _GroupGaps:
    """Works out groups' gaps from one profile's comparable outcomes."""

    def __init__(self, profile: Profile, gaps: dict[str, OutcomeGap], missing: set[str]):
        self.gaps = gaps
        self.missing = missing
        self.weight_of = {c: outcome_weight(profile.outcomes[c], profile.rollup) for c in gaps}

    def __call__(self, code: str, level: str, title: str, outcomes: tuple[str, ...]) -> GroupGap:
        # Weights are summed per distinct gap first: a scale has a handful of levels, so
        # a group needs a few Fraction operations instead of one per outcome.
        weight_per_gap: dict[Fraction, int] = {}
        weights = 0
        with_gap = 0
        comparable = 0
        for c in outcomes:
            g = self.gaps.get(c)
            if g is None:
                continue
            comparable += 1
            w = self.weight_of[c]
            weight_per_gap[g.gap] = weight_per_gap.get(g.gap, 0) + w
            weights += w
            with_gap += g.gap > 0
        total = sum((gap * w for gap, w in weight_per_gap.items()), _ZERO)
        return GroupGap(
            code,
            level,
            title,
            total / weights if weights else None,
            comparable,
            with_gap,
            sum(1 for c in outcomes if c in self.missing),
        )


def analyse_gaps(profile: Profile, framework: OutcomeFramework) -> GapAnalysis:
    """Gaps of every included outcome of ``framework`` and of every group above them."""
    gaps, not_comparable = _comparable_outcomes(profile, framework)
    group_gap = _GroupGaps(profile, gaps, set(not_comparable))
    groups = tuple(
        group_gap(
            g.code, g.level, framework.text(g.code) or g.title, framework.outcomes_under(g.code)
        )
        for g in framework.groups
    )
    top = group_gap(profile.name, PROFILE_LEVEL, profile.name, framework.outcomes)
    ordered = tuple(sorted(gaps.values(), key=plan_order_key))
    return GapAnalysis(ordered, top, groups, tuple(not_comparable))


def profile_gap(profile: Profile, framework: OutcomeFramework) -> GroupGap:
    """The profile's own gap, as :func:`analyse_gaps` gives it, without the groups' work.

    Lists of many profiles show only this figure.
    """
    gaps, not_comparable = _comparable_outcomes(profile, framework)
    group_gap = _GroupGaps(profile, gaps, set(not_comparable))
    return group_gap(profile.name, PROFILE_LEVEL, profile.name, framework.outcomes)
