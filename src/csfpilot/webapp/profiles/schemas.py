"""What the profiles API accepts and returns.

Bodies a client sends list exactly what it may set: ids, the organization,
versions and who changed what are never settable (an unknown key answers 422).
A save carries ``version``, the version the client last read; a stale one
answers 409 with the stored values (:class:`ConflictOut`).

Level keys are what the profile's scale defines: words for ``status``
(``partially``), whole numbers for ``maturity`` (``3``), ``na`` for not
applicable, ``null`` for *not assessed*. Scores are on 0–100.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt, StrictStr

from csfpilot.core.gaps import CandidateAction, GroupGap, OutcomeGap
from csfpilot.core.profiles import (
    TIER_ASPECTS,
    ActionStatus,
    Priority,
    ProfileKind,
    RollUp,
    Scale,
    ScopeType,
    Tier,
    TierRating,
    Tiers,
)
from csfpilot.core.scoring import NodeScore, ScoreDelta, SideScore, TrendPoint, percent
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import queries, storage

LevelKey = StrictStr | StrictInt
"""A level key exactly as written: never ``true`` read as 1 or ``2.0`` as 2."""


class Strict(Schema):
    """An input body: unknown keys are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# -- errors --------------------------------------------------------------------------------


class WhereOut(Schema):
    """Where an input was refused: file and line (uploads), outcome, field."""

    file: str | None = None
    line: int | None = None
    element: str | None = Field(None, description="Outcome id (GV.OC-01) or action id.")
    field: str | None = Field(None, description="Field, e.g. current or target_details.evidence.")
    msg: str


class RefusedOut(Schema):
    """RFC 9457 problem: the input was refused and nothing was stored."""

    title: str
    status: int
    detail: str
    errors: list[WhereOut]


class ConflictOut(Schema):
    """RFC 9457 problem for a stale save: someone else saved first; nothing was stored."""

    title: str
    status: int
    detail: str = Field(description="Names who changed what, their value and yours.")
    errors: list[dict] = Field(default_factory=list)
    element: str = Field(description="What was changed: an outcome id, an action, the profile.")
    version: int = Field(description="The stored version: base a retry on it.")
    current: dict[str, Any] = Field(description="The stored values (the other person's).")
    yours: dict[str, Any] = Field(description="The values that were refused.")
    changed_by: str
    changed_at: datetime | None


# -- scales and tiers ----------------------------------------------------------------------


class LevelOut(Schema):
    key: LevelKey
    label: str
    score: float | None = Field(description="0–100; null for a not-applicable level.")
    hotkey: str
    description: str


class ScaleOut(Schema):
    key: str
    name: str
    builtin: bool
    description: str
    levels: list[LevelOut]


def scale_out(scale: Scale) -> ScaleOut:
    return ScaleOut(
        key=scale.key,
        name=scale.name,
        builtin=scale.builtin,
        description=scale.description,
        levels=[
            LevelOut(
                key=lv.key,
                label=lv.label,
                score=percent(lv.score),
                hotkey=lv.hotkey,
                description=lv.description,
            )
            for lv in scale.levels
        ],
    )


class LevelIn(Strict):
    key: LevelKey
    label: str = Field("", max_length=200)
    score: float | str | None = Field(
        description="0..1 as a number or an exact fraction such as '1/3'; null: not applicable."
    )
    hotkey: str = Field("", max_length=1)
    description: str = Field("", max_length=2000)


class ScaleIn(Strict):
    """A custom rating scale (otherwise name a built-in one: ``status`` or ``maturity``)."""

    key: str = Field(max_length=64)
    name: str = Field("", max_length=200)
    description: str = Field("", max_length=2000)
    levels: list[LevelIn] = Field(min_length=1, max_length=50)


class TierRatingOut(Schema):
    current: int | None = Field(description="1 Partial, 2 Risk Informed, 3 Repeatable, 4 Adaptive.")
    target: int | None
    current_label: str | None
    target_label: str | None
    current_rationale: str
    target_rationale: str


class TiersOut(Schema):
    governance: TierRatingOut
    management: TierRatingOut
    version: int = Field(description="The profile's version (send it back to change the Tiers).")


def _tier_rating_out(rating: TierRating) -> TierRatingOut:
    return TierRatingOut(
        current=int(rating.current) if rating.current else None,
        target=int(rating.target) if rating.target else None,
        current_label=rating.current.label if rating.current else None,
        target_label=rating.target.label if rating.target else None,
        current_rationale=rating.current_rationale,
        target_rationale=rating.target_rationale,
    )


