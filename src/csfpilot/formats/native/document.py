"""The native profile document: the plain structure behind both YAML and JSON files.

A profile file holds one JSON-compatible document (see docs/profile-format.md
and the JSON Schema ``profile.schema.json`` next to this module). This module
turns such a document into a :class:`~csfpilot.core.profiles.Profile` and
back. Every refusal names the outcome (``element``) and the field, relative
to that outcome (``current``, ``target_details.references[2]``) or, for
profile-level content, from the document root (``tiers.governance.current``).
The file reader adds the file name and the line.

Format versions: ``format_version: 2`` adds ``evidence_items`` (references
to an evidence library, :mod:`.evidence_refs`) and nothing else, so a file is
written as version 1 unless it cites library items: csfpilot releases that
read only version 1 still read every file without them. A newer version is
refused with a message saying which csfpilot reads it; version 1 reads as it is.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import FRAMEWORK_KEY_RE
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
    SnapshotInfo,
    Tier,
    TierRating,
    Tiers,
)
from csfpilot.formats.native.evidence_refs import read_refs, refs_out

FORMAT_VERSION = 2
# The version that has no evidence_items: what a file without them is written as.
PLAIN_VERSION = 1

TOP_KEYS = (
    "format_version",
    "kind",
    "framework",
    "name",
    "scope",
    "description",
    "assumptions",
    "scale",
    "rollup",
    "based_on",
    "tiers",
    "outcomes",
    "actions",
    "snapshot",
)
OUTCOME_KEYS = (
    "included",
    "rationale",
    "priority",
    "current",
    "target",
    "owner",
    "notes",
    "considerations",
    "current_priority",
    "current_details",
    "target_details",
)
DETAIL_KEYS = ("policies", "practices", "roles", "references", "evidence")
# Written only when a side cites library items (see evidence_refs).
EVIDENCE_ITEMS = "evidence_items"
TIER_KEYS = ("current", "target", "current_rationale", "target_rationale")
ACTION_KEYS = (
    "id",
    "title",
    "outcomes",
    "owner",
    "due",
    "milestone",
    "status",
    "cost",
    "controls",
    "notes",
)
SCALE_KEYS = ("key", "name", "description", "levels")
LEVEL_KEYS = ("key", "label", "score", "hotkey", "description")
SCOPE_KEYS = ("type", "name")
SNAPSHOT_KEYS = ("taken", "label")


class _Where:
    """Where in the document a value sits: an outcome (element) and a field path."""

    def __init__(self, element: str | None = None, field: str = "") -> None:
        self.element = element
        self.field = field

    def key(self, name: str) -> _Where:
        return _Where(self.element, f"{self.field}.{name}" if self.field else name)

    def index(self, i: int) -> _Where:
        return _Where(self.element, f"{self.field}[{i}]")

    def refuse(self, message: str) -> InputRefused:
        return InputRefused(message, element=self.element, field=self.field or None)


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a yes/no value ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"text ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime | date):
        return f"a date ({value.isoformat()})"
    return type(value).__name__


def _mapping(value: Any, where: _Where, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.refuse(f"expected a mapping of keys to values, found {_kind_of(value)}")
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
            raise where.key(key).refuse(f"unknown key {key!r}{hint}")
    return value


def _text(value: Any, where: _Where) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise where.refuse(f"expected text, found {_kind_of(value)}; put it in quotes")
    return value


def _required_text(doc: Mapping[str, Any], key: str, where: _Where) -> str:
    if key not in doc:
        raise where.key(key).refuse(f"the key {key!r} is required")
    text = _text(doc[key], where.key(key))
    if not text.strip():
        raise where.key(key).refuse(f"{key} must not be empty")
    return text


def _text_list(value: Any, where: _Where) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise where.refuse(f"expected a list of text items, found {_kind_of(value)}")
    return tuple(_text(item, where.index(i)) for i, item in enumerate(value))


def _bool(value: Any, where: _Where) -> bool:
    if not isinstance(value, bool):
        raise where.refuse(f"expected true or false, found {_kind_of(value)}")
    return value


def _choice(value: Any, where: _Where, enum: type, what: str) -> Any:
    options = [m.value for m in enum]
    if not isinstance(value, str) or value not in options:
        close = (
            difflib.get_close_matches(value.replace(" ", "-").lower(), options, n=1)
            if isinstance(value, str)
            else []
        )
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise where.refuse(
            f"{_kind_of(value)} is not {what}; use one of: {', '.join(options)}{hint}"
        )
    return enum(value)


def _optional_choice(value: Any, where: _Where, enum: type, what: str) -> Any:
    return None if value is None else _choice(value, where, enum, what)


def _date(value: Any, where: _Where) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        raise where.refuse("expected a date (YYYY-MM-DD), found a date and time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise where.refuse(f"expected a date as YYYY-MM-DD, found {_kind_of(value)}")


def _datetime(value: Any, where: _Where) -> datetime:
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise where.refuse(
            f"expected a date and time such as 2025-03-31T17:00:00+00:00, found {_kind_of(value)}"
        )
    if parsed.tzinfo is None:
        raise where.refuse("the time needs a time zone (e.g. +00:00 or Z)")
    return parsed


# -- scales -----------------------------------------------------------------------

_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def _score(value: Any, where: _Where) -> Fraction | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise where.refuse(f"expected a score between 0 and 1, found {_kind_of(value)}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise where.refuse("the score must be a finite number between 0 and 1")
        return Fraction(repr(value))
    if isinstance(value, str):
        m = _FRACTION.match(value)
        if m and int(m.group(2)) != 0:
            return Fraction(int(m.group(1)), int(m.group(2)))
    raise where.refuse(
        f"expected a score between 0 and 1 (a number, or a fraction like '1/3'), "
        f"found {_kind_of(value)}"
    )


def _scale(value: Any, where: _Where) -> Scale:
    if isinstance(value, str):
        scale = BUILTIN_SCALES.get(value)
        if scale is None:
            raise where.refuse(
                f"{value!r} is not a built-in scale; use {', '.join(BUILTIN_SCALES)} "
                "or define one (a mapping with key, name and levels)"
            )
        return scale
    doc = _mapping(value, where, SCALE_KEYS)
    key = _required_text(doc, "key", where)
    if key in BUILTIN_SCALES:
        raise where.key("key").refuse(
            f"{key!r} is a built-in scale; write `scale: {key}` or give your scale another key"
        )
    raw_levels = doc.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        raise where.key("levels").refuse("a custom scale needs a non-empty list of levels")
    levels: list[Level] = []
    for i, raw in enumerate(raw_levels):
        lw = where.key("levels").index(i)
        level_doc = _mapping(raw, lw, LEVEL_KEYS)
        if "key" not in level_doc:
            raise lw.key("key").refuse("the key 'key' is required")
        level_key = level_doc["key"]
        if isinstance(level_key, bool) or not isinstance(level_key, str | int):
            raise lw.key("key").refuse(
                f"a level key is text or a whole number, found {_kind_of(level_key)}"
            )
        if "score" not in level_doc:
            raise lw.key("score").refuse(
                "the key 'score' is required (use null for a not-applicable level)"
            )
        levels.append(
            Level(
                key=level_key,
                label=_text(level_doc.get("label"), lw.key("label")) or str(level_key),
                score=_score(level_doc["score"], lw.key("score")),
                hotkey=_text(level_doc.get("hotkey"), lw.key("hotkey")),
                description=_text(level_doc.get("description"), lw.key("description")),
            )
        )
    try:
        return Scale(
            key=key,
            name=_text(doc.get("name"), where.key("name")) or key,
            levels=tuple(levels),
            description=_text(doc.get("description"), where.key("description")),
        )
    except InputRefused as exc:
        raise InputRefused(exc.message, field=exc.field or "scale") from None


def scale_from_document(value: Any, *, field: str = "scale") -> Scale:
    """A scale as a document holds it (a built-in key, or a custom scale in full), checked as
    strictly as a profile file's; refused naming ``field``."""
    return _scale(value, _Where(None, field))


