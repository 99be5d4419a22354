"""Trivy's JSON report (``trivy image|fs|config -f json``, schema version 2).

Per ``Results[]`` entry (a target: an OS package set, a lock file, a Dockerfile):
each of ``Vulnerabilities`` is a failing finding (a known vulnerability is
present), tagged with its CVE/GHSA id and CWE ids; each of
``Misconfigurations`` a check with its ``Status`` (``PASS``, ``FAIL``;
``EXCEPTION``, an accepted exception, is not applicable), tagged with its ids
(``DS002``, ``AVD-DS-0002``) and type (``Dockerfile Security Check``); each of
``Secrets`` a failing finding tagged ``secret``. Severities are Trivy's labels.
"""

from __future__ import annotations

from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import Finding, FindingStatus, ScanReport
from csfpilot.scanners.json_input import Node, decode, parse_text
from csfpilot.scanners.vocabulary import severity_word, timestamp, unique

FORMAT = "trivy"
SCHEMA_VERSION = 2
MAX_FINDINGS = 200_000
MISCONFIG_STATUS = {
    "PASS": FindingStatus.PASS,
    "FAIL": FindingStatus.FAIL,
    "EXCEPTION": FindingStatus.NOT_APPLICABLE,
}


def looks_like(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and "SchemaVersion" in doc
        and ("Results" in doc or "ArtifactName" in doc)
    )


def read(data: bytes, *, name: str) -> ScanReport:
    return from_document(parse_text(decode(data, name=name), name=name), name=name)


def from_document(doc: Any, *, name: str) -> ScanReport:
    root = Node(doc, name=name)
    if not isinstance(doc, dict):
        raise root.refuse("a Trivy report is a JSON object")
    version = root.number("SchemaVersion")
    if version != SCHEMA_VERSION:
        shown = "absent" if version is None else f"{version:g}"
        raise root.refuse(
            f"schema version {shown}; csfpilot reads Trivy's JSON schema version {SCHEMA_VERSION}",
            "SchemaVersion",
        )
    findings: list[Finding] = []
    for result in root.items("Results"):
        target = result.text("Target")
        for vuln in result.items("Vulnerabilities"):
            findings.append(_vulnerability(vuln, target, result.text("Class")))
        for misconfig in result.items("Misconfigurations"):
            findings.append(_misconfiguration(misconfig, target))
        for secret in result.items("Secrets"):
            findings.append(_secret(secret, target))
        if len(findings) > MAX_FINDINGS:
            raise InputRefused(f"more than {MAX_FINDINGS:,} findings", file=name)
    return ScanReport(
        format=FORMAT,
        tool="Trivy",
        tool_version=root.child("Trivy").text("Version"),
        scope=root.text("ArtifactName"),
        started_at=timestamp(root.text("CreatedAt")),
        findings=tuple(findings),
    )


def _vulnerability(vuln: Node, target: str, klass: str) -> Finding:
    vuln_id = vuln.text("VulnerabilityID", required=True)
    package = " ".join(p for p in (vuln.text("PkgName"), vuln.text("InstalledVersion")) if p)
    fixed = vuln.text("FixedVersion")
    detail = vuln.text("Description")
    if fixed:
        detail = f"Fixed in {fixed}. {detail}".strip()
    return Finding(
        rule_id=vuln_id,
        title=vuln.text("Title") or f"{vuln_id} in {package}",
        status=FindingStatus.FAIL,
        severity=severity_word(vuln.text("Severity")),
        resource=f"{target}: {package}" if package else target,
        tags=unique([vuln_id, *vuln.texts("CweIDs"), "vulnerability", klass]),
        detail=detail[:4000],
    )


def _misconfiguration(misconfig: Node, target: str) -> Finding:
    check_id = misconfig.text("ID", required=True)
    avd_id = misconfig.text("AVDID")
    raw = misconfig.text("Status", default="FAIL")
    status = MISCONFIG_STATUS.get(raw.upper())
    if status is None:
        known = ", ".join(MISCONFIG_STATUS)
        raise misconfig.refuse(f"status {raw!r} is not one of {known}", "Status")
    return Finding(
        rule_id=avd_id or check_id,
        title=misconfig.text("Title") or check_id,
        status=status,
        severity=severity_word(misconfig.text("Severity")),
        resource=target,
        tags=unique([check_id, avd_id, misconfig.text("Type"), "misconfiguration"]),
        detail=(misconfig.text("Message") or misconfig.text("Description"))[:4000],
    )


def _secret(secret: Node, target: str) -> Finding:
    rule_id = secret.text("RuleID", required=True)
    line = secret.text("StartLine")
    return Finding(
        rule_id=rule_id,
        title=secret.text("Title") or rule_id,
        status=FindingStatus.FAIL,
        severity=severity_word(secret.text("Severity")),
        resource=f"{target}:{line}" if line else target,
        tags=unique([rule_id, secret.text("Category"), "secret"]),
    )
