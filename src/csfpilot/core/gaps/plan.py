"""The action plan (POA&M): candidate actions proposed from the gap analysis.

Every outcome below its target becomes a candidate action, in the gap
analysis's order (priority weight × gap, largest first, ties by outcome id).
Each candidate suggests controls taken from the informative references: the
caller passes a mapping *outcome id → control ids* (for instance NIST's CSF
2.0 → SP 800-53 Rev. 5 crosswalk, via :func:`references_from_mapping_set`);
the domain does no I/O to find them.

A candidate already covered by an open action in the profile says so, so a
plan can be topped up without duplicating work. :func:`add_candidates` turns
the uncovered candidates into :class:`~csfpilot.core.profiles.Action` lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from csfpilot.core.catalog.model import MappingSet
from csfpilot.core.gaps.analysis import GapAnalysis, OutcomeGap
from csfpilot.core.profiles.actions import Action, ActionStatus, next_action_id
from csfpilot.core.profiles.model import Profile

_NATURAL = re.compile(r"(\d+)")


def natural_key(code: str) -> tuple[object, ...]:
    """Sort ``AC-2`` before ``AC-10`` and ``AC-2`` before ``AC-2(1)``."""
    return tuple(int(p) if p.isdigit() else p for p in _NATURAL.split(code))


def references_from_mapping_set(mapping_set: MappingSet) -> dict[str, tuple[str, ...]]:
    """Outcome id → control ids, from a crosswalk whose source side is the CSF.

    Control ids are unique per outcome and sorted naturally.
    """
    out: dict[str, set[str]] = {}
    for m in mapping_set.mappings:
        out.setdefault(m.source, set()).add(m.target)
    return {k: tuple(sorted(v, key=natural_key)) for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class CandidateAction:
    """A proposed line of the plan for one outcome below target."""

    gap: OutcomeGap
    title: str
    suggested_controls: tuple[str, ...]
    covered_by: tuple[str, ...]  # ids of actions in the profile that already address it

    @property
    def outcome(self) -> str:
        return self.gap.outcome


def candidate_title(gap: OutcomeGap) -> str:
    return f"Raise {gap.outcome} from {gap.current.label} to {gap.target.label}"


def candidate_actions(
    profile: Profile,
    gaps: GapAnalysis,
    references: Mapping[str, Sequence[str]] | None = None,
) -> list[CandidateAction]:
    """One candidate per outcome with a gap, in action-plan order.

    ``covered_by`` lists the actions of the profile naming the outcome that are
    still open or in progress (done or risk-accepted ones no longer cover a
    remaining gap).
    """
    refs = references or {}
    covering: dict[str, list[str]] = {}
    for action in profile.actions:
        if action.status.closed:
            continue
        for code in action.outcomes:
            covering.setdefault(code, []).append(action.id)
    return [
        CandidateAction(
            gap=g,
            title=candidate_title(g),
            suggested_controls=tuple(dict.fromkeys(refs.get(g.outcome, ()))),
            covered_by=tuple(covering.get(g.outcome, ())),
        )
        for g in gaps.with_gap()
    ]


def add_candidates(
    profile: Profile,
    candidates: Iterable[CandidateAction],
    *,
    due: date | None = None,
    milestone: str = "",
) -> tuple[Profile, list[Action]]:
    """Append an open action for every candidate not yet covered; return them too.

    Ids continue the profile's ``A-001`` sequence; the owner is the outcome's
    owner; suggested controls become the action's controls.
    """
    actions = list(profile.actions)
    added: list[Action] = []
    for c in candidates:
        if c.covered_by:
            continue
        action = Action(
            id=next_action_id([a.id for a in actions]),
            title=c.title,
            outcomes=(c.outcome,),
            owner=c.gap.owner,
            due=due,
            milestone=milestone,
            status=ActionStatus.OPEN,
            controls=c.suggested_controls,
        )
        actions.append(action)
        added.append(action)
    return profile.with_actions(tuple(actions)), added