def _score_out(score: Fraction | None) -> int | float | str | None:
    if score is None:
        return None
    if score.denominator == 1:
        return int(score)
    as_float = float(score)
    if Fraction(repr(as_float)) == score:
        return as_float
    return f"{score.numerator}/{score.denominator}"


def scale_to_document(scale: Scale) -> str | dict[str, Any]:
    if scale.builtin:
        return scale.key
    out: dict[str, Any] = {"key": scale.key, "name": scale.name}
    if scale.description:
        out["description"] = scale.description
    levels = []
    for level in scale.levels:
        item: dict[str, Any] = {"key": level.key, "label": level.label}
        item["score"] = _score_out(level.score)
        if level.hotkey:
            item["hotkey"] = level.hotkey
        if level.description:
            item["description"] = level.description
        levels.append(item)
    out["levels"] = levels
    return out


# -- parts of a profile -------------------------------------------------------------


def _tier(value: Any, where: _Where) -> Tier | None:
    if value is None:
        return None
    valid = "; ".join(f"{t.value} {t.label}" for t in Tier)
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.refuse(f"a Tier is a whole number 1-4 ({valid}), found {_kind_of(value)}")
    if value not in {t.value for t in Tier}:
        raise where.refuse(f"{value} is not a CSF Tier; Tiers are {valid}")
    return Tier(value)


