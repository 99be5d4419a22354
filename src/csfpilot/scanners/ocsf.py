"""Prowler's JSON-OCSF output: OCSF Detection Findings (class 2004), Prowler 4 and later.

A JSON array of findings (one finding per line is accepted too). Each finding's
``status_code`` gives the status (``PASS``, ``FAIL``, ``MANUAL``), ``severity``
its severity, ``metadata.event_code`` the check id, ``resources[].uid`` the
resource, and ``unmapped.compliance`` the compliance frameworks' requirement ids
(see :mod:`.prowler_compliance`). Muted findings are skipped and counted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import Finding, FindingStatus, ScanReport
from csfpilot.scanners.json_input import Node
from csfpilot.scanners.prowler_compliance import sort_requirements
from csfpilot.scanners.vocabulary import severity_word, timestamp, unique

FORMAT = "ocsf"
DETECTION_FINDING = 2004
MAX_FINDINGS = 200_000
STATUS = {
    "PASS": FindingStatus.PASS,
    "FAIL": FindingStatus.FAIL,
    "MANUAL": FindingStatus.MANUAL,
}


def looks_like(doc: Any) -> bool:
    first = doc[0] if isinstance(doc, list) and doc else doc
    return isinstance(first, dict) and "class_uid" in first


def from_document(doc: Any, *, name: str) -> ScanReport:
    root = Node(doc, name=name)
    if isinstance(doc, dict):
        entries = [root]
    elif isinstance(doc, list):
        entries = [Node(v, name=name, path=f"$[{i}]") for i, v in enumerate(doc)]
    else:
        raise root.refuse("OCSF findings are a JSON array of objects")
    if len(entries) > MAX_FINDINGS:
        raise InputRefused(f"more than {MAX_FINDINGS:,} findings", file=name)
    findings: list[Finding] = []
    skipped = 0
    tools: list[str] = []
    versions: list[str] = []
    scopes: list[str] = []
    started = None
    for entry in entries:
        class_uid = entry.number("class_uid")
        if class_uid != DETECTION_FINDING:
            raise entry.refuse(
                f"OCSF class {class_uid:g}; csfpilot reads Detection Findings (class "
                f"{DETECTION_FINDING}, Prowler 4 and later)"
                if class_uid is not None
                else "this field is required",
                "class_uid",
            )
        if entry.value.get("muted") is True:
            skipped += 1
            continue
        product = entry.child("metadata").child("product")
        tools.append(product.text("name"))
        versions.append(product.text("version"))
        account = entry.child("cloud").child("account")
        scopes.append(account.text("uid") or account.text("name"))
        started = started or _time(entry)
        findings.append(_finding(entry))
    return ScanReport(
        format=FORMAT,
        tool=", ".join(unique(tools)) or "Prowler",
        tool_version=", ".join(unique(versions)),
        scope=", ".join(unique(scopes)),
        started_at=started,
        findings=tuple(findings),
        skipped=skipped,
    )


def _time(entry: Node) -> datetime | None:
    written = timestamp(entry.text("time_dt"))
    if written:
        return written
    epoch = entry.number("time")
    if epoch is not None and 0 < epoch < 32_503_680_000:  # before year 3000
        return datetime.fromtimestamp(epoch, tz=UTC)
    return None


def _finding(entry: Node) -> Finding:
    code = entry.text("status_code", required=True)
    status = STATUS.get(code.upper())
    if status is None:
        raise entry.refuse(f"status {code!r} is not one of {', '.join(STATUS)}", "status_code")
    info = entry.child("finding_info")
    compliance = entry.child("unmapped").child("compliance")
    pairs = [(key, compliance.texts(key)) for key in compliance.value]
    sp800_53, csf, tags = sort_requirements(pairs)
    check_id = entry.child("metadata").text("event_code") or info.text("uid", required=True)
    resources = [r.text("uid") or r.text("name") for r in entry.items("resources")]
    return Finding(
        rule_id=check_id,
        title=info.text("title") or check_id,
        status=status,
        severity=severity_word(entry.text("severity")),
        resource=next((r for r in resources if r), ""),
        sp800_53=unique(sp800_53),
        csf=unique(csf),
        tags=unique([*info.texts("types"), *tags]),
        detail=(entry.text("status_detail") or entry.text("message"))[:4000],
    )
