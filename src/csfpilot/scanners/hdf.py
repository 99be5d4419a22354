"""MITRE's Heimdall Data Format (HDF), the JSON that InSpec's ``json`` reporter writes.

Each control of each profile is one finding. Its ``tags.nist`` list
(``["AC-2", "AU-9 (3)"]``) gives SP 800-53 ids and ``tags.cci`` CCI ids. The
``impact`` gives the severity (HDF's bands: 0.9 and up critical, 0.7 high,
0.4 medium, above 0 low, 0 informational) and the ``results`` the status, in
Heimdall's order: impact 0 is not applicable; any failed test fails the
control; else an error is an error; all skipped (or no test run) needs a
person; else it passed. A control listed again by a profile it depends on
(an overlay) is read once, where it has results.
"""

from __future__ import annotations

import re
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import Finding, FindingStatus, ScanReport, Severity
from csfpilot.scanners.json_input import Node, decode, parse_text
from csfpilot.scanners.vocabulary import severity_word, timestamp, unique

FORMAT = "hdf"
MAX_FINDINGS = 200_000
RESULT_STATUSES = frozenset({"passed", "failed", "skipped", "error"})
# STIG profiles tag the revision beside the controls ("Rev_4"): not a control id.
_REVISION = re.compile(r"^rev[_ ]?\d$", re.IGNORECASE)


def looks_like(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("profiles"), list)
        and ("platform" in doc or "statistics" in doc)
    )


def impact_severity(impact: float) -> Severity:
    if impact >= 0.9:
        return Severity.CRITICAL
    if impact >= 0.7:
        return Severity.HIGH
    if impact >= 0.4:
        return Severity.MEDIUM
    if impact > 0:
        return Severity.LOW
    return Severity.INFO


def control_status(impact: float | None, statuses: list[str]) -> FindingStatus:
    if impact == 0:
        return FindingStatus.NOT_APPLICABLE
    if "failed" in statuses:
        return FindingStatus.FAIL
    if "error" in statuses:
        return FindingStatus.ERROR
    if not statuses or all(s == "skipped" for s in statuses):
        return FindingStatus.MANUAL
    return FindingStatus.PASS


def read(data: bytes, *, name: str) -> ScanReport:
    return from_document(parse_text(decode(data, name=name), name=name), name=name)


def from_document(doc: Any, *, name: str) -> ScanReport:
    root = Node(doc, name=name)
    if not isinstance(doc, dict):
        raise root.refuse("an HDF/InSpec report is a JSON object")
    platform = root.child("platform")
    scope = platform.text("target_id") or " ".join(
        p for p in (platform.text("name"), platform.text("release")) if p
    )
    chosen: dict[str, Finding] = {}
    with_results: set[str] = set()
    started = None
    profiles = list(root.items("profiles", required=True))
    if not profiles:
        raise root.refuse("the report holds no profile", "profiles")
    for profile in profiles:
        for control in profile.items("controls", required=True):
            finding, has_results, first_time = _control(control)
            started = started or first_time
            if finding.rule_id in chosen and (finding.rule_id in with_results or not has_results):
                continue
            chosen[finding.rule_id] = finding
            if has_results:
                with_results.add(finding.rule_id)
            if len(chosen) > MAX_FINDINGS:
                raise InputRefused(f"more than {MAX_FINDINGS:,} controls", file=name)
    return ScanReport(
        format=FORMAT,
        tool="InSpec",
        tool_version=root.text("version"),
        scope=scope,
        started_at=started,
        findings=tuple(chosen.values()),
        notes=tuple(f"profile {p.text('name')} {p.text('version')}".strip() for p in profiles),
    )


def _control(control: Node) -> tuple[Finding, bool, Any]:
    control_id = control.text("id", required=True)
    impact = control.number("impact")
    if impact is not None and not 0 <= impact <= 1:
        raise control.refuse(f"impact {impact:g} is outside 0 to 1", "impact")
    tags = control.child("tags")
    statuses: list[str] = []
    messages: list[str] = []
    resources: list[str] = []
    first_time = None
    for result in control.items("results"):
        status = result.text("status", required=True)
        if status not in RESULT_STATUSES:
            known = ", ".join(sorted(RESULT_STATUSES))
            raise result.refuse(f"status {status!r} is not one of {known}", "status")
        statuses.append(status)
        first_time = first_time or timestamp(result.text("start_time"))
        if status in ("failed", "error"):
            messages.append(result.text("message") or result.text("code_desc"))
            resources.append(result.text("resource_id") or result.text("resource"))
    if impact is not None:
        severity = impact_severity(impact)
    else:
        severity = severity_word(tags.text("severity"))
    nist = [n for n in tags.texts("nist") if not _REVISION.match(n)]
    finding = Finding(
        rule_id=control_id,
        title=control.text("title") or control_id,
        status=control_status(impact, statuses),
        severity=severity,
        resource=", ".join(unique(resources)),
        sp800_53=unique(nist),
        cci=unique(tags.texts("cci")),
        tags=unique([*tags.texts("cis_controls"), tags.text("gid"), tags.text("stig_id")]),
        detail="\n".join(m for m in messages if m)[:4000],
    )
    return finding, bool(statuses), first_time