def _tiers(value: Any, where: _Where) -> Tiers:
    if value is None:
        return Tiers()
    doc = _mapping(value, where, TIER_ASPECTS)
    ratings: dict[str, TierRating] = {}
    for aspect in TIER_ASPECTS:
        aw = where.key(aspect)
        raw = doc.get(aspect)
        if raw is None:
            ratings[aspect] = TierRating()
            continue
        aspect_doc = _mapping(raw, aw, TIER_KEYS)
        ratings[aspect] = TierRating(
            current=_tier(aspect_doc.get("current"), aw.key("current")),
            target=_tier(aspect_doc.get("target"), aw.key("target")),
            current_rationale=_text(
                aspect_doc.get("current_rationale"), aw.key("current_rationale")
            ),
            target_rationale=_text(aspect_doc.get("target_rationale"), aw.key("target_rationale")),
        )
    return Tiers(**ratings)


def _details(value: Any, where: _Where) -> Implementation:
    if value is None:
        return Implementation()
    doc = _mapping(value, where, (*DETAIL_KEYS, EVIDENCE_ITEMS))
    return Implementation(
        policies=_text(doc.get("policies"), where.key("policies")),
        practices=_text(doc.get("practices"), where.key("practices")),
        roles=_text(doc.get("roles"), where.key("roles")),
        references=_text_list(doc.get("references"), where.key("references")),
        evidence=_text_list(doc.get("evidence"), where.key("evidence")),
        evidence_items=read_refs(doc.get(EVIDENCE_ITEMS), where.key(EVIDENCE_ITEMS)),
    )


def _rating(value: Any, scale: Scale, where: _Where) -> Level | None:
    if value is None:
        return None
    return scale.level(value, element=where.element, field=where.field)


def _entry(code: str, value: Any, scale: Scale) -> OutcomeEntry:
    where = _Where(code)
    if value is None:
        return OutcomeEntry(code)
    doc = _mapping(value, where, OUTCOME_KEYS)
    included = doc.get("included", True)
    return OutcomeEntry(
        outcome=code,
        included=_bool(included, where.key("included")),
        rationale=_text(doc.get("rationale"), where.key("rationale")),
        priority=_optional_choice(
            doc.get("priority"), where.key("priority"), Priority, "a priority"
        ),
        current=_rating(doc.get("current"), scale, where.key("current")),
        target=_rating(doc.get("target"), scale, where.key("target")),
        owner=_text(doc.get("owner"), where.key("owner")),
        notes=_text(doc.get("notes"), where.key("notes")),
        considerations=_text(doc.get("considerations"), where.key("considerations")),
        current_priority=_optional_choice(
            doc.get("current_priority"), where.key("current_priority"), Priority, "a priority"
        ),
        current_details=_details(doc.get("current_details"), where.key("current_details")),
        target_details=_details(doc.get("target_details"), where.key("target_details")),
    )


