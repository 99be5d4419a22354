"""Carrying a CSF 1.1 assessment into a CSF 2.0 draft profile.

CSF 2.0 kept most CSF 1.1 Subcategories under the same id (``ID.AM-1`` is
``ID.AM-01``), and withdrew the others, each *moved to* or *incorporated
into* one or more CSF 2.0 outcomes — NIST's own relationships, loaded with
the Core (dataset ``csf-1.1-to-csf-2.0-withdrawals``). Those are the
**routes**: for each CSF 2.0 outcome, the CSF 1.1 outcomes that feed it.

The rule that proposes a CSF 2.0 rating, side by side (current and target):

- **Weakest link.** Several CSF 1.1 outcomes feeding one CSF 2.0 outcome
  give it the lowest of their ratings: the new outcome is achieved only as
  far as every part it absorbed is. A not-applicable rating drops out; when
  every rated source is not applicable, so is the proposal.
- **Never invented.** No rating is proposed where no source is rated.
  Outcomes that no CSF 1.1 outcome feeds (most of the new Govern Function)
  stay *not assessed*.
- The target priority is the highest priority among the sources, so a
  priority the organization set is never lowered by the move.

Every proposal says which CSF 1.1 ids it came from and by which relationship;
nothing here stores anything. The person accepts or changes each proposal,
and :func:`draft_profile` builds the CSF 2.0 profile from the decisions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import CSF_2_0, csf11_canonical
from csfpilot.core.profiles.checks import WithdrawalIndex
from csfpilot.core.profiles.framework import OutcomeFramework
from csfpilot.core.profiles.model import OutcomeEntry, Priority, Profile, Side
from csfpilot.core.profiles.scales import Level

CSF_1_1 = "csf-1.1"


class Route(StrEnum):
    """How a CSF 1.1 outcome reached a CSF 2.0 outcome."""

    KEPT = "kept"  # same outcome, id now zero-padded
    MOVED_TO = "moved_to"
    INCORPORATED_INTO = "incorporated_into"

    @property
    def label(self) -> str:
        return {
            "kept": "kept as",
            "moved_to": "moved to",
            "incorporated_into": "incorporated into",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Feed:
    """One CSF 1.1 outcome feeding a CSF 2.0 outcome."""

    source: str  # CSF 1.1 id, as NIST spells it (``ID.BE-2``)
    route: Route


def migration_routes(
    old: OutcomeFramework, new: OutcomeFramework, withdrawals: WithdrawalIndex
) -> dict[str, tuple[Feed, ...]]:
    """For each outcome of ``new``, the outcomes of ``old`` that feed it, in ``old``'s order.

    A withdrawn outcome follows NIST's relationships; any other outcome goes to
    the outcome of ``new`` with the same id in CSF 2.0's spelling. Routes to an
    id ``new`` does not assess (a Category) are left out.
    """
    feeds: dict[str, list[Feed]] = {}
    for source in old.outcomes:
        moves = withdrawals.lookup(source)
        if moves:
            for move in moves:
                if new.is_outcome(move.target):
                    route = Route(move.relation.value)
                    feeds.setdefault(move.target, []).append(Feed(source, route))
            continue
        kept = _csf20_spelling(source)
        if kept is not None and new.is_outcome(kept):
            feeds.setdefault(kept, []).append(Feed(source, Route.KEPT))
    return {code: tuple(feeds[code]) for code in new.outcomes if code in feeds}


def _csf20_spelling(code: str) -> str | None:
    canonical = csf11_canonical(code)
    if canonical is None or "-" not in canonical:
        return None
    head, number = canonical.rsplit("-", 1)
    return f"{head}-{int(number):02d}"


def weakest_link(levels: Iterable[Level | None]) -> Level | None:
    """The lowest applicable rating; not applicable when every rated one is; None when none is
    rated."""
    rated = [lv for lv in levels if lv is not None]
    applicable = [lv for lv in rated if lv.score is not None]
    if applicable:
        return min(applicable, key=lambda lv: lv.score)  # type: ignore[arg-type,return-value]
    return rated[0] if rated else None


@dataclass(frozen=True, slots=True)
class SourceRating:
    """What the CSF 1.1 assessment said about one feeding outcome, on one side."""

    feed: Feed
    level: Level | None


@dataclass(frozen=True, slots=True)
class Proposal:
    """The proposed rating of one CSF 2.0 outcome on one side, with its reasons."""

    outcome: str
    side: Side
    level: Level | None
    sources: tuple[SourceRating, ...]

    @property
    def decided_by(self) -> tuple[str, ...]:
        """The CSF 1.1 ids whose rating is the proposal (the weakest links)."""
        if self.level is None:
            return ()
        return tuple(s.feed.source for s in self.sources if s.level == self.level)

    def explanation(self) -> str:
        """One line for a person: where the proposal comes from and why."""
        routes = ", ".join(f"{s.feed.source} ({s.feed.route.label})" for s in self.sources)
        if not self.sources:
            return "new in CSF 2.0: no CSF 1.1 outcome feeds it; left not assessed"
        if self.level is None:
            return f"from {routes}: none of them is rated; left not assessed"
        if len(self.sources) == 1:
            return f"from {routes}"
        return f"weakest link of {routes}: {', '.join(self.decided_by)}"


@dataclass(frozen=True)
class MigrationPlan:
    """Every proposal for a CSF 1.1 assessment, outcome by outcome in CSF 2.0 order."""

    assessment: Profile
    framework: OutcomeFramework
    proposals: tuple[Proposal, ...]
    priorities: Mapping[str, Priority]
    unrouted: tuple[str, ...]  # rated CSF 1.1 ids that feed no CSF 2.0 outcome

    def proposal(self, outcome: str, side: Side) -> Proposal | None:
        return next((p for p in self.proposals if p.outcome == outcome and p.side is side), None)

    def rated(self) -> list[Proposal]:
        return [p for p in self.proposals if p.level is not None]


def propose(
    assessment: Profile,
    new: OutcomeFramework,
    routes: Mapping[str, Sequence[Feed]],
) -> MigrationPlan:
    """Propose a rating for every outcome of ``new`` from a CSF 1.1 assessment."""
    if assessment.framework != CSF_1_1:
        raise InputRefused(
            f"the assessment is written for {assessment.framework}; a migration starts from "
            f"a {CSF_1_1} assessment",
            field="framework",
        )
    proposals: list[Proposal] = []
    priorities: dict[str, Priority] = {}
    fed: set[str] = set()
    for outcome in new.outcomes:
        feeds = tuple(routes.get(outcome, ()))
        entries = [(f, assessment.entry(f.source)) for f in feeds]
        fed.update(f.source for f in feeds)
        for side in Side:
            sources = tuple(
                SourceRating(f, e.rating(side) if e is not None and e.included else None)
                for f, e in entries
            )
            proposals.append(
                Proposal(outcome, side, weakest_link(s.level for s in sources), sources)
            )
        chosen = [e.priority for _, e in entries if e is not None and e.priority is not None]
        if chosen:
            priorities[outcome] = max(chosen, key=lambda p: p.weight)
    unrouted = tuple(
        code
        for code, entry in assessment.outcomes.items()
        if code not in fed and (entry.current is not None or entry.target is not None)
    )
    return MigrationPlan(assessment, new, tuple(proposals), priorities, unrouted)


def draft_profile(
    plan: MigrationPlan,
    *,
    name: str,
    decisions: Mapping[tuple[str, Side], Level | None] | None = None,
    framework_key: str = CSF_2_0,
) -> Profile:
    """The CSF 2.0 draft: every outcome included, each side rated as proposed or decided.

    ``decisions`` overrides proposals, keyed by (outcome, side); ``None`` there
    means *not assessed*. Each entry's notes say where its ratings came from.
    """
    decisions = decisions or {}
    scale_levels = set(plan.assessment.scale.levels)
    entries: dict[str, OutcomeEntry] = {}
    for outcome in plan.framework.outcomes:
        ratings: dict[str, Level | None] = {}
        notes: list[str] = []
        for side in Side:
            proposal = plan.proposal(outcome, side)
            level = proposal.level if proposal is not None else None
            if (outcome, side) in decisions:
                level = decisions[(outcome, side)]
                if level is not None and level not in scale_levels:
                    raise InputRefused(
                        f"{level.key!r} is not a level of the {plan.assessment.scale.key!r} scale",
                        element=outcome,
                        field=side.value,
                    )
            ratings[side.value] = level
            if proposal is not None and proposal.sources and side is Side.CURRENT:
                notes.append(f"Carried from CSF 1.1: {proposal.explanation()}.")
        entries[outcome] = OutcomeEntry(
            outcome,
            current=ratings["current"],
            target=ratings["target"],
            priority=plan.priorities.get(outcome),
            notes=" ".join(notes),
        )
    source = plan.assessment
    return Profile(
        name=name,
        framework=framework_key,
        scope=source.scope,
        description=source.description,
        assumptions=source.assumptions,
        scale=source.scale,
        rollup=source.rollup,
        based_on=f"{source.name} (CSF 1.1)",
        tiers=source.tiers,
        outcomes=entries,
    )
