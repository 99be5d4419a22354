"""Every word a report writes itself, in English, keyed by a short name.

A report mixes the organization's own text (names, rationales, notes) with
words csfpilot writes: headings, column names, the names of levels, Tiers
and statuses. The web app hands in the same keys translated into the
reader's language (:mod:`csfpilot.webapp.reports.words`); the command line
uses these English words. A custom template reads them as ``words.<key>``,
so a template can be written once for every language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

ENGLISH: Mapping[str, str] = {
    # Titles and sections
    "brief": "Board brief",
    "workpaper": "Detailed workpaper",
    "tiers": "CSF Tiers",
    "governance": "Cybersecurity risk governance",
    "management": "Cybersecurity risk management",
    "scores": "Score per Function",
    "top_gaps": "Largest gaps, by priority × gap",
    "trend": "Trend since the last snapshot",
    "plan_progress": "Action-plan progress",
    "outcomes": "Outcomes",
    "gaps": "Gaps",
    "action_plan": "Action plan",
    "appendix": "Appendix: method and data provenance",
    "method": "Method",
    "provenance": "Data provenance",
    "summary": "Summary",
    # Column and field names
    "function": "Function",
    "category": "Category",
    "outcome": "Outcome",
    "current": "Current",
    "target": "Target",
    "gap": "Gap",
    "rank": "Rank",
    "priority": "Priority",
    "owner": "Owner",
    "rationale": "Rationale",
    "practices": "Internal practices",
    "policies": "Policies, processes and procedures",
    "roles": "Roles and responsibilities",
    "references": "Informative references",
    "evidence": "Evidence",
    "notes": "Notes",
    "considerations": "Considerations",
    "included": "Included",
    "assessed": "Assessed",
    "name": "Name",
    "about": "About",
    "item": "Item",
    "value": "Value",
    "action": "Action",
    "status": "Status",
    "due": "Due",
    "milestone": "Milestone",
    "cost": "Effort",
    "controls": "Controls",
    "profile": "Profile",
    "organization": "Organization",
    "scope": "Scope",
    "scale": "Rating scale",
    "rollup": "Roll-up",
    "generated": "Generated",
    "framework": "Framework",
    "release": "Release",
    "publisher": "Publisher",
    "source_file": "Source file",
    "sha256": "SHA-256 of the source",
    "level": "Level",
    "score": "Score",
    "before": "Before",
    "now": "Now",
    "change": "Change",
    "yes": "Yes",
    "no": "No",
    # Plan progress
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "risk_accepted": "Risk accepted",
    "overdue": "Overdue",
    "total": "Total",
    "closed": "Closed",
    "actions_closed": "actions closed",
    "overdue_count": "%(count)s overdue",
    "closed_of": "%(n)s of %(total)s closed (%(p)s%%)",
    "closed_rule": "Closed: done or risk accepted. Overdue: past its due date and not closed.",
    # Statements
    "not_assessed": "not assessed",
    "no_gaps": "No outcome is below its target.",
    "no_actions": "The action plan has no actions yet.",
    "no_snapshot": "No snapshot has been taken yet; the trend starts with the first one.",
    "no_tier": "not set",
    "since": "Since %(label)s",
    "more_gaps": "%(count)s more outcomes are below target; the workpaper lists every one.",
    "outcomes_below": "%(count)s outcomes below target",
    "outcomes_assessed": "%(assessed)s of %(included)s included outcomes assessed",
    "not_comparable": "%(count)s included outcomes are not rated on both sides (or not "
    "applicable) and have no gap yet.",
    "method_scale": "Outcomes are rated on the %(scale)s scale; each level has a score from 0 "
    "to 100 (not applicable levels have none and stay out of every mean).",
    "method_equal": "Category, Function and Profile scores are the mean of the scores of the "
    "included, assessed outcomes beneath them (each outcome counts once, never a mean of "
    "means). Unassessed outcomes are counted, never scored as zero.",
    "method_priority": "Category, Function and Profile scores are the weighted mean of the "
    "scores of the included, assessed outcomes beneath them, each outcome weighted by its "
    "target priority (high 3, medium 2, low 1, unset 1). Unassessed outcomes are counted, "
    "never scored as zero.",
    "method_gap": "An outcome's gap is its target score minus its current score, floored at "
    "0. The action plan orders gaps by priority weight × gap, largest first.",
    "provenance_text": "Outcome ids, statements and groups come from %(framework)s, "
    "release %(version)s, published by %(publisher)s, read from the file below.",
    "page": "Page",
    "prepared_for": "Prepared for",
    "chart_title": "Current and target score per Function, 0–100",
    # Enumerations
    "priority_high": "High",
    "priority_medium": "Medium",
    "priority_low": "Low",
    "status_open": "Open",
    "status_in-progress": "In progress",
    "status_done": "Done",
    "status_risk-accepted": "Risk accepted",
    "tier_1": "Tier 1 · Partial",
    "tier_2": "Tier 2 · Risk Informed",
    "tier_3": "Tier 3 · Repeatable",
    "tier_4": "Tier 4 · Adaptive",
    "rollup_equal": "equal weights",
    "rollup_priority": "weighted by priority",
    # Results transferred to other frameworks
    "transferred": "Results transferred to %(framework)s",
    "transfer_note": "Proposed from this profile's results through %(datasets)s; several "
    "sources into one outcome combine by the %(rule)s rule. Coverage full: an equivalent "
    "or containing source; partial: only subsets, overlaps or references, never proposed "
    "as fully achieved.",
    "transfer_counts": "%(reached)s outcomes reached, %(proposed)s with a proposed value "
    "(coverage full: %(full)s, partial: %(partial)s)",
    "outcome_text": "Statement",
    "proposed_current": "Proposed current",
    "proposed_target": "Proposed target",
    "coverage": "Coverage",
    "coverage_full": "full",
    "coverage_partial": "partial",
    "coverage_none": "no rated source",
    "sources": "Sources (current / target, relationship)",
    "datasets": "Datasets",
    "rule_weakest": "weakest link",
    "rule_average": "average",
    "rule_strongest": "strongest",
    "rel_equivalent": "equivalent",
    "rel_superset_of": "superset of",
    "rel_subset_of": "subset of",
    "rel_intersects_with": "intersects with",
    "rel_related_to": "related to",
    # Evidence
    "evidence_register": "Evidence register",
    "evidence_state": "Evidence state",
    "evidence_item": "Evidence item",
    "evidence_kind": "Kind",
    "evidence_summary": "%(supported)s supported, %(unsupported)s unsupported, "
    "%(contradicted)s contradicted",
    "no_evidence_cited": "No evidence item is cited by this profile.",
    "version": "Version",
    "collected": "Collected",
    "effective": "Effective from",
    "valid_until": "Valid until",
    "confidentiality": "Confidentiality",
    "file_sha256": "SHA-256",
    "supports": "Supports",
    "review": "Review",
    "reviewed_by": "Reviewed by",
    "scan_findings": "Scanner findings",
    "findings_summary": "%(passed)s passing, %(failed)s failing (%(serious)s high or critical)",
    "expired": "expired",
    "state_supported": "Supported",
    "state_unsupported": "Unsupported",
    "state_contradicted": "Contradicted",
    "state_no-claim": "No claim",
    "review_pending": "Pending review",
    "review_accepted": "Accepted",
    "review_insufficient": "Insufficient",
    "review_rejected": "Rejected",
    "kind_policy": "Policy",
    "kind_procedure": "Procedure",
    "kind_plan": "Plan",
    "kind_record": "Record or log",
    "kind_configuration": "Configuration",
    "kind_screenshot": "Screenshot",
    "kind_scan-result": "Scan result",
    "kind_attestation": "Attestation",
    "kind_contract": "Contract",
    "kind_training-record": "Training record",
    "kind_other": "Other",
    "confidentiality_public": "Public",
    "confidentiality_internal": "Internal",
    "confidentiality_confidential": "Confidential",
    "confidentiality_restricted": "Restricted",
}


# Words whose message in the translation catalogue carries a context (gettext's msgctxt),
# because the same English word means something else elsewhere in the interface.
CONTEXTS: Mapping[str, str] = {
    "priority_high": "priority",
    "priority_medium": "priority",
    "priority_low": "priority",
    # The plan's counts name the statuses exactly as the action plan page does.
    "open": "action status",
    "in_progress": "action status",
    "done": "action status",
    "risk_accepted": "action status",
    "status_open": "action status",
    "status_in-progress": "action status",
    "status_done": "action status",
    "status_risk-accepted": "action status",
    "owner": "person responsible",
}


def translated(
    gettext: Callable[[str], str], pgettext: Callable[[str, str], str]
) -> dict[str, str]:
    """Every word through a translation catalogue (stdlib :mod:`gettext` or Django's)."""
    return {
        key: pgettext(CONTEXTS[key], text) if key in CONTEXTS else gettext(text)
        for key, text in ENGLISH.items()
    }


def merged(words: Mapping[str, str] | None) -> dict[str, str]:
    """English for every key, replaced by the given words where there are any."""
    out = dict(ENGLISH)
    if words:
        out.update({k: str(v) for k, v in words.items() if k in ENGLISH and v})
    return out