def tiers_out(row: m.Profile) -> TiersOut:
    tiers: Tiers = storage.tiers_of(row)
    return TiersOut(
        **{aspect: _tier_rating_out(tiers.aspect(aspect)) for aspect in TIER_ASPECTS},
        version=row.version,
    )


class TierRatingIn(Strict):
    current: int | None = Field(None, ge=1, le=4)
    target: int | None = Field(None, ge=1, le=4)
    current_rationale: str = Field("", max_length=20_000)
    target_rationale: str = Field("", max_length=20_000)


class TiersIn(Strict):
    version: int = Field(description="The profile version the change is based on.")
    governance: TierRatingIn | None = None
    management: TierRatingIn | None = None

    def to_tiers(self, stored: Tiers) -> Tiers:
        def rating(aspect: str) -> TierRating:
            given: TierRatingIn | None = getattr(self, aspect)
            if given is None:
                return stored.aspect(aspect)
            return TierRating(
                current=Tier(given.current) if given.current else None,
                target=Tier(given.target) if given.target else None,
                current_rationale=given.current_rationale,
                target_rationale=given.target_rationale,
            )

        return Tiers(**{aspect: rating(aspect) for aspect in TIER_ASPECTS})


# -- profiles ------------------------------------------------------------------------------


class ScopeOut(Schema):
    type: ScopeType
    name: str


class SideScoreOut(Schema):
    score: float | None = Field(description="0–100, or null when nothing is assessed.")
    assessed: int
    not_assessed: int
    not_applicable: int


def side_out(side: SideScore) -> SideScoreOut:
    return SideScoreOut(
        score=side.percent,
        assessed=side.assessed,
        not_assessed=side.not_assessed,
        not_applicable=side.not_applicable,
    )


class NodeScoreOut(Schema):
    code: str = Field(description="Function or Category id; the profile's name for the profile.")
    level: str
    title: str
    outcomes: int
    included: int
    current: SideScoreOut
    target: SideScoreOut


def node_score_out(node: NodeScore) -> NodeScoreOut:
    return NodeScoreOut(
        code=node.code,
        level=node.level,
        title=node.title,
        outcomes=node.outcomes,
        included=node.included,
        current=side_out(node.current),
        target=side_out(node.target),
    )


class ProfileOut(Schema):
    id: int
    name: str
    kind: ProfileKind
    framework: str
    scope: ScopeOut
    description: str
    assumptions: str
    scale: ScaleOut
    rollup: RollUp
    based_on: str
    tiers: TiersOut
    version: int = Field(description="Send it back with a change; a stale one answers 409.")
    created_at: datetime
    updated_at: datetime
    created_by: str | None
    updated_by: str | None


def _email(user: Any) -> str | None:
    return getattr(user, "email", None) if user is not None else None


def profile_out(row: m.Profile) -> ProfileOut:
    return ProfileOut(
        id=row.pk,
        name=row.name,
        kind=ProfileKind(row.kind),
        framework=row.framework.key,
        scope=ScopeOut(type=ScopeType(row.scope_type), name=row.scope_name),
        description=row.description,
        assumptions=row.assumptions,
        scale=scale_out(storage.scale_of(row)),
        rollup=RollUp(row.rollup),
        based_on=row.based_on,
        tiers=tiers_out(row),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=_email(row.created_by),
        updated_by=_email(row.updated_by),
    )


class ProfileSummaryOut(Schema):
    id: int
    name: str
    kind: ProfileKind
    framework: str
    scope: ScopeOut
    scale: str
    version: int
    updated_at: datetime
    scores: NodeScoreOut
    gap: float | None = Field(description="Mean gap of comparable outcomes, 0–100.")
    open_actions: int
    overdue_actions: int
    snapshot_count: int
    last_snapshot: datetime | None


def summary_out(s: queries.ProfileSummary) -> ProfileSummaryOut:
    row = s.profile
    return ProfileSummaryOut(
        id=row.pk,
        name=row.name,
        kind=ProfileKind(row.kind),
        framework=row.framework.key,
        scope=ScopeOut(type=ScopeType(row.scope_type), name=row.scope_name),
        scale=storage.scale_of(row).key,
        version=row.version,
        updated_at=row.updated_at,
        scores=node_score_out(s.scores),
        gap=s.gap.percent,
        open_actions=s.open_actions,
        overdue_actions=s.overdue_actions,
        snapshot_count=s.snapshot_count,
        last_snapshot=s.last_snapshot,
    )


