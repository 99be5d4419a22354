"""Events as people read them: translated names, and each change as "before → after" text.

Fields are named as the pages name them (``current_priority`` is "Current priority"),
values as the pages show them (a level key ``partially`` is "Partially implemented", a
role key is the role's name), and nothing is shown as "(empty)". An event that changed
many objects at once (a file import) is summed up by count; its objects are listed
folded, at most :data:`ITEMS_SHOWN`, and the JSON download has them all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from csfpilot.core.profiles import BUILTIN_SCALES
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.evidence import labels as evidence_labels
from csfpilot.webapp.organizations.roles import Role
from csfpilot.webapp.organizations.sectors import Sector
from csfpilot.webapp.profiles.labels import (
    KIND_LABELS,
    PRIORITY_LABELS,
    SCOPE_LABELS,
    STATUS_LABELS,
    field_label,
    level_label,
)
from csfpilot.webapp.sectors.models import MemberStatus

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
    "evidence": _("Evidence item"),
    "evidence-link": _("Evidence link"),
    "evidence-request": _("Evidence request"),
    "scan-import": _("Scanner results import"),
    "mapping-project": _("Mapping project"),
    "mapping-pair": _("Proposed pair"),
    "supplier": _("Supplier"),
    "supplier-questionnaire": _("Supplier questionnaire"),
    "supplier-link": _("Guest link"),
    "supplier-remediation": _("Remediation request"),
    "received-questionnaire": _("Customer's questionnaire"),
    "sector_membership": _("Sector membership"),
    "sector_steward": _("Sector steward"),
    "sector_contribution": _("Sector benchmark contribution"),
    "sector_aggregate": _("Sector benchmark aggregate"),
    "package-key": _("Signing key"),
    "trusted-key": _("Trusted partner key"),
    "package": _("Signed package"),
}
# A bulk event lists every object; the page shows this many, the exports all of them.
ITEMS_SHOWN = 25

# Fields of organizations, members, tokens and backups (profile fields are named by
# csfpilot.webapp.profiles.labels, as the profile pages name them).
FIELD_NAMES = {
    "user": _("Member"),
    "email": _("E-mail"),
    "slug": _("Short name"),
    "role": _("Role"),
    "prefix": _("Token prefix"),
    "holder": _("Holder"),
    "expires": _("Expires"),
    "revoked": _("Revoked"),
    "sector": _("Sector"),
    "benchmark_membership": _("Counts in the sector benchmark"),
    "steward": _("Steward"),
    "file": _("File"),
    "assigned": _("Outcomes assigned"),
    "generated_from": _("Generated from"),
    "derived_from": _("Derived from"),
    "scope_type": _("Scope"),
    "scope_name": _("Scope name"),
    "sha256": "SHA-256",
    "digest": "SHA-256",
    "label": _("Label"),
    "taken_at": _("Taken"),
    "bytes": _("Size (bytes)"),
    "format": _("Format"),
    "client": _("Client address"),
    "login": _("Sign-in name"),
    "step": _("Step"),
    "how": _("How"),
    "type": _("Type"),
    "code": _("Code"),
    "position": _("Position"),
    "governance_current": _("Risk governance: current Tier"),
    "governance_target": _("Risk governance: target Tier"),
    "governance_current_rationale": _("Risk governance: current Tier rationale"),
    "governance_target_rationale": _("Risk governance: target Tier rationale"),
    "management_current": _("Risk management: current Tier"),
    "management_target": _("Risk management: target Tier"),
    "management_current_rationale": _("Risk management: current Tier rationale"),
    "management_target_rationale": _("Risk management: target Tier rationale"),
    # Evidence items, their links and requests.
    "form": _("Form"),
    "source": _("Source"),
    "collected_on": _("Collected on"),
    "effective_from": _("Effective from"),
    "valid_until": _("Valid until"),
    "review_interval_days": _("Review interval (days)"),
    "confidentiality": _("Confidentiality label"),
    "version": _("Version"),
    "url": _("Link"),
    "statement": _("Statement"),
    "item": _("Evidence item"),
    "items": _("Evidence items"),
    "outcome": _("Outcome"),
    "outcomes": _("Outcomes"),
    "profile": _("Profile"),
    "side": _("Side"),
    "review": _("Review"),
    "comment": _("Comment"),
    "assignee": _("Asked of"),
    "due": _("Due"),
    "note": pgettext_lazy("a written note", "Note"),
    "state": _("State"),
    "retired": _("Retired"),
    "evidence_versions": _("Evidence versions cited"),
    # Scanner results imports.
    "tool": _("Tool"),
    "scope": _("Scanned scope"),
    "findings": _("Findings"),
    "mapped": _("Mapped to outcomes"),
    "unmapped": _("Not mapped, per reason"),
    "contradicted": _("Contradicted outcomes"),
    # Crosswalk reviews (mapping projects and their pairs).
    "relationship": _("Relationship"),
    "proposals": _("Proposals"),
    "method": _("How the assistant proposes"),
    "top": _("Proposals per requirement"),
    "proposed": _("Proposed"),
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "changed": _("Changed"),
    "in_crosswalk": _("In the crosswalk"),
    "bulk_accept": _("Bulk accept"),
    # Suppliers, their questionnaires, guest links and remediation requests.
    "services": _("Services provided"),
    "country": _("Country"),
    "data_access": _("Access to our data"),
    "system_access": _("Access to our systems"),
    "service_dependency": _("How much we depend on the service"),
    "tier": _("Criticality"),
    "tier_override": _("Criticality set by hand"),
    "tier_reason": _("Reason for the criticality set by hand"),
    "contract_start": _("Contract start"),
    "contract_end": _("Contract end"),
    "requirement_profile_id": _("Community Profile required"),
    "requirements": _("Requirement set"),
    "language": _("Questionnaire language"),
    "next_assessment_due": _("Next assessment due"),
    "contacts": _("Contacts"),
    "supplier": _("Supplier"),
    "cycle": _("Cycle"),
    "risk_score": _("Risk"),
    "answers": _("Answers"),
    "verified": _("E-mail verified"),
    "request": _("What must be fixed"),
    # Signed packages, their keys and what arrives in them.
    "fingerprint": _("Key fingerprint"),
    "active": _("In use"),
    "partner": _("Partner"),
    "producer": _("Made by"),
    "trusted": _("Trusted"),
    "package": _("Package"),
    "level": _("Redaction level"),
    "buyer": _("Customer"),
    "reference": _("Questionnaire reference"),
    "answered": _("Outcomes answered"),
    "contributors": _("Contributing organizations"),
    "published": _("Published"),
}
# Digests are told apart by their first digits; the downloads keep them whole.
_DIGESTS = frozenset({"sha256", "digest"})
SHORT_DIGEST = 12
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")
_CHOICES: dict[str, dict[Any, Any]] = {
    "priority": PRIORITY_LABELS,
    "current_priority": PRIORITY_LABELS,
    "status": STATUS_LABELS,
    # A profile's kinds and an evidence item's kinds share no value.
    "kind": {**KIND_LABELS, **evidence_labels.KIND_LABELS},
    "confidentiality": evidence_labels.CONFIDENTIALITY_LABELS,
    "review": evidence_labels.REVIEW_LABELS,
    "side": evidence_labels.SIDE_LABELS,
    "form": evidence_labels.FORM_LABELS,
    "scope_type": SCOPE_LABELS,
    "role": dict(Role.choices),
    "sector": dict(Sector.choices),
    "benchmark_membership": dict(MemberStatus.choices),
}
_LEVEL_FIELDS = frozenset({"current", "target"})


def name_of(field_name: str) -> str:
    """A field in words, in the reader's language (unknown names as they are)."""
    if field_name in FIELD_NAMES:
        return str(FIELD_NAMES[field_name])
    return field_label(field_name)


