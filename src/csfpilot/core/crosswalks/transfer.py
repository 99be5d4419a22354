"""Transfer an assessment to another framework: one explained proposal per target outcome.

Given a profile's ratings on its own framework and a :class:`~.routes.Route`
(one crosswalk dataset or a chain), :func:`transfer_profile` gives, for every
outcome of the target framework the crosswalk reaches, for each side
(Current, Target):

- the **sources**: the assessed outcomes behind it, each with its rating, the
  relationship path that links them (composed along a chain, see
  :mod:`.relations`) and the datasets used; when several paths join the same
  source and target, the closest relationship is kept;
- the **coverage**: *full* when at least one rated source covers the target
  (equivalent, or a superset), *partial* when only subsets, intersections or
  plain references lead there, *none* when no source behind it is rated;
- the **proposed level** on the target profile's scale.

Rules, each a decision a reviewer can check:

1. An unrated source never produces a rating; a target whose sources are all
   unrated gets no proposal.
2. Ratings travel as the scale's normalized score (0..1), so profiles on
   different scales (implementation status, 0–5 maturity, a custom scale)
   exchange results; the proposal is the target level nearest to the
   combined score, the lower one on a tie.
3. A partial contribution counts at most as the highest level short of full
   on the target scale: a target that only partial sources speak for is
   never proposed as fully achieved.
4. Several sources into one target combine by a rule named in the result:
   ``weakest`` (the default; the lowest score, since the target is only as
   achieved as its weakest part), ``average`` or ``strongest``.
5. Sources rated not applicable stay out of the combination; when every
   rated source is not applicable and one covers the target in full, the
   proposal is the target scale's not-applicable level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from csfpilot.core.catalog.relationships import Relationship
from csfpilot.core.crosswalks.relations import (
    STRENGTH,
    Coverage,
    as_set,
    compose,
    coverage_of,
    is_usable,
)
from csfpilot.core.crosswalks.routes import Route
from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles.framework import OutcomeFramework
from csfpilot.core.profiles.model import OutcomeEntry, Profile, Side
from csfpilot.core.profiles.scales import Level, Scale


class CombineRule(StrEnum):
    """How the scores of several sources into one target combine."""

    WEAKEST = "weakest"
    AVERAGE = "average"
    STRONGEST = "strongest"

    @property
    def label(self) -> str:
        return {"weakest": "weakest link", "average": "average", "strongest": "strongest"}[
            self.value
        ]

    def combine(self, scores: list[Fraction]) -> Fraction:
        if self is CombineRule.WEAKEST:
            return min(scores)
        if self is CombineRule.STRONGEST:
            return max(scores)
        return sum(scores, Fraction(0)) / len(scores)


@dataclass(frozen=True, slots=True)
class Step:
    """One row crossed on the way: ``source`` *relationship* ``target`` in ``dataset``."""

    dataset: str
    source: str
    relationship: Relationship
    target: str


@dataclass(frozen=True, slots=True)
class Contribution:
    """One assessed outcome behind a target: its ratings and how it leads there."""

    source: str
    current: Level | None
    target: Level | None
    relationship: Relationship  # composed along the path, as a set relation
    path: tuple[Step, ...]

    @property
    def coverage(self) -> Coverage:
        return coverage_of(self.relationship)

    def level(self, side: Side) -> Level | None:
        return self.current if side is Side.CURRENT else self.target

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.dataset for s in self.path))


@dataclass(frozen=True, slots=True)
class SideProposal:
    """The proposal for one side: a level on the target scale (or none) and its grounds."""

    level: Level | None
    score: Fraction | None  # the combined normalized score before it was snapped to a level
    coverage: Coverage
    rated: int  # sources rated on this side
    capped: bool = False  # a partial contribution was held below full


@dataclass(frozen=True, slots=True)
class Proposal:
    """Everything proposed for one target outcome, with the sources it rests on."""

    outcome: str
    contributions: tuple[Contribution, ...]
    current: SideProposal
    target: SideProposal

    def side(self, side: Side) -> SideProposal:
        return self.current if side is Side.CURRENT else self.target

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d for c in self.contributions for d in c.datasets))

    @property
    def coverage(self) -> Coverage:
        """The better of the two sides' coverage (what the row shows first)."""
        sides = {self.current.coverage, self.target.coverage}
        for c in (Coverage.FULL, Coverage.PARTIAL):
            if c in sides:
                return c
        return Coverage.NONE


