"""What leaves at each redaction level, and the exact listing of a package's fields.

Levels, chosen when a profile is exported:

- ``full``: the whole profile document (notes, rationales, evidence
  descriptions, actions) and its scores; evidence files only when chosen one by one;
- ``no-text``: ratings, priorities, Tiers and dates only. Every free text is
  dropped, not blanked: descriptions, assumptions, scope name, rationales,
  notes, owners, considerations, implementation details (policies, practices,
  roles, references, evidence descriptions and citations), action titles,
  milestones, costs and controls (an action's title becomes its id),
  snapshot labels, a custom scale's description;
- ``scores``: Function and Category scores only (``scores.json``), no profile
  document at all.

The profile's name is the package's title at the ``full`` and ``no-text``
levels (the importer needs a name); at ``scores`` it travels nowhere.

:func:`listing` flattens members into ``(member, field, value)`` rows: the
export preview shows exactly these rows, and an import shows the same rows of
the package it received.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from csfpilot.core.profiles import OutcomeFramework, Profile
from csfpilot.core.scoring import NodeScore, score_profile
from csfpilot.formats.native.document import to_document

FULL, NO_TEXT, SCORES = "full", "no-text", "scores"
LEVELS = (FULL, NO_TEXT, SCORES)
SCORE_LEVELS = ("function", "category")

_OUTCOME_KEPT = ("included", "priority", "current", "target", "current_priority")
_ACTION_KEPT = ("id", "outcomes", "due", "status")


def _percent_text(node: NodeScore, side: str) -> str | None:
    # Fractions as two-decimal texts: exact to read, and no floating-point
    # formatting for another tool to reproduce byte for byte.
    score = getattr(node, side).score
    return None if score is None else f"{float(score) * 100:.2f}"


def _node_out(node: NodeScore) -> dict[str, Any]:
    return {
        "code": node.code,
        "outcomes": node.outcomes,
        "included": node.included,
        "current": _percent_text(node, "current"),
        "target": _percent_text(node, "target"),
        "current_assessed": node.current.assessed,
        "target_assessed": node.target.assessed,
    }


def scores_document(profile: Profile, framework: OutcomeFramework) -> dict[str, Any]:
    """``scores.json``: the profile's, each Function's and each Category's score in percent."""
    scores = score_profile(profile, framework)
    total = _node_out(scores.profile)
    del total["code"]
    return {
        "framework": profile.framework,
        "scale": profile.scale.key,
        "rollup": profile.rollup.value,
        "profile": total,
        "functions": [_node_out(g) for g in scores.at_level("function")],
        "categories": [_node_out(g) for g in scores.at_level("category")],
    }


def strip_text(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A native profile document without any free text (the ``no-text`` level)."""
    out: dict[str, Any] = {
        "format_version": 1,
        "kind": doc["kind"],
        "framework": doc["framework"],
        "name": doc["name"],
        "scope": {"type": doc["scope"]["type"], "name": ""},
        "scale": _scale(doc["scale"]),
        "rollup": doc["rollup"],
        "tiers": {
            aspect: {"current": rating.get("current"), "target": rating.get("target")}
            for aspect, rating in doc.get("tiers", {}).items()
        },
        "outcomes": {
            code: {key: entry[key] for key in _OUTCOME_KEPT if key in entry}
            for code, entry in doc.get("outcomes", {}).items()
        },
        # A title is required in a profile document: the action's id stands in for it.
        "actions": [
            {**{key: action[key] for key in _ACTION_KEPT if key in action}, "title": action["id"]}
            for action in doc.get("actions", [])
        ],
    }
    if "snapshot" in doc:
        out["snapshot"] = {"taken": doc["snapshot"]["taken"], "label": ""}
    return out


def _scale(scale: Any) -> Any:
    if isinstance(scale, str):
        return scale
    levels = [
        {key: level[key] for key in ("key", "label", "score", "hotkey") if key in level}
        for level in scale.get("levels", [])
    ]
    return {"key": scale["key"], "name": scale["name"], "levels": levels}


def profile_members(
    profile: Profile,
    framework: OutcomeFramework,
    level: str,
    *,
    order: list[str] | None = None,
) -> dict[str, Any]:
    """The members of a profile package at ``level`` (see the module text)."""
    if level not in LEVELS:
        raise ValueError(f"unknown redaction level {level!r}")
    scores = scores_document(profile, framework)
    if level == SCORES:
        return {"scores.json": scores}
    doc = to_document(profile, order=order)
    if level == NO_TEXT:
        doc = strip_text(doc)
    return {"profile.json": doc, "scores.json": scores}


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        if not value:
            yield path, {}
        for key in sorted(value):
            yield from _walk(value[key], f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        if not value:
            yield path, []
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    else:
        yield path, value


def listing(members: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """Every field of every member as ``(member, field path, value)``, in a stable order."""
    return [
        (member, path, value)
        for member in sorted(members)
        for path, value in _walk(members[member], "")
    ]