def _level(value: Any) -> str | None:
    """A built-in scale's level in words (the event does not keep the scale: a key is
    looked up in the status scale, then the maturity scale)."""
    keys = [value, str(value)] + ([int(value)] if str(value).isdigit() else [])
    for scale in BUILTIN_SCALES.values():
        for key in keys:
            if scale.get(key) is not None:
                return level_label(scale, key)
    return None


def shown_value(field_name: str, value: Any) -> str:
    """One stored value as the pages show it: a choice's name, a level's name, a time
    as 2026-12-06 14:30 (stored as ISO 8601 in UTC), a digest by its first digits."""
    if isinstance(value, str):
        moment = _ISO_TIME.match(value)
        if moment:
            return f"{moment.group(1)} {moment.group(2)}"
        if field_name in _DIGESTS and len(value) > SHORT_DIGEST:
            return value[:SHORT_DIGEST] + "…"
    if field_name in _LEVEL_FIELDS and isinstance(value, str | int):
        named = _level(value)
        if named is not None:
            return named
    choices = _CHOICES.get(field_name)
    if choices is not None and isinstance(value, str):
        for key, label in choices.items():
            if str(getattr(key, "value", key)) == value:
                return str(label)
    return value_text(value)


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
    key: str = ""  # the stored name, for the JSON download and for tests


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
    count: int = 0
    summary: str = ""  # "106 outcomes changed, 3 actions created"


def _field_changes(changes: dict[str, Any]) -> list[FieldChange]:
    out = []
    for name, pair in changes.items():
        label = name_of(name)
        if isinstance(pair, list) and len(pair) == 2:
            before, after = shown_value(name, pair[0]), shown_value(name, pair[1])
            out.append(FieldChange(label, before, after, name))
        else:
            out.append(FieldChange(label, "", shown_value(name, pair), name))
    return out


def _summary(objects: list[Any]) -> str:
    """How many objects of each kind a bulk event created, changed or deleted."""
    tally: dict[tuple[str, str], int] = {}
    for item in objects:
        if isinstance(item, dict):
            key = (str(item.get("type", "")), str(item.get("action", "")))
            tally[key] = tally.get(key, 0) + 1
    parts = []
    for (object_type, action), n in tally.items():
        what, did = type_label(object_type), str(ACTIONS.get(action, action))
        parts.append(
            gettext("%(count)d × %(what)s %(did)s") % {"count": n, "what": what, "did": did}
        )
    return ", ".join(parts)


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
        view.count = len(objects)
        view.summary = _summary(objects)
        view.extra = [FieldChange(name_of(k), "", shown_value(k, v), k) for k, v in changes.items()]
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
