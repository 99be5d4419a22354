"""Stored rows ↔ domain objects, field by field and without loss.

Every read that scores, compares or exports a profile turns its rows into a
:class:`csfpilot.core.profiles.Profile` here, and every write that takes a
domain profile (a file import, a derived target) turns it back into column
values here. The two directions are exact inverses: a profile read from rows
and written back changes nothing, which is what keeps file export → import →
export identical.

Level keys are stored as JSON (``"partially"``, ``3``) so that a custom scale
may use both words and numbers and each comes back as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from fractions import Fraction
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import (
    BUILTIN_SCALES,
    TIER_ASPECTS,
    Action,
    ActionStatus,
    Implementation,
    Level,
    OutcomeEntry,
    Priority,
    Profile,
    ProfileKind,
    RollUp,
    Scale,
    Scope,
    ScopeType,
    Tier,
    TierRating,
    Tiers,
)
from csfpilot.webapp.profiles import models as m

DETAIL_FIELDS = ("policies", "practices", "roles", "references", "evidence")
SIDES = ("current", "target")

# -- scales ----------------------------------------------------------------------


def scale_to_json(scale: Scale) -> str | dict[str, Any]:
    """A built-in scale by its key; a custom one in full, scores as exact ``"n/d"`` text."""
    if scale.builtin:
        return scale.key
    return {
        "key": scale.key,
        "name": scale.name,
        "description": scale.description,
        "levels": [
            {
                "key": level.key,
                "label": level.label,
                "score": None if level.score is None else str(level.score),
                "hotkey": level.hotkey,
                "description": level.description,
            }
            for level in scale.levels
        ],
    }


def scale_from_json(value: Any) -> Scale:
    """The scale a profile row holds (see :func:`scale_to_json`)."""
    if isinstance(value, str):
        found = BUILTIN_SCALES.get(value)
        if found is None:
            raise InputRefused(f"unknown built-in scale {value!r}", field="scale")
        return found
    return Scale(
        key=value["key"],
        name=value.get("name", value["key"]),
        description=value.get("description", ""),
        levels=tuple(
            Level(
                key=lv["key"],
                label=lv.get("label", str(lv["key"])),
                score=None if lv.get("score") is None else Fraction(lv["score"]),
                hotkey=lv.get("hotkey", ""),
                description=lv.get("description", ""),
            )
            for lv in value["levels"]
        ),
    )


def scale_of(row: m.Profile) -> Scale:
    """The profile's scale, parsed once per row object."""
    cached = getattr(row, "_scale_cache", None)
    if cached is None or cached[0] != row.scale:
        cached = (row.scale, scale_from_json(row.scale))
        row._scale_cache = cached  # type: ignore[attr-defined]
    return cached[1]


def level_of(scale: Scale, key: Any, *, element: str | None = None, side: str = "") -> Level | None:
    if key is None:
        return None
    return scale.level(key, element=element, field=side or None)


# -- tiers -----------------------------------------------------------------------


def tiers_of(row: m.Profile) -> Tiers:
    def rating(aspect: str) -> TierRating:
        current = getattr(row, f"{aspect}_current")
        target = getattr(row, f"{aspect}_target")
        return TierRating(
            current=Tier(current) if current is not None else None,
            target=Tier(target) if target is not None else None,
            current_rationale=getattr(row, f"{aspect}_current_rationale"),
            target_rationale=getattr(row, f"{aspect}_target_rationale"),
        )

    return Tiers(**{aspect: rating(aspect) for aspect in TIER_ASPECTS})


def tier_fields(tiers: Tiers) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for aspect in TIER_ASPECTS:
        rating = tiers.aspect(aspect)
        out[f"{aspect}_current"] = int(rating.current) if rating.current is not None else None
        out[f"{aspect}_target"] = int(rating.target) if rating.target is not None else None
        out[f"{aspect}_current_rationale"] = rating.current_rationale
        out[f"{aspect}_target_rationale"] = rating.target_rationale
    return out


# -- outcomes --------------------------------------------------------------------


def _details(values: Mapping[str, Any], side: str) -> Implementation:
    return Implementation(
        policies=values[f"{side}_policies"],
        practices=values[f"{side}_practices"],
        roles=values[f"{side}_roles"],
        references=tuple(values[f"{side}_references"] or ()),
        evidence=tuple(values[f"{side}_evidence"] or ()),
    )


def entry_from_values(code: str, values: Mapping[str, Any], scale: Scale) -> OutcomeEntry:
    """The domain entry for column values (see :data:`ENTRY_COLUMNS`); refuses a rating
    that is not a level of ``scale``."""
    priority = values["priority"]
    current_priority = values["current_priority"]
    return OutcomeEntry(
        outcome=code,
        included=values["included"],
        rationale=values["rationale"],
        priority=Priority(priority) if priority else None,
        current=level_of(scale, values["current"], element=code, side="current"),
        target=level_of(scale, values["target"], element=code, side="target"),
        owner=values["owner_name"],
        notes=values["notes"],
        considerations=values["considerations"],
        current_priority=Priority(current_priority) if current_priority else None,
        current_details=_details(values, "current"),
        target_details=_details(values, "target"),
    )


def entry_of(row: m.ProfileOutcome, scale: Scale) -> OutcomeEntry:
    """The domain entry of one stored outcome row."""
    return entry_from_values(row.code, row.__dict__, scale)