class ProfileIn(Strict):
    name: str = Field(max_length=200, examples=["Whole company 2026"])
    framework: str = Field("csf-2.0", max_length=64)
    kind: ProfileKind = ProfileKind.ORGANIZATIONAL
    scope_type: ScopeType = ScopeType.ORGANIZATION
    scope_name: str = Field("", max_length=200)
    description: str = Field("", max_length=20_000)
    assumptions: str = Field("", max_length=20_000)
    scale: str | ScaleIn = Field("status", description="status, maturity, or a custom scale.")
    rollup: RollUp = RollUp.EQUAL


class ProfilePatch(Strict):
    version: int = Field(description="The profile version the change is based on.")
    name: str | None = Field(None, max_length=200)
    scope_type: ScopeType | None = None
    scope_name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    assumptions: str | None = Field(None, max_length=20_000)
    rollup: RollUp | None = None
    based_on: str | None = Field(None, max_length=200)
    scale: str | ScaleIn | None = Field(None, description="Only while no outcome is rated.")


# -- outcomes ------------------------------------------------------------------------------


class DetailsOut(Schema):
    """NIST's per-side columns: how the outcome is (or is to be) achieved."""

    policies: str
    practices: str
    roles: str
    references: list[str]
    evidence: list[str]


class OutcomeOut(Schema):
    code: str
    text: str = Field(description="NIST's outcome statement.")
    function: str
    category: str
    included: bool
    rationale: str
    priority: Priority | None = Field(description="Target priority; it orders the action plan.")
    current_priority: Priority | None
    current: LevelKey | None
    target: LevelKey | None
    owner: str = Field(description="The owner as written (a person, team or role).")
    owner_id: int | None = Field(description="The member the outcome is assigned to.")
    notes: str
    considerations: str
    current_details: DetailsOut
    target_details: DetailsOut
    version: int
    updated_at: datetime
    updated_by: str | None
    can_edit: bool = Field(description="Whether the caller may change this outcome.")


# Outcome answers are built from stored rows whose types the model fields already fix, up to
# 106 at a time; validating each attribute again through the schema cost more than the
# database read, so they are constructed without it (tests compare both ways).
def _details_out(row: m.ProfileOutcome, side: str) -> DetailsOut:
    return DetailsOut.model_construct(
        **{name: getattr(row, f"{side}_{name}") for name in storage.DETAIL_FIELDS}
    )


def outcome_out(view: queries.OutcomeView | queries.OutcomeLine) -> OutcomeOut:
    row = view.row
    return OutcomeOut.model_construct(
        code=row.code,
        text=view.text,
        function=view.function,
        category=view.category,
        included=row.included,
        rationale=row.rationale,
        priority=Priority(row.priority) if row.priority else None,
        current_priority=Priority(row.current_priority) if row.current_priority else None,
        current=row.current,
        target=row.target,
        owner=row.owner_name,
        owner_id=row.owner_id,
        notes=row.notes,
        considerations=row.considerations,
        current_details=_details_out(row, "current"),
        target_details=_details_out(row, "target"),
        version=row.version,
        updated_at=row.updated_at,
        updated_by=_email(row.updated_by),
        can_edit=view.can_edit,
    )


class DetailsPatch(Strict):
    policies: str | None = Field(None, max_length=20_000)
    practices: str | None = Field(None, max_length=20_000)
    roles: str | None = Field(None, max_length=20_000)
    references: list[str] | None = Field(None, max_length=200)
    evidence: list[str] | None = Field(None, max_length=200)


