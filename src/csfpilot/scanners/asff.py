"""AWS Security Hub findings (ASFF), as Security Hub exports them and Prowler writes them.

Accepted shapes: ``{"Findings": [...]}`` (the GetFindings answer), a JSON
array of findings, one finding object, or one finding per line. A finding's
``Compliance.Status`` gives the status (``PASSED`` pass, ``FAILED`` fail,
``WARNING`` needs a person, ``NOT_AVAILABLE`` the check gave no answer: error);
a finding without a compliance part (a threat or vulnerability detector's) is
a failure. ``Compliance.RelatedRequirements`` entries citing SP 800-53
(``NIST.800-53.r5 AC-4``; Prowler's ``NIST-800-53-Revision-5 ac_2_1 ac_3``) or
the CSF give NIST ids; the others are kept as tags, with the security control
id (``IAM.6``). Archived findings are skipped and counted.
"""

from __future__ import annotations

import re
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import Finding, FindingStatus, ScanReport
from csfpilot.scanners.json_input import Node
from csfpilot.scanners.vocabulary import severity_word, timestamp, unique

FORMAT = "asff"
MAX_FINDINGS = 200_000
STATUS = {
    "PASSED": FindingStatus.PASS,
    "FAILED": FindingStatus.FAIL,
    "WARNING": FindingStatus.MANUAL,
    "NOT_AVAILABLE": FindingStatus.ERROR,
}
_SP800_53_REQ = re.compile(r"^\s*NIST[\s._-]*(?:SP[\s._-]*)?800[\s._-]*53\S*\s+(.+)$", re.I)
_CSF_REQ = re.compile(r"^\s*NIST[\s._-]*CSF\S*\s+(.+)$", re.I)


def is_finding(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and "SchemaVersion" in value
        and ("ProductArn" in value or "GeneratorId" in value)
    )


def looks_like(doc: Any) -> bool:
    if isinstance(doc, dict):
        return isinstance(doc.get("Findings"), list) or is_finding(doc)
    return isinstance(doc, list) and bool(doc) and is_finding(doc[0])


def from_document(doc: Any, *, name: str) -> ScanReport:
    root = Node(doc, name=name)
    if isinstance(doc, dict) and "Findings" in doc:
        entries = list(root.items("Findings", required=True))
    elif isinstance(doc, dict):
        entries = [root]
    elif isinstance(doc, list):
        entries = [Node(v, name=name, path=f"$[{i}]") for i, v in enumerate(doc)]
    else:
        raise root.refuse("ASFF findings are a JSON object or an array of objects")
    if len(entries) > MAX_FINDINGS:
        raise InputRefused(f"more than {MAX_FINDINGS:,} findings", file=name)
    findings: list[Finding] = []
    skipped = 0
    tools: list[str] = []
    versions: list[str] = []
    scopes: list[str] = []
    started = None
    for entry in entries:
        if entry.text("RecordState") == "ARCHIVED":
            skipped += 1
            continue
        fields = entry.child("ProductFields")
        tools.append(
            fields.text("ProviderName")
            or entry.text("ProductName")
            or _product(entry.text("ProductArn"))
        )
        versions.append(fields.text("ProviderVersion"))
        scopes.append(entry.text("AwsAccountId"))
        started = started or timestamp(entry.text("CreatedAt"))
        findings.append(_finding(entry))
    return ScanReport(
        format=FORMAT,
        tool=", ".join(unique(tools)) or "AWS Security Hub",
        tool_version=", ".join(unique(versions)),
        scope=", ".join(unique(scopes)),
        started_at=started,
        findings=tuple(findings),
        skipped=skipped,
    )


def _product(arn: str) -> str:
    # arn:aws:securityhub:eu-west-1::product/prowler/prowler → "prowler"
    return arn.rsplit("/", 1)[-1] if "/product/" in arn or ":product/" in arn else ""


def _finding(entry: Node) -> Finding:
    entry.text("Id", required=True)
    compliance = entry.child("Compliance")
    raw_status = compliance.text("Status")
    if raw_status:
        status = STATUS.get(raw_status.upper())
        if status is None:
            raise compliance.refuse(
                f"status {raw_status!r} is not one of {', '.join(STATUS)}", "Status"
            )
    else:
        status = FindingStatus.FAIL
    sp800_53: list[str] = []
    csf: list[str] = []
    tags: list[str] = []
    for requirement in compliance.texts("RelatedRequirements"):
        sp = _SP800_53_REQ.match(requirement)
        cs = _CSF_REQ.match(requirement)
        # Security Hub writes one id per entry ("NIST.800-53.r5 AC-4"), kept as written;
        # Prowler several after one framework key ("NIST-800-53-Revision-5 ac_2_1 ac_3").
        if sp:
            ids = sp[1].split()
            sp800_53.extend([requirement.strip()] if len(ids) == 1 else ids)
        elif cs:
            ids = cs[1].split()
            csf.extend([requirement.strip()] if len(ids) == 1 else ids)
        else:
            tags.append(requirement)
    control_id = compliance.text("SecurityControlId")
    resources = [r.text("Id") for r in entry.items("Resources")]
    vulnerabilities = [v.text("Id") for v in entry.items("Vulnerabilities")]
    return Finding(
        rule_id=control_id or entry.text("GeneratorId") or entry.text("Id"),
        title=entry.text("Title", required=True),
        status=status,
        severity=severity_word(entry.child("Severity").text("Label")),
        resource=next((r for r in resources if r), ""),
        sp800_53=unique(sp800_53),
        csf=unique(csf),
        tags=unique([control_id, *vulnerabilities, *entry.texts("Types"), *tags]),
        detail=entry.text("Description")[:4000],
    )
