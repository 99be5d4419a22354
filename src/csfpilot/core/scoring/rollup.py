"""Scores: from one outcome's rating up to Categories, Functions and the Profile.

An outcome's score on one side is the normalized score of its level (0..1).
A group's score is the weighted mean of the scores of the included, rated,
applicable outcomes beneath it — at every level the mean is taken over the
outcomes themselves, never over the child groups' means. With the default
``equal`` roll-up every outcome weighs 1, so a Function with 31 rated outcomes
is the plain mean of those 31 scores however they split into Categories.

An included outcome with no rating on a side is *not assessed* on that side:
it is counted, and it never enters a mean (it is not a zero). An outcome rated
not applicable is counted as such and also stays out of the mean, so it never
changes the weight of the others. When nothing beneath a group is assessed,
its score is ``None`` (shown as "not assessed"), not 0.

Scores are exact fractions; :func:`percent` turns one into the 0–100 number
people read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from csfpilot.core.profiles.framework import OutcomeFramework
from csfpilot.core.profiles.model import OutcomeEntry, Profile, Side, priority_weight
from csfpilot.core.profiles.scales import RollUp

PROFILE_LEVEL = "profile"


def percent(score: Fraction | None, digits: int = 2) -> float | None:
    """A 0..1 score shown on 0–100, rounded half to even at ``digits`` places."""
    if score is None:
        return None
    return round(float(score * 100), digits)


def outcome_score(entry: OutcomeEntry, side: Side) -> Fraction | None:
    """The normalized score of one side, or None (not assessed or not applicable)."""
    level = entry.rating(side)
    return None if level is None else level.score


def outcome_weight(entry: OutcomeEntry, rollup: RollUp) -> int:
    """How much an outcome counts in every mean above it."""
    if rollup is RollUp.PRIORITY:
        return priority_weight(entry.priority)
    return 1


@dataclass(frozen=True, slots=True)
class SideScore:
    """One side (current or target) of a node: its score and what it rests on."""

    score: Fraction | None
    assessed: int  # included outcomes rated on an applicable level
    not_assessed: int  # included outcomes with no rating on this side
    not_applicable: int  # included outcomes rated not applicable

    @property
    def percent(self) -> float | None:
        return percent(self.score)


@dataclass(frozen=True, slots=True)
class NodeScore:
    """The scores of the profile or of one group (a Function, a Category)."""

    code: str  # the group id; the profile's name for the profile row
    level: str  # "profile", or a group level such as "function" / "category"
    title: str
    outcomes: int  # framework outcomes beneath the node
    included: int  # of which included in the profile
    current: SideScore
    target: SideScore

    def side(self, side: Side) -> SideScore:
        return self.current if side is Side.CURRENT else self.target


@dataclass(frozen=True)
class ProfileScores:
    """Every score of a profile: the profile row and one row per group, in document order."""

    profile: NodeScore
    groups: tuple[NodeScore, ...]

    def group(self, code: str) -> NodeScore:
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(code)

    def at_level(self, level: str) -> tuple[NodeScore, ...]:
        return tuple(g for g in self.groups if g.level == level)

    def top_level(self) -> tuple[NodeScore, ...]:
        """The framework's top groups (CSF Functions, SP 800-53 families...).

        Groups are in document order, each before those beneath it, so the first
        group is always at the top level.
        """
        return self.at_level(self.groups[0].level) if self.groups else ()


def _side(entries: list[OutcomeEntry], side: Side, rollup: RollUp) -> SideScore:
    # Weights are summed per distinct score first: a scale has a handful of levels, so a
    # mean takes a few Fraction operations instead of one per outcome.
    weight_per_score: dict[Fraction, int] = {}
    weights = 0
    assessed = not_assessed = not_applicable = 0
    for entry in entries:
        level = entry.rating(side)
        if level is None:
            not_assessed += 1
        elif level.score is None:
            not_applicable += 1
        else:
            assessed += 1
            w = outcome_weight(entry, rollup)
            weight_per_score[level.score] = weight_per_score.get(level.score, 0) + w
            weights += w
    total = sum((score * w for score, w in weight_per_score.items()), Fraction(0))
    score = total / weights if weights else None
    return SideScore(score, assessed, not_assessed, not_applicable)


def _node(
    code: str, level: str, title: str, outcomes: Iterable[str], profile: Profile
) -> NodeScore:
    codes = list(outcomes)
    entries = [e for c in codes if (e := profile.outcomes.get(c)) is not None and e.included]
    return NodeScore(
        code=code,
        level=level,
        title=title,
        outcomes=len(codes),
        included=len(entries),
        current=_side(entries, Side.CURRENT, profile.rollup),
        target=_side(entries, Side.TARGET, profile.rollup),
    )


def score_profile(profile: Profile, framework: OutcomeFramework) -> ProfileScores:
    """Score a profile on both sides at every level of ``framework``.

    Entries for ids the framework does not have are ignored here; refuse them
    first with :func:`~csfpilot.core.profiles.check_profile`.
    """
    top = _node(profile.name, PROFILE_LEVEL, profile.name, framework.outcomes, profile)
    groups = tuple(
        _node(
            g.code,
            g.level,
            framework.text(g.code) or g.title,
            framework.outcomes_under(g.code),
            profile,
        )
        for g in framework.groups
    )
    return ProfileScores(top, groups)


def score_total(profile: Profile, framework: OutcomeFramework) -> NodeScore:
    """The profile's own score, as :func:`score_profile` gives it, without the groups' work.

    Lists of many profiles show only this figure.
    """
    return _node(profile.name, PROFILE_LEVEL, profile.name, framework.outcomes, profile)