def _action(value: Any, where: _Where) -> Action:
    doc = _mapping(value, where, ACTION_KEYS)
    outcomes = _text_list(doc.get("outcomes"), where.key("outcomes"))
    try:
        return Action(
            id=_required_text(doc, "id", where),
            title=_required_text(doc, "title", where),
            outcomes=outcomes,
            owner=_text(doc.get("owner"), where.key("owner")),
            due=_date(doc.get("due"), where.key("due")),
            milestone=_text(doc.get("milestone"), where.key("milestone")),
            status=_choice(
                doc.get("status", "open"), where.key("status"), ActionStatus, "an action status"
            ),
            cost=_text(doc.get("cost"), where.key("cost")),
            controls=_text_list(doc.get("controls"), where.key("controls")),
            notes=_text(doc.get("notes"), where.key("notes")),
        )
    except InputRefused as exc:
        if exc.field and exc.field.startswith("actions."):
            # The model names the field without the list position; put it back.
            raise where.key(exc.field.removeprefix("actions.")).refuse(exc.message) from None
        raise


def _scope(value: Any, where: _Where) -> Scope:
    if value is None:
        return Scope()
    if isinstance(value, str):
        return Scope(_choice(value, where, ScopeType, "a scope type"))
    doc = _mapping(value, where, SCOPE_KEYS)
    return Scope(
        type=_choice(doc.get("type", "organization"), where.key("type"), ScopeType, "a scope type"),
        name=_text(doc.get("name"), where.key("name")),
    )


def from_document(doc: Any) -> Profile:
    """Build a profile from a parsed document, refusing anything out of shape.

    Ids are not checked against a framework here (that is
    :func:`~csfpilot.core.profiles.check_profile`); everything else is.
    """
    root = _Where()
    doc = _mapping(doc, root, TOP_KEYS)
    if "format_version" not in doc:
        raise root.key("format_version").refuse(
            f"the key 'format_version' is required; this csfpilot writes format_version: "
            f"{PLAIN_VERSION} ({FORMAT_VERSION} for a file citing evidence library items)"
        )
    version = doc["format_version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise root.key("format_version").refuse(
            f"format_version is a whole number (1), found {_kind_of(version)}"
        )
    if version > FORMAT_VERSION:
        raise root.key("format_version").refuse(
            f"this file uses format_version {version}; this csfpilot reads up to "
            f"{FORMAT_VERSION}: upgrade csfpilot to read it"
        )
    framework = _required_text(doc, "framework", root)
    if not FRAMEWORK_KEY_RE.match(framework):
        raise root.key("framework").refuse(
            f"{framework!r} is not a framework key (lower-case letters, digits, '.', '-'; "
            "e.g. csf-2.0)"
        )
    name = _required_text(doc, "name", root)
    if "scale" not in doc:
        raise root.key("scale").refuse(
            f"the key 'scale' is required ({', '.join(BUILTIN_SCALES)}, or a custom scale)"
        )
    scale = _scale(doc["scale"], root.key("scale"))
    raw_outcomes = doc.get("outcomes")
    if raw_outcomes is None:
        raw_outcomes = {}
    if not isinstance(raw_outcomes, dict):
        raise root.key("outcomes").refuse(
            f"expected a mapping of outcome ids to entries, found {_kind_of(raw_outcomes)}"
        )
    entries = {code: _entry(code, value, scale) for code, value in raw_outcomes.items()}
    raw_actions = doc.get("actions")
    if raw_actions is None:
        raw_actions = []
    if not isinstance(raw_actions, list):
        raise root.key("actions").refuse(
            f"expected a list of actions, found {_kind_of(raw_actions)}"
        )
    actions = tuple(
        _action(item, root.key("actions").index(i)) for i, item in enumerate(raw_actions)
    )
    snapshot = None
    if doc.get("snapshot") is not None:
        sw = root.key("snapshot")
        snap = _mapping(doc["snapshot"], sw, SNAPSHOT_KEYS)
        if "taken" not in snap:
            raise sw.key("taken").refuse("the key 'taken' is required")
        snapshot = SnapshotInfo(
            taken=_datetime(snap["taken"], sw.key("taken")),
            label=_text(snap.get("label"), sw.key("label")),
        )
    return Profile(
        name=name,
        framework=framework,
        kind=_choice(
            doc.get("kind", "organizational"), root.key("kind"), ProfileKind, "a profile kind"
        ),
        scope=_scope(doc.get("scope"), root.key("scope")),
        description=_text(doc.get("description"), root.key("description")),
        assumptions=_text(doc.get("assumptions"), root.key("assumptions")),
        scale=scale,
        rollup=_choice(doc.get("rollup", "equal"), root.key("rollup"), RollUp, "a roll-up"),
        based_on=_text(doc.get("based_on"), root.key("based_on")),
        tiers=_tiers(doc.get("tiers"), root.key("tiers")),
        outcomes=entries,
        actions=actions,
        snapshot=snapshot,
    )