def entry_fields(entry: OutcomeEntry) -> dict[str, Any]:
    """Column values for a domain entry (the owner *user* is resolved by the caller)."""
    out: dict[str, Any] = {
        "included": entry.included,
        "rationale": entry.rationale,
        "priority": entry.priority.value if entry.priority else "",
        "current_priority": entry.current_priority.value if entry.current_priority else "",
        "current": entry.current.key if entry.current else None,
        "target": entry.target.key if entry.target else None,
        "owner_name": entry.owner,
        "notes": entry.notes,
        "considerations": entry.considerations,
    }
    for side in SIDES:
        details = entry.current_details if side == "current" else entry.target_details
        for name in DETAIL_FIELDS:
            value = getattr(details, name)
            out[f"{side}_{name}"] = list(value) if isinstance(value, tuple) else value
    return out


def blank_entry_fields() -> dict[str, Any]:
    """The values of an outcome that is in no way part of the profile (not included, empty)."""
    return entry_fields(OutcomeEntry("-", included=False))


ENTRY_COLUMNS: tuple[str, ...] = tuple(blank_entry_fields())
"""Every column an outcome entry fills (besides the owner user and bookkeeping)."""


# -- actions ---------------------------------------------------------------------


def action_of(row: m.Action) -> Action:
    return Action(
        id=row.code,
        title=row.title,
        outcomes=tuple(row.outcomes),
        owner=row.owner_name,
        due=row.due,
        milestone=row.milestone,
        status=ActionStatus(row.status),
        cost=row.cost,
        controls=tuple(row.controls),
        notes=row.notes,
    )


def action_fields(action: Action) -> dict[str, Any]:
    return {
        "code": action.id,
        "title": action.title,
        "outcomes": list(action.outcomes),
        "owner_name": action.owner,
        "due": action.due,
        "milestone": action.milestone,
        "status": action.status.value,
        "cost": action.cost,
        "controls": list(action.controls),
        "notes": action.notes,
    }


ACTION_COLUMNS: tuple[str, ...] = tuple(action_fields(Action("A-001", "-", ("-",))))
"""Every column an action line fills (besides the owner user and bookkeeping)."""


# -- whole profiles --------------------------------------------------------------


def profile_fields(profile: Profile) -> dict[str, Any]:
    """Column values of the profile row (not the framework, which is a foreign key)."""
    return {
        "name": profile.name,
        "kind": profile.kind.value,
        "scope_type": profile.scope.type.value,
        "scope_name": profile.scope.name,
        "description": profile.description,
        "assumptions": profile.assumptions,
        "scale": scale_to_json(profile.scale),
        "rollup": profile.rollup.value,
        "based_on": profile.based_on,
        **tier_fields(profile.tiers),
    }


def profile_values(row: m.Profile) -> dict[str, Any]:
    """The editable profile-level values of a row, as a refused stale save reports them."""
    return {
        "name": row.name,
        "scope_type": row.scope_type,
        "scope_name": row.scope_name,
        "description": row.description,
        "assumptions": row.assumptions,
        "rollup": row.rollup,
        "based_on": row.based_on,
        "scale": row.scale,
        **tier_fields(tiers_of(row)),
    }


def to_domain(
    row: m.Profile,
    outcomes: Iterable[m.ProfileOutcome],
    actions: Iterable[m.Action] = (),
    *,
    framework_key: str | None = None,
    omit_blank: bool = True,
) -> Profile:
    """The domain profile of stored rows.

    An outcome row that is not included and holds nothing at all is left out
    (``omit_blank``): in a profile file a missing outcome means exactly that,
    so export writes only what carries information.
    """
    scale = scale_of(row)
    blank = OutcomeEntry("-", included=False)
    entries: dict[str, OutcomeEntry] = {}
    for o in outcomes:
        entry = entry_of(o, scale)
        if omit_blank and _is_blank(entry, blank):
            continue
        entries[o.code] = entry
    return Profile(
        name=row.name,
        framework=framework_key or row.framework.key,
        kind=ProfileKind(row.kind),
        scope=Scope(ScopeType(row.scope_type), row.scope_name),
        description=row.description,
        assumptions=row.assumptions,
        scale=scale,
        rollup=RollUp(row.rollup),
        based_on=row.based_on,
        tiers=tiers_of(row),
        outcomes=entries,
        actions=tuple(action_of(a) for a in actions),
    )


def _is_blank(entry: OutcomeEntry, blank: OutcomeEntry) -> bool:
    return replace(entry, outcome="-") == blank


def ratings_profile(
    row: m.Profile, ratings: Mapping[str, tuple[bool, str | None, Any, Any]], framework_key: str
) -> Profile:
    """A domain profile holding only what scores need: included, priority and both ratings.

    ``ratings`` maps outcome ids to ``(included, priority, current, target)``; used by
    list pages that score many profiles at once from a single query.
    """
    scale = scale_of(row)
    entries = {
        code: OutcomeEntry(
            outcome=code,
            included=included,
            priority=Priority(priority) if priority else None,
            current=level_of(scale, current, element=code, side="current"),
            target=level_of(scale, target, element=code, side="target"),
        )
        for code, (included, priority, current, target) in ratings.items()
    }
    return Profile(
        name=row.name,
        framework=framework_key,
        kind=ProfileKind(row.kind),
        scale=scale,
        rollup=RollUp(row.rollup),
        outcomes=entries,
    )
