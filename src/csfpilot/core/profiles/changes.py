"""What changed between two profiles, field by field.

Used to compare two snapshots (or a snapshot and the live profile), and to
show what deriving a Target Profile from a Community Profile changed. Values
are given as they appear in a profile file (level keys, priority names,
strings), so a change list reads the same in a terminal, a web page or JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from enum import Enum
from typing import Any

from csfpilot.core.profiles.actions import Action
from csfpilot.core.profiles.model import Implementation, OutcomeEntry, Profile
from csfpilot.core.profiles.scales import Level
from csfpilot.core.profiles.tiers import TIER_ASPECTS


@dataclass(frozen=True, slots=True)
class Change:
    """``field`` of ``element`` went from ``before`` to ``after``.

    ``element`` is an outcome id, ``"action <id>"``, or ``""`` for a
    profile-level field (name, scale, tiers...). ``None`` on one side means the
    element or value did not exist there.
    """

    element: str
    field: str
    before: Any
    after: Any


def plain(value: Any) -> Any:
    """A value as a profile file would hold it (level keys, enum values, ISO dates)."""
    if isinstance(value, Level):
        return value.key
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


_ENTRY_FIELDS = (
    "included",
    "rationale",
    "priority",
    "current",
    "target",
    "owner",
    "notes",
    "considerations",
    "current_priority",
)
# Library references are not profile content: linking an item is the evidence library's change.
_DETAIL_FIELDS = tuple(f.name for f in fields(Implementation) if f.name != "evidence_items")


def _entry_values(entry: OutcomeEntry) -> dict[str, Any]:
    out = {name: plain(getattr(entry, name)) for name in _ENTRY_FIELDS}
    for side in ("current_details", "target_details"):
        details: Implementation = getattr(entry, side)
        for name in _DETAIL_FIELDS:
            out[f"{side}.{name}"] = plain(getattr(details, name))
    return out


def _action_values(action: Action) -> dict[str, Any]:
    return {f.name: plain(getattr(action, f.name)) for f in fields(Action) if f.name != "id"}


def _profile_values(profile: Profile) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": profile.name,
        "framework": profile.framework,
        "kind": plain(profile.kind),
        "scope.type": plain(profile.scope.type),
        "scope.name": profile.scope.name,
        "description": profile.description,
        "assumptions": profile.assumptions,
        "scale": profile.scale.key,
        "rollup": plain(profile.rollup),
        "based_on": profile.based_on,
    }
    for aspect in TIER_ASPECTS:
        rating = profile.tiers.aspect(aspect)
        for name in ("current", "target", "current_rationale", "target_rationale"):
            out[f"tiers.{aspect}.{name}"] = plain(getattr(rating, name))
    return out


def _diff(element: str, before: dict[str, Any], after: dict[str, Any]) -> Iterable[Change]:
    for key in list(dict.fromkeys([*before, *after])):
        b, a = before.get(key), after.get(key)
        if b != a:
            yield Change(element, key, b, a)


def profile_changes(
    before: Profile, after: Profile, *, order: list[str] | None = None
) -> list[Change]:
    """Every field that differs, profile-level first, then outcomes, then actions.

    Outcomes are listed in ``order`` (e.g. the framework's document order) when
    given, else by id. An outcome missing on one side counts as a blank row
    that is not included, so adding one shows only what was filled in. An
    action added or removed is one change on the field ``action`` (its title).
    """
    changes = list(_diff("", _profile_values(before), _profile_values(after)))
    codes = set(before.outcomes) | set(after.outcomes)
    ordered = [c for c in order if c in codes] if order else []
    ordered += sorted(codes - set(ordered))
    for code in ordered:
        blank = OutcomeEntry(code, included=False)
        changes.extend(
            _diff(
                code,
                _entry_values(before.entry(code) or blank),
                _entry_values(after.entry(code) or blank),
            )
        )
    action_ids = dict.fromkeys([a.id for a in before.actions] + [a.id for a in after.actions])
    for action_id in action_ids:
        old, new = before.action(action_id), after.action(action_id)
        element = f"action {action_id}"
        if old is None or new is None:
            changes.append(
                Change(element, "action", old.title if old else None, new.title if new else None)
            )
        else:
            changes.extend(_diff(element, _action_values(old), _action_values(new)))
    return changes