# -- writing --------------------------------------------------------------------------


def _details_out(details: Implementation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in DETAIL_KEYS:
        value = getattr(details, key)
        if value:
            out[key] = list(value) if isinstance(value, tuple) else value
    if details.evidence_items:
        out[EVIDENCE_ITEMS] = refs_out(details.evidence_items)
    return out


def _entry_out(entry: OutcomeEntry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "included": entry.included,
        "rationale": entry.rationale,
        "priority": entry.priority.value if entry.priority else None,
        "current": entry.current.key if entry.current else None,
        "target": entry.target.key if entry.target else None,
        "owner": entry.owner,
        "notes": entry.notes,
    }
    if entry.considerations:
        out["considerations"] = entry.considerations
    if entry.current_priority is not None:
        out["current_priority"] = entry.current_priority.value
    for side in ("current_details", "target_details"):
        details = _details_out(getattr(entry, side))
        if details:
            out[side] = details
    return out


def _tier_out(rating: TierRating) -> dict[str, Any]:
    out: dict[str, Any] = {
        "current": int(rating.current) if rating.current is not None else None,
        "target": int(rating.target) if rating.target is not None else None,
    }
    if rating.current_rationale:
        out["current_rationale"] = rating.current_rationale
    if rating.target_rationale:
        out["target_rationale"] = rating.target_rationale
    return out


def _action_out(action: Action) -> dict[str, Any]:
    return {
        "id": action.id,
        "title": action.title,
        "outcomes": list(action.outcomes),
        "owner": action.owner,
        "due": action.due.isoformat() if action.due else None,
        "milestone": action.milestone,
        "status": action.status.value,
        "cost": action.cost,
        "controls": list(action.controls),
        "notes": action.notes,
    }


def to_document(profile: Profile, *, order: list[str] | None = None) -> dict[str, Any]:
    """The document for a profile: JSON-compatible, keys in a fixed order.

    Outcomes are written in ``order`` (e.g. the framework's document order)
    when given, then any others in the profile's own order.
    """
    codes = [c for c in (order or []) if c in profile.outcomes]
    codes += [c for c in profile.outcomes if c not in set(codes)]
    cites = any(
        entry.current_details.evidence_items or entry.target_details.evidence_items
        for entry in profile.outcomes.values()
    )
    doc: dict[str, Any] = {
        "format_version": FORMAT_VERSION if cites else PLAIN_VERSION,
        "kind": profile.kind.value,
        "framework": profile.framework,
        "name": profile.name,
        "scope": {"type": profile.scope.type.value, "name": profile.scope.name},
        "description": profile.description,
        "assumptions": profile.assumptions,
        "scale": scale_to_document(profile.scale),
        "rollup": profile.rollup.value,
    }
    if profile.based_on:
        doc["based_on"] = profile.based_on
    doc["tiers"] = {aspect: _tier_out(profile.tiers.aspect(aspect)) for aspect in TIER_ASPECTS}
    doc["outcomes"] = {code: _entry_out(profile.outcomes[code]) for code in codes}
    doc["actions"] = [_action_out(a) for a in profile.actions]
    if profile.snapshot is not None:
        doc["snapshot"] = {
            "taken": profile.snapshot.taken.isoformat(),
            "label": profile.snapshot.label,
        }
    return doc