class OutcomePatch(Strict):
    """Fields to change on one outcome; leave out what stays. ``null`` clears a rating."""

    version: int = Field(description="The outcome version the change is based on.")
    included: bool | None = None
    rationale: str | None = Field(None, max_length=20_000)
    priority: Priority | None = None
    current_priority: Priority | None = None
    current: LevelKey | None = None
    target: LevelKey | None = None
    owner: str | None = Field(None, max_length=200, description="Owner as written.")
    owner_id: int | None = Field(None, description="Assign to this member (null: nobody).")
    notes: str | None = Field(None, max_length=20_000)
    considerations: str | None = Field(None, max_length=20_000)
    current_details: DetailsPatch | None = None
    target_details: DetailsPatch | None = None

    def changes(self) -> dict[str, Any]:
        """The service's field names for what the body set (explicit nulls included)."""
        sent = self.model_dump(exclude_unset=True, mode="python")
        sent.pop("version", None)
        out: dict[str, Any] = {}
        for key, value in sent.items():
            if key in ("current_details", "target_details"):
                side = key.removesuffix("_details")
                for name, v in (value or {}).items():
                    out[f"{side}_{name}"] = v
            elif key == "owner":
                out["owner_name"] = value
            elif key in ("priority", "current_priority"):
                out[key] = value.value if isinstance(value, Priority) else value
            else:
                out[key] = value
        return out


# -- scores, gaps, plan --------------------------------------------------------------------


class ScoresOut(Schema):
    profile: NodeScoreOut
    groups: list[NodeScoreOut] = Field(description="Functions and Categories, in NIST's order.")


class GroupGapOut(Schema):
    code: str
    level: str
    title: str
    gap: float | None
    comparable: int
    with_gap: int
    not_comparable: int


def group_gap_out(g: GroupGap) -> GroupGapOut:
    return GroupGapOut(
        code=g.code,
        level=g.level,
        title=g.title,
        gap=g.percent,
        comparable=g.comparable,
        with_gap=g.with_gap,
        not_comparable=g.not_comparable,
    )


class OutcomeGapOut(Schema):
    outcome: str
    current: LevelKey
    target: LevelKey
    current_score: float
    target_score: float
    gap: float
    priority: Priority | None
    weight: int
    rank: float = Field(description="Priority weight × gap (0–300): the plan's order.")
    owner: str


def outcome_gap_out(g: OutcomeGap) -> OutcomeGapOut:
    return OutcomeGapOut(
        outcome=g.outcome,
        current=g.current.key,
        target=g.target.key,
        current_score=percent(g.current_score) or 0.0,
        target_score=percent(g.target_score) or 0.0,
        gap=percent(g.gap) or 0.0,
        priority=g.priority,
        weight=g.weight,
        rank=percent(g.rank) or 0.0,
        owner=g.owner,
    )


class GapsOut(Schema):
    profile: GroupGapOut
    groups: list[GroupGapOut]
    outcomes: list[OutcomeGapOut] = Field(description="Below target, filtered, in plan order.")
    not_comparable: list[str]
    filters: dict[str, str | None]


class ActionOut(Schema):
    code: str = Field(description="The action's id in the profile, e.g. A-001.")
    title: str
    outcomes: list[str]
    owner: str
    owner_id: int | None
    due: date | None
    milestone: str
    status: ActionStatus
    cost: str
    controls: list[str]
    notes: str
    overdue: bool
    version: int
    updated_at: datetime


def action_out(a: m.Action, *, today: date) -> ActionOut:
    return ActionOut(
        code=a.code,
        title=a.title,
        outcomes=list(a.outcomes),
        owner=a.owner_name,
        owner_id=a.owner_id,
        due=a.due,
        milestone=a.milestone,
        status=ActionStatus(a.status),
        cost=a.cost,
        controls=list(a.controls),
        notes=a.notes,
        overdue=a.due is not None and a.due < today and not ActionStatus(a.status).closed,
        version=a.version,
        updated_at=a.updated_at,
    )


class CandidateOut(Schema):
    outcome: str
    title: str
    gap: float
    rank: float
    priority: Priority | None
    suggested_controls: list[str]


def candidate_out(c: CandidateAction) -> CandidateOut:
    return CandidateOut(
        outcome=c.outcome,
        title=c.title,
        gap=percent(c.gap.gap) or 0.0,
        rank=percent(c.gap.rank) or 0.0,
        priority=c.gap.priority,
        suggested_controls=list(c.suggested_controls),
    )


class ActionPlanOut(Schema):
    actions: list[ActionOut]
    candidates: list[CandidateOut] = Field(
        description="Outcomes below target that no open action covers yet (plan order)."
    )
    counts: dict[str, int]
    overdue: int


