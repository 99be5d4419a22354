"""Organizational and Community Profiles.

An *Organizational Profile* (NIST SP 1301) describes, for one scope — the whole
organization, a business unit, a system or a product — where the organization
stands on each CSF outcome (its **Current Profile**) and where it wants to be
(its **Target Profile**). The columns follow NIST's Organizational Profile
Template: whether the outcome is included and why; for each side a priority,
a status, the policies/processes/procedures, internal practices, roles and
responsibilities, selected informative references and artifacts/evidence;
an owner, notes and considerations.

A *Community Profile* has the same shape with only the target side filled: a
shared target that a sector, a supply chain or a threat community publishes
and that organizations derive their own Target Profile from
(:mod:`csfpilot.core.profiles.community`).

Every object here is immutable. Editing returns a new profile
(:meth:`Profile.with_entry`, :meth:`Profile.with_rating`), which is what makes
a snapshot (:meth:`Profile.snapshot_of`) a true, unchangeable copy.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.core.evidence.items import EvidenceRef
from csfpilot.core.ids import CSF_2_0
from csfpilot.core.profiles.actions import Action
from csfpilot.core.profiles.scales import STATUS, Level, RollUp, Scale
from csfpilot.core.profiles.tiers import Tiers


class ScopeType(StrEnum):
    ORGANIZATION = "organization"
    BUSINESS_UNIT = "business-unit"
    SYSTEM = "system"
    PRODUCT = "product"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


class ProfileKind(StrEnum):
    ORGANIZATIONAL = "organizational"
    COMMUNITY = "community"


class Priority(StrEnum):
    """NIST's template leaves the priority scheme open; csfpilot uses high/medium/low."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def weight(self) -> int:
        """The multiplier that orders the action plan (high 3, medium 2, low 1)."""
        return _WEIGHTS[self]


_WEIGHTS = {Priority.HIGH: 3, Priority.MEDIUM: 2, Priority.LOW: 1}
UNSET_PRIORITY_WEIGHT = 1
"""An outcome without a priority weighs as ``low``: explicit priorities never rank below it."""


def priority_weight(priority: Priority | None) -> int:
    return priority.weight if priority is not None else UNSET_PRIORITY_WEIGHT


class Side(StrEnum):
    """The two halves of an Organizational Profile."""

    CURRENT = "current"
    TARGET = "target"


@dataclass(frozen=True, slots=True)
class Scope:
    """What the profile covers: its type and which one (``system`` + ``"Payroll"``)."""

    type: ScopeType = ScopeType.ORGANIZATION
    name: str = ""


@dataclass(frozen=True, slots=True)
class Implementation:
    """How an outcome is achieved (current side) or is to be achieved (target side).

    These are NIST's per-side template columns: Policies, Processes, and
    Procedures; Internal Practices; Roles and Responsibilities; Selected
    Informative References; Artifacts and Evidence (text or links).
    ``evidence_items`` references items of the organization's evidence library
    (by id and content hash) when the profile comes from a csfpilot server.
    """

    policies: str = ""
    practices: str = ""
    roles: str = ""
    references: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    evidence_items: tuple[EvidenceRef, ...] = ()

    def is_empty(self) -> bool:
        return not (
            self.policies
            or self.practices
            or self.roles
            or self.references
            or self.evidence
            or self.evidence_items
        )


@dataclass(frozen=True, slots=True)
class OutcomeEntry:
    """One row of the profile: an outcome, whether it is in scope, and both sides.

    ``priority`` is the Target Priority (it orders the action plan);
    ``current_priority`` is NIST's separate Current Priority column. A rating
    of ``None`` means *not assessed*: it is counted and shown as such and
    never scored as zero.
    """

    outcome: str
    included: bool = True
    rationale: str = ""
    priority: Priority | None = None
    current: Level | None = None
    target: Level | None = None
    owner: str = ""
    notes: str = ""
    considerations: str = ""
    current_priority: Priority | None = None
    current_details: Implementation = Implementation()
    target_details: Implementation = Implementation()

    def rating(self, side: Side) -> Level | None:
        return self.current if side is Side.CURRENT else self.target

    def details(self, side: Side) -> Implementation:
        return self.current_details if side is Side.CURRENT else self.target_details

    def side_priority(self, side: Side) -> Priority | None:
        return self.current_priority if side is Side.CURRENT else self.priority

    def has_current_side(self) -> bool:
        return (
            self.current is not None
            or self.current_priority is not None
            or not self.current_details.is_empty()
        )


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """When a snapshot was taken and what it is called ("Q1 2025 review")."""

    taken: datetime
    label: str = ""


