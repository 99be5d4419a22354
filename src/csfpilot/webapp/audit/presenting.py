"""Events as people read them: translated names, and each change as "before → after" text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.audit.models import AuditEvent

ACTIONS = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "import": _("imported"),
    "revoke": _("revoked"),
    "backup": _("backed up"),
    "restore": _("restored"),
    "download": _("downloaded"),
    "sign-in": _("signed in"),
    "sign-in-failed": _("failed to sign in"),
}
OBJECT_TYPES = {
    "organization": _("Organization"),
    "membership": _("Member"),
    "api_token": _("API token"),
    "profile": _("Profile"),
    "outcome": _("Outcome"),
    "tiers": _("Tiers"),
    "action": _("Action"),
    "snapshot": _("Snapshot"),
    "backup": _("Backup"),
    "report_template": _("Report template"),
    "report": _("Report"),
    "export": _("Export"),
    "audit_trail": _("Audit trail"),
    "account": _("Account"),
    "mfa": _("Two-factor authentication"),
    "password": _("Password"),
}
# A bulk event lists every object; the page shows this many, the exports all of them.
ITEMS_SHOWN = 25


def value_text(value: Any) -> str:
    """One stored value as short text: empty for nothing, lists comma-separated."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass
class ItemView:
    object_type: str
    label: str
    action: str
    changes: list[FieldChange]


@dataclass
class EventView:
    event: AuditEvent
    object_type: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    items: list[ItemView] = field(default_factory=list)
    more_items: int = 0
    extra: list[FieldChange] = field(default_factory=list)


def _field_changes(changes: dict[str, Any]) -> list[FieldChange]:
    out = []
    for name, pair in changes.items():
        if isinstance(pair, list) and len(pair) == 2:
            out.append(FieldChange(name, value_text(pair[0]), value_text(pair[1])))
        else:
            out.append(FieldChange(name, "", value_text(pair)))
    return out


def type_label(object_type: str) -> str:
    return str(OBJECT_TYPES.get(object_type, object_type))


def present(event: AuditEvent) -> EventView:
    view = EventView(
        event, type_label(event.object_type), str(ACTIONS.get(event.action, event.action))
    )
    changes = dict(event.changes or {})
    objects = changes.pop("objects", None)
    if isinstance(objects, list):
        changes.pop("count", None)
        view.extra = [FieldChange(k, "", value_text(v)) for k, v in changes.items()]
        for item in objects[:ITEMS_SHOWN]:
            view.items.append(
                ItemView(
                    type_label(item.get("type", "")),
                    item.get("label") or item.get("id", ""),
                    str(ACTIONS.get(item.get("action", ""), item.get("action", ""))),
                    _field_changes(item.get("changes") or {}),
                )
            )
        view.more_items = max(0, len(objects) - ITEMS_SHOWN)
    else:
        view.changes = _field_changes(changes)
    return view