class ActionIn(Strict):
    code: str | None = Field(None, max_length=64, description="Default: the next A-nnn.")
    title: str = Field(max_length=20_000)
    outcomes: list[str] = Field(min_length=1, max_length=200)
    owner: str = Field("", max_length=200)
    owner_id: int | None = None
    due: date | None = None
    milestone: str = Field("", max_length=200)
    status: ActionStatus = ActionStatus.OPEN
    cost: str = Field("", max_length=200)
    controls: list[str] = Field(default_factory=list, max_length=200)
    notes: str = Field("", max_length=20_000)

    def data(self) -> dict[str, Any]:
        sent = self.model_dump(exclude_unset=True, mode="python")
        return _action_keys(sent)


class ActionPatch(Strict):
    version: int
    code: str | None = Field(None, max_length=64)
    title: str | None = Field(None, max_length=20_000)
    outcomes: list[str] | None = Field(None, max_length=200)
    owner: str | None = Field(None, max_length=200)
    owner_id: int | None = None
    due: date | None = None
    milestone: str | None = Field(None, max_length=200)
    status: ActionStatus | None = None
    cost: str | None = Field(None, max_length=200)
    controls: list[str] | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=20_000)

    def changes(self) -> dict[str, Any]:
        sent = self.model_dump(exclude_unset=True, mode="python")
        sent.pop("version", None)
        return _action_keys(sent)


def _action_keys(sent: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in sent.items():
        if key == "owner":
            out["owner_name"] = value
        elif key == "status" and isinstance(value, ActionStatus):
            out[key] = value.value
        else:
            out[key] = value
    return out


class GenerateIn(Strict):
    due: date | None = Field(None, description="Due date for every new action.")
    milestone: str = Field("", max_length=200)


# -- snapshots, history, comparisons --------------------------------------------------------


class SnapshotOut(Schema):
    id: int
    profile: int
    taken_at: datetime
    label: str
    created_by: str | None


def snapshot_out(s: m.Snapshot) -> SnapshotOut:
    return SnapshotOut(
        id=s.pk,
        profile=s.profile_id,
        taken_at=s.taken_at,
        label=s.label,
        created_by=_email(s.created_by),
    )


class SnapshotDetailOut(SnapshotOut):
    scores: ScoresOut
    document: dict[str, Any] = Field(description="The profile as a native document (JSON form).")


class SnapshotIn(Strict):
    label: str = Field("", max_length=200, examples=["Q3 2026 review"])


class TrendPointOut(Schema):
    taken: datetime | None = Field(description="null for the live profile (now).")
    label: str
    profile: NodeScoreOut
    functions: list[NodeScoreOut]


def trend_out(p: TrendPoint) -> TrendPointOut:
    return TrendPointOut(
        taken=p.taken,
        label=p.label,
        profile=node_score_out(p.scores.profile),
        # The framework's top level: Functions for the CSF, families for SP 800-53.
        functions=[node_score_out(g) for g in p.scores.top_level()],
    )


class ChangeOut(Schema):
    element: str = Field(description="Outcome id, 'action <id>', or '' for the profile.")
    field: str
    before: Any
    after: Any


class DeltaOut(Schema):
    code: str
    level: str
    title: str
    current_before: float | None
    current_after: float | None
    current_delta: float | None
    target_before: float | None
    target_after: float | None
    target_delta: float | None


def delta_out(d: ScoreDelta) -> DeltaOut:
    return DeltaOut(code=d.code, level=d.level, title=d.title, **d.as_percent())


class ComparisonOut(Schema):
    before: str
    after: str
    changes: list[ChangeOut]
    changed_outcomes: list[str]
    deltas: list[DeltaOut]


class ImportOut(Schema):
    profile: ProfileOut
    created: bool = Field(description="False when an existing profile's content was replaced.")
    warnings: list[str]


class DeriveIn(Strict):
    base: int | None = Field(None, description="Profile to take the targets onto; none: new.")
    name: str | None = Field(None, max_length=200)
    apply: bool = Field(True, description="False: preview the result and its differences only.")
    version: int | None = Field(None, description="The base profile's version, to guard it.")


class DeriveOut(Schema):
    profile: ProfileOut | None = Field(description="The stored profile; null for a preview.")
    changes: list[ChangeOut]


class NextOut(Schema):
    code: str | None = Field(description="The next unanswered outcome, or null when done.")
    side: Literal["current", "target"]


class ProgressOut(Schema):
    code: str
    title: str
    included: int
    current_answered: int
    target_answered: int