@dataclass(frozen=True)
class Profile:
    """An Organizational (or Community) Profile over one framework's outcomes.

    ``outcomes`` maps outcome ids to their entries; an outcome with no entry
    is not part of the profile (NIST: a blank "Included in Profile?" means
    no). ``framework`` is the key of the framework release the ids belong to;
    which ids are valid is checked against an
    :class:`~csfpilot.core.profiles.framework.OutcomeFramework` by
    :func:`~csfpilot.core.profiles.checks.check_profile`, never assumed here.
    """

    name: str
    framework: str = CSF_2_0
    kind: ProfileKind = ProfileKind.ORGANIZATIONAL
    scope: Scope = Scope()
    description: str = ""
    assumptions: str = ""
    scale: Scale = STATUS
    rollup: RollUp = RollUp.EQUAL
    based_on: str = ""
    tiers: Tiers = field(default_factory=Tiers)
    outcomes: Mapping[str, OutcomeEntry] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    snapshot: SnapshotInfo | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputRefused("a profile needs a name", field="name")
        entries: dict[str, OutcomeEntry] = {}
        levels = set(self.scale.levels)
        for key, entry in self.outcomes.items():
            if key != entry.outcome:
                raise InputRefused(
                    f"entry is filed under {key} but is for {entry.outcome}", element=key
                )
            for side in Side:
                level = entry.rating(side)
                if level is not None and level not in levels:
                    raise InputRefused(
                        f"{level.key!r} is not a level of the {self.scale.key!r} scale",
                        element=key,
                        field=side.value,
                    )
            if self.kind is ProfileKind.COMMUNITY and entry.has_current_side():
                raise InputRefused(
                    "a Community Profile holds targets only; leave the current side empty",
                    element=key,
                    field="current",
                )
            entries[key] = entry
        action_ids: set[str] = set()
        for i, action in enumerate(self.actions):
            if action.id in action_ids:
                raise InputRefused(f"action id {action.id} is used twice", field=f"actions[{i}].id")
            action_ids.add(action.id)
        if self.kind is ProfileKind.COMMUNITY:
            for aspect in ("governance", "management"):
                rating = self.tiers.aspect(aspect)
                if rating.current is not None or rating.current_rationale:
                    raise InputRefused(
                        "a Community Profile holds target Tiers only",
                        field=f"tiers.{aspect}.current",
                    )
        object.__setattr__(self, "outcomes", MappingProxyType(entries))

    # -- reading -----------------------------------------------------------------

    def entry(self, outcome: str) -> OutcomeEntry | None:
        return self.outcomes.get(outcome)

    def included(self) -> Iterator[OutcomeEntry]:
        """The entries included in the profile, in the order they were given."""
        return (e for e in self.outcomes.values() if e.included)

    def is_included(self, outcome: str) -> bool:
        entry = self.outcomes.get(outcome)
        return entry is not None and entry.included

    @property
    def is_snapshot(self) -> bool:
        return self.snapshot is not None

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)

    # -- editing (each returns a new profile) --------------------------------------

    def _editable(self) -> None:
        if self.snapshot is not None:
            raise ConflictError(
                f"{self.name!r} is a snapshot taken {self.snapshot.taken.isoformat()}; "
                "snapshots never change"
            )

    def replace(self, **changes: Any) -> Profile:
        """A copy with some top-level fields changed (snapshots refuse)."""
        self._editable()
        return replace(self, **changes)

    def with_entry(self, entry: OutcomeEntry) -> Profile:
        self._editable()
        entries = dict(self.outcomes)
        entries[entry.outcome] = entry
        return replace(self, outcomes=entries)

    def with_rating(self, outcome: str, side: Side, key: Any) -> Profile:
        """Rate one outcome on one side; ``key=None`` clears the rating."""
        level = None if key is None else self.scale.level(key, element=outcome, field=side.value)
        entry = self.outcomes.get(outcome) or OutcomeEntry(outcome)
        return self.with_entry(replace(entry, **{side.value: level}))

    def without_entry(self, outcome: str) -> Profile:
        self._editable()
        entries = {k: v for k, v in self.outcomes.items() if k != outcome}
        return replace(self, outcomes=entries)

    def with_actions(self, actions: tuple[Action, ...]) -> Profile:
        self._editable()
        return replace(self, actions=tuple(actions))

    def snapshot_of(self, taken: datetime, label: str = "") -> Profile:
        """An immutable dated copy: the same content, marked as a snapshot."""
        if taken.tzinfo is None:
            raise ValueError("a snapshot time must carry a time zone")
        return replace(self, snapshot=SnapshotInfo(taken, label))