@dataclass(frozen=True)
class Transfer:
    """A whole transfer: what went in, how it was combined, and one proposal per target."""

    source_profile: str
    source_framework: str
    target_framework: str
    route: Route
    rule: CombineRule
    source_scale: Scale
    target_scale: Scale
    proposals: tuple[Proposal, ...]
    not_assessable: tuple[str, ...]  # target ids the crosswalk names that are no outcome there

    @property
    def datasets(self) -> tuple[str, ...]:
        return self.route.dataset_keys

    def proposal(self, outcome: str) -> Proposal | None:
        return next((p for p in self.proposals if p.outcome == outcome), None)

    def counts(self) -> dict[str, int]:
        """How many target outcomes got a proposal, by coverage (either side)."""
        out = {"reached": len(self.proposals), "full": 0, "partial": 0, "none": 0, "proposed": 0}
        for p in self.proposals:
            out[p.coverage.value] += 1
            if p.current.level is not None or p.target.level is not None:
                out["proposed"] += 1
        return out


def _ceiling(scale: Scale) -> Fraction:
    """The highest score short of full on a scale (0 when the scale has nothing between)."""
    below = [lv.score for lv in scale.levels if lv.score is not None and lv.score < 1]
    return max(below) if below else Fraction(0)


def nearest_level(scale: Scale, score: Fraction, *, below_full: bool = False) -> Level:
    """The level of ``scale`` nearest to a normalized score (the lower one on a tie).

    ``below_full`` leaves out the levels that mean fully achieved (score 1),
    unless the scale has no other.
    """
    levels = [lv for lv in scale.levels if lv.score is not None]
    if below_full:
        short = [lv for lv in levels if lv.score is not None and lv.score < 1]
        levels = short or levels
    return min(levels, key=lambda lv: (abs((lv.score or Fraction(0)) - score), lv.score))


def _not_applicable(scale: Scale) -> Level | None:
    return next((lv for lv in scale.levels if lv.score is None), None)


def _propose(
    contributions: Iterable[Contribution], side: Side, rule: CombineRule, scale: Scale
) -> SideProposal:
    rated = [c for c in contributions if c.level(side) is not None]
    if not rated:
        return SideProposal(None, None, Coverage.NONE, 0)
    applicable = [c for c in rated if (lv := c.level(side)) is not None and lv.score is not None]
    if not applicable:
        full = any(c.coverage is Coverage.FULL for c in rated)
        na = _not_applicable(scale) if full else None
        return SideProposal(na, None, Coverage.FULL if full else Coverage.PARTIAL, len(rated))
    ceiling = _ceiling(scale)
    scores: list[Fraction] = []
    capped = False
    for c in applicable:
        level = c.level(side)
        assert level is not None and level.score is not None
        score = level.score
        if c.coverage is Coverage.PARTIAL and score > ceiling:
            score, capped = ceiling, True
        scores.append(score)
    combined = rule.combine(scores)
    coverage = (
        Coverage.FULL if any(c.coverage is Coverage.FULL for c in applicable) else Coverage.PARTIAL
    )
    level = nearest_level(scale, combined, below_full=coverage is Coverage.PARTIAL)
    return SideProposal(level, combined, coverage, len(rated), capped)


_Path = tuple[Relationship, tuple["Step", ...]]


def _better(a: _Path, b: _Path) -> bool:
    """Whether path ``a`` states a closer relationship than ``b`` (shorter, then by ids)."""
    ka = (-STRENGTH[a[0]], len(a[1]), [(s.dataset, s.source, s.target) for s in a[1]])
    kb = (-STRENGTH[b[0]], len(b[1]), [(s.dataset, s.source, s.target) for s in b[1]])
    return ka < kb


