"""What the audit trail records of a profile: its fields, its outcomes and its actions.

The profile services call :mod:`csfpilot.webapp.audit.services` themselves;
this module only reads a profile's state in the shape the trail compares, so
that a whole-profile change (a file import, a derived target) is recorded as
one event listing each outcome and action it changed, field by field.
"""

from __future__ import annotations

from typing import Any

from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import storage

OUTCOME = "outcome"
ACTION = "action"
PROFILE = "profile"
TIERS = "tiers"
SNAPSHOT = "snapshot"

_OUTCOME_SKIP = {
    "id",
    "profile_id",
    "node_id",
    "code",
    "position",
    "version",
    "updated_at",
    "updated_by_id",
}
_ACTION_SKIP = {"id", "profile_id", "version", "created_at", "updated_at", "updated_by_id"}


def profile_state(row: m.Profile) -> dict[str, Any]:
    """The profile-level fields a change is compared on (Tiers included)."""
    return {**storage.profile_values(row), "kind": row.kind, "framework": row.framework.key}


def outcome_label(row: m.Profile, code: str) -> str:
    return f"{code} · {row.name}"


def outcome_states(row: m.Profile) -> dict[str, dict[str, Any]]:
    """Every outcome's recorded fields, keyed by outcome id (one query)."""
    return {
        o["code"]: {k: v for k, v in o.items() if k not in _OUTCOME_SKIP}
        for o in m.ProfileOutcome.objects.filter(profile=row).order_by("position").values()
    }


def action_states(row: m.Profile) -> dict[str, dict[str, Any]]:
    return {
        a["code"]: {k: v for k, v in a.items() if k not in _ACTION_SKIP}
        for a in m.Action.objects.filter(profile=row).order_by("position", "id").values()
    }


def content_state(row: m.Profile) -> dict[str, Any]:
    """The whole profile: fields, outcomes, actions (three queries)."""
    return {
        "profile": profile_state(row),
        "outcomes": outcome_states(row),
        "actions": action_states(row),
    }


def content_items(
    row: m.Profile, before: dict[str, Any] | None, after: dict[str, Any]
) -> list[audit.Item]:
    """Each object a whole-profile change created, changed or deleted (``before`` None: new)."""
    items: list[audit.Item] = []
    if before is None:
        items.append(
            audit.Item(
                PROFILE, row.pk, audit.Action.CREATE, row.name, audit.created(after["profile"])
            )
        )
        empty: dict[str, dict[str, Any]] = {}
        blank = {
            code: {**values, **{k: v for k, v in _blank_outcome().items() if k in values}}
            for code, values in after["outcomes"].items()
        }
        before = {"profile": after["profile"], "outcomes": blank, "actions": empty}
    else:
        changes = audit.diff(before["profile"], after["profile"])
        if changes:
            items.append(audit.Item(PROFILE, row.pk, audit.Action.UPDATE, row.name, changes))
    items += audit.rows_diff(
        OUTCOME, before["outcomes"], after["outcomes"], label=lambda c: outcome_label(row, c)
    )
    items += audit.rows_diff(
        ACTION, before["actions"], after["actions"], label=lambda c: f"{c} · {row.name}"
    )
    return items


def _blank_outcome() -> dict[str, Any]:
    return {**storage.blank_entry_fields(), "owner_id": None}


def record_content(
    access: Access,
    row: m.Profile,
    action: str,
    before: dict[str, Any] | None,
    *,
    summary: dict[str, Any] | None = None,
) -> None:
    """One event for a whole-profile change (import, derived target, replaced content)."""
    items = content_items(row, before, content_state(row))
    audit.record_bulk(access, PROFILE, row.pk, action, items, label=row.name, summary=summary)
