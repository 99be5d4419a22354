"""Words the profile pages show for the domain's values, in the reader's language.

The domain speaks English only (``partially``, ``in-progress``,
``target_details.policies``); these tables name each value the way a page, a
change list or a conflict message should show it, translated.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from csfpilot.core.profiles import ActionStatus, Priority, ProfileKind, Scale, ScopeType

# Words the pages show for the domain's values (the domain itself speaks only English).
KIND_LABELS = {
    ProfileKind.ORGANIZATIONAL: _("Organizational Profile"),
    ProfileKind.COMMUNITY: _("Community Profile"),
}
SCOPE_LABELS = {
    ScopeType.ORGANIZATION: _("Whole organization"),
    ScopeType.BUSINESS_UNIT: _("Business unit"),
    ScopeType.SYSTEM: _("System"),
    ScopeType.PRODUCT: _("Product"),
}
PRIORITY_LABELS = {
    Priority.HIGH: pgettext_lazy("priority", "High"),
    Priority.MEDIUM: pgettext_lazy("priority", "Medium"),
    Priority.LOW: pgettext_lazy("priority", "Low"),
}
STATUS_LABELS = {
    ActionStatus.OPEN: pgettext_lazy("action status", "Open"),
    ActionStatus.IN_PROGRESS: pgettext_lazy("action status", "In progress"),
    ActionStatus.DONE: pgettext_lazy("action status", "Done"),
    ActionStatus.RISK_ACCEPTED: pgettext_lazy("action status", "Risk accepted"),
}
# The built-in scales' names, short, where a profile's facts name its scale.
SCALE_NAMES = {
    "status": _("Implementation status"),
    "maturity": _("Maturity 0–5"),
}
SCALE_LABELS = {
    "status": _("Implementation status (not / partially / largely / fully implemented, N/A)"),
    "maturity": _("Maturity 0–5 (non-existent … optimized, N/A)"),
}
# The built-in scales' levels in the reader's language; custom scales show their own labels.
LEVEL_LABELS: dict[tuple[str, str], Any] = {
    ("status", "not"): _("Not implemented"),
    ("status", "partially"): _("Partially implemented"),
    ("status", "largely"): _("Largely implemented"),
    ("status", "fully"): _("Fully implemented"),
    ("status", "na"): _("Not applicable"),
    ("maturity", "0"): _("0 – Non-existent"),
    ("maturity", "1"): _("1 – Initial"),
    ("maturity", "2"): _("2 – Repeatable"),
    ("maturity", "3"): _("3 – Defined"),
    ("maturity", "4"): _("4 – Managed"),
    ("maturity", "5"): _("5 – Optimized"),
    ("maturity", "na"): _("Not applicable"),
}
LEVEL_HELP: dict[tuple[str, str], Any] = {
    ("status", "not"): _("The outcome is not achieved."),
    ("status", "partially"): _(
        "Some of the outcome is achieved, in some places or some of the time."
    ),
    ("status", "largely"): _("Most of the outcome is achieved; gaps are known and limited."),
    ("status", "fully"): _("The outcome is achieved."),
    ("status", "na"): _("The outcome does not apply in this scope."),
    ("maturity", "0"): _("No recognizable practice."),
    ("maturity", "1"): _("Ad hoc, depends on individuals."),
    ("maturity", "2"): _("Repeated in similar situations."),
    ("maturity", "3"): _("Documented and communicated."),
    ("maturity", "4"): _("Measured and kept under control."),
    ("maturity", "5"): _("Continuously improved."),
    ("maturity", "na"): _("The outcome does not apply in this scope."),
}


def level_label(scale: Scale, key: Any) -> str:
    """A level's name in the reader's language (a custom scale's own label otherwise)."""
    if key is None:
        return ""
    translated = LEVEL_LABELS.get((scale.key, str(key))) if scale.builtin else None
    if translated is not None:
        return str(translated)
    level = scale.get(key)
    return level.label if level is not None else str(key)


def level_help(scale: Scale, key: Any) -> str:
    translated = LEVEL_HELP.get((scale.key, str(key))) if scale.builtin else None
    if translated is not None:
        return str(translated)
    level = scale.get(key)
    return level.description if level is not None else ""


# -- names of fields, as change lists and conflict messages show them --------------------------

FIELD_NAMES: dict[str, Any] = {
    "name": _("Name"),
    "framework": _("Framework"),
    "kind": _("Kind"),
    "scope.type": _("Scope"),
    "scope.name": _("Scope name"),
    "description": _("Description"),
    "assumptions": _("Assumptions"),
    "scale": _("Rating scale"),
    "rollup": _("Roll-up"),
    "based_on": _("Targets from"),
    "included": _("Included in the profile"),
    "rationale": _("Rationale"),
    "priority": _("Priority"),
    "current_priority": _("Current priority"),
    "current": _("Current"),
    "target": _("Target"),
    "owner": pgettext_lazy("person responsible", "Owner"),
    "owner_name": pgettext_lazy("person responsible", "Owner"),
    "owner_id": _("Assigned member"),
    "notes": _("Notes"),
    "considerations": _("Considerations"),
    "title": _("Action"),
    "outcomes": _("Outcomes"),
    "due": _("Due"),
    "milestone": _("Milestone"),
    "status": _("Status"),
    "cost": _("Effort"),
    "controls": _("Controls"),
    "action": _("Action"),
}
DETAIL_NAMES: dict[str, Any] = {
    "policies": _("policies, processes and procedures"),
    "practices": _("internal practices"),
    "roles": _("roles and responsibilities"),
    "references": _("informative references"),
    "evidence": _("evidence"),
}
ASPECT_NAMES: dict[str, Any] = {
    "governance": _("risk governance"),
    "management": _("risk management"),
}
TIER_FIELD_NAMES: dict[str, Any] = {
    "current": _("current Tier"),
    "target": _("target Tier"),
    "current_rationale": _("why the current Tier"),
    "target_rationale": _("why the target Tier"),
}


def field_label(name: str) -> str:
    """A field of a change list in words: ``target_details.policies`` → "Target: policies,
    processes and procedures"; ``tiers.governance.target`` → "Tiers, risk governance:
    target Tier". Unknown names are shown as they are."""
    if name in FIELD_NAMES:
        return str(FIELD_NAMES[name])
    side, _dot, detail = name.partition(".")
    if (
        side in ("current_details", "target_details", "current", "target")
        and detail in DETAIL_NAMES
    ):
        which = FIELD_NAMES["current" if side.startswith("current") else "target"]
        return f"{which}: {DETAIL_NAMES[detail]}"
    for prefix in ("current_", "target_"):
        if name.startswith(prefix) and name[len(prefix) :] in DETAIL_NAMES:
            which = FIELD_NAMES[prefix[:-1]]
            return f"{which}: {DETAIL_NAMES[name[len(prefix) :]]}"
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "tiers" and parts[1] in ASPECT_NAMES:
        return f"{_('Tiers')}, {ASPECT_NAMES[parts[1]]}: {TIER_FIELD_NAMES.get(parts[2], parts[2])}"
    return name