def transfer_profile(
    profile: Profile,
    route: Route,
    *,
    target_framework: OutcomeFramework,
    target_scale: Scale | None = None,
    rule: CombineRule = CombineRule.WEAKEST,
) -> Transfer:
    """Propose ratings on ``target_framework`` from ``profile``'s included outcomes.

    Every included outcome of the profile is a source, rated or not: an
    unrated one still shows which targets it reaches (coverage none) but never
    yields a rating. Targets the crosswalk names that are no outcome of the
    target framework (a control family, an unknown id) are listed in
    ``not_assessable`` and get no proposal.
    """
    if route.source != profile.framework:
        raise InputRefused(
            f"the route starts at {route.source}, but the profile is on {profile.framework}",
            field="route",
        )
    if route.target != target_framework.key:
        raise InputRefused(
            f"the route ends at {route.target}, not at {target_framework.key}", field="to"
        )
    scale = target_scale or profile.scale
    # frontier: element id → origin (assessed outcome) → (relation so far, path so far)
    frontier: dict[str, dict[str, _Path]] = {
        e.outcome: {e.outcome: (Relationship.EQUIVALENT, ())} for e in profile.included()
    }
    for hop in route.hops:
        by_from: dict[str, list[tuple[str, Relationship]]] = {}
        for src, dst, rel in hop.edges():
            if is_usable(rel):
                by_from.setdefault(src, []).append((dst, rel))
        nxt: dict[str, dict[str, _Path]] = {}
        for code, origins in frontier.items():
            for dst, rel in by_from.get(code, ()):
                step = Step(hop.key, code, rel, dst)
                here = nxt.setdefault(dst, {})
                for origin, (so_far, path) in origins.items():
                    candidate = (compose(so_far, rel), (*path, step))
                    if origin not in here or _better(candidate, here[origin]):
                        here[origin] = candidate
        frontier = nxt
    proposals: list[Proposal] = []
    not_assessable: list[str] = []
    for code in sorted(frontier):
        if not target_framework.is_outcome(code):
            not_assessable.append(code)
    for code in target_framework.order(c for c in frontier if target_framework.is_outcome(c)):
        contributions = []
        for origin, (rel, path) in sorted(frontier[code].items()):
            entry = profile.outcomes[origin]
            contributions.append(
                Contribution(origin, entry.current, entry.target, as_set(rel), path)
            )
        contributions.sort(key=lambda c: (-STRENGTH[c.relationship], c.source))
        proposals.append(
            Proposal(
                code,
                tuple(contributions),
                _propose(contributions, Side.CURRENT, rule, scale),
                _propose(contributions, Side.TARGET, rule, scale),
            )
        )
    return Transfer(
        source_profile=profile.name,
        source_framework=profile.framework,
        target_framework=target_framework.key,
        route=route,
        rule=rule,
        source_scale=profile.scale,
        target_scale=scale,
        proposals=tuple(proposals),
        not_assessable=tuple(not_assessable),
    )


def explain(proposal: Proposal, transfer: Transfer) -> str:
    """One line a reviewer reads in the draft: where the proposal came from."""
    sources = "; ".join(
        f"{c.source} {_key(c.current)}/{_key(c.target)} ({c.relationship.label})"
        for c in proposal.contributions
    )
    return (
        f"Transferred from {transfer.source_profile} ({transfer.source_framework}) "
        f"via {', '.join(proposal.datasets)}; coverage {proposal.coverage.value}; "
        f"rule {transfer.rule.label}; sources (current/target): {sources}"
    )


def _key(level: Level | None) -> str:
    return "-" if level is None else str(level.key)


def apply_transfer(
    transfer: Transfer,
    onto: Profile,
    *,
    choices: Mapping[str, tuple[Level | None, Level | None]] | None = None,
    note: bool = True,
) -> Profile:
    """Write accepted proposals into ``onto`` (a profile on the target framework).

    ``choices`` maps target outcome → the (current, target) levels the
    reviewer accepted, possibly edited; ``None`` keeps every proposal as
    made. A side with no level keeps what ``onto`` already holds there, so
    nothing is cleared by a transfer. Each written entry records where its
    values came from in its notes.
    """
    if onto.framework != transfer.target_framework:
        raise InputRefused(
            f"{onto.name!r} is on {onto.framework}, not on {transfer.target_framework}",
            field="onto",
        )
    levels = set(onto.scale.levels)
    picked: dict[str, tuple[Level | None, Level | None]] = (
        dict(choices)
        if choices is not None
        else {p.outcome: (p.current.level, p.target.level) for p in transfer.proposals}
    )
    by_outcome = {p.outcome: p for p in transfer.proposals}
    entries = dict(onto.outcomes)
    for outcome, (current, target) in picked.items():
        proposal = by_outcome.get(outcome)
        if proposal is None:
            raise InputRefused("the transfer proposes nothing for this outcome", element=outcome)
        for side, level in (("current", current), ("target", target)):
            if level is not None and level not in levels:
                raise InputRefused(
                    f"{level.key!r} is not a level of the {onto.scale.key!r} scale",
                    element=outcome,
                    field=side,
                )
        entry = entries.get(outcome) or OutcomeEntry(outcome)
        changes: dict[str, object] = {"included": True}
        if current is not None:
            changes["current"] = current
        if target is not None:
            changes["target"] = target
        if note:
            line = explain(proposal, transfer)
            changes["notes"] = f"{entry.notes}\n{line}".strip() if entry.notes else line
        entries[outcome] = replace(entry, **changes)
    # One new profile, checked once, rather than one per written outcome.
    return onto.replace(outcomes=entries)
