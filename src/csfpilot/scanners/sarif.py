"""SARIF 2.1.0, the static-analysis results format of bandit, flawfinder, CodeQL, Trivy.

Read per run: the tool (``tool.driver``), its rules (from the driver and its
extensions) and each result. A result's ``kind`` gives the status (``fail``
when absent, as the standard says); its severity is the ``security-severity``
score when the result or its rule has one (CodeQL, Trivy), else the tool's own
``issue_severity``/``severity`` property (bandit), else the ``level``
(``error`` high, ``warning`` medium, ``note`` low, ``none`` info). Weakness ids
come from the rule's and the result's tags (``external/cwe/cwe-79``) and from
CWE relationships (flawfinder); tags such as ``nist:AC-2`` cite NIST.
"""

from __future__ import annotations

from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import Finding, FindingStatus, ScanReport, Severity
from csfpilot.scanners.json_input import Node, decode, parse_text
from csfpilot.scanners.vocabulary import (
    cwe_ids,
    nist_tag,
    severity_score,
    severity_word,
    timestamp,
    unique,
)

FORMAT = "sarif"
VERSION = "2.1.0"
MAX_FINDINGS = 200_000

STATUS = {
    "fail": FindingStatus.FAIL,
    "open": FindingStatus.MANUAL,  # the tool could not decide: a person must
    "review": FindingStatus.MANUAL,
    "pass": FindingStatus.PASS,
    "notapplicable": FindingStatus.NOT_APPLICABLE,
    # "does not represent a problem": it says nothing about an outcome either way
    "informational": FindingStatus.NOT_APPLICABLE,
}
LEVEL = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "note": Severity.LOW,
    "none": Severity.INFO,
}


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and "runs" in doc and ("version" in doc or "$schema" in doc)


def read(data: bytes, *, name: str) -> ScanReport:
    return from_document(parse_text(decode(data, name=name), name=name), name=name)


class _Rule:
    __slots__ = ("cwe", "level", "name", "nist_csf", "nist_sp", "props", "tags", "title")

    def __init__(self, node: Node) -> None:
        props = node.child("properties")
        tags = props.texts("tags")
        self.props = props
        # A rule's ``name`` is often a family (bandit's "blacklist"): the result's message
        # says more, so it comes before the name.
        self.title = node.child("shortDescription").text("text")
        self.name = node.text("name")
        self.level = node.child("defaultConfiguration").text("level")
        cwe = [c for t in tags for c in cwe_ids(t)]
        for rel in node.items("relationships"):
            target = rel.child("target")
            tool = target.child("toolComponent").text("name")
            rel_id = target.text("id")
            if tool.upper() == "CWE" and rel_id:
                cwe.extend(cwe_ids(rel_id) or [rel_id])
        self.cwe = unique(cwe)
        sp, csf = _nist(tags)
        self.nist_sp, self.nist_csf = sp, csf
        self.tags = unique(t for t in tags if not cwe_ids(t))


def _nist(tags: tuple[str, ...]) -> tuple[list[str], list[str]]:
    sp, csf = [], []
    for tag in tags:
        s, c = nist_tag(tag)
        if s:
            sp.append(s)
        if c:
            csf.append(c)
    return sp, csf


def _severity(result: Node, rule: _Rule | None, level: str) -> Severity:
    props = result.child("properties")
    for source in (props, rule.props if rule else None):
        if source is None:
            continue
        score = source.number("security-severity")
        if score is not None:
            return severity_score(score)
    for source in (props, rule.props if rule else None):
        if source is None:
            continue
        word = source.text("issue_severity") or source.text("severity")
        if word and severity_word(word) is not Severity.UNKNOWN:
            return severity_word(word)
    return LEVEL.get(level, Severity.UNKNOWN)


def _resource(result: Node) -> str:
    for location in result.items("locations"):
        physical = location.child("physicalLocation")
        uri = physical.child("artifactLocation").text("uri")
        if uri:
            line = physical.child("region").text("startLine")
            return f"{uri}:{line}" if line else uri
        for logical in location.items("logicalLocations"):
            named = logical.text("fullyQualifiedName") or logical.text("name")
            if named:
                return named
    return ""


def from_document(doc: Any, *, name: str) -> ScanReport:
    root = Node(doc, name=name)
    if not isinstance(doc, dict):
        raise root.refuse("a SARIF log is a JSON object")
    version = root.text("version", required=True)
    if version != VERSION:
        raise root.refuse(f"SARIF version {version!r}; csfpilot reads SARIF {VERSION}", "version")
    findings: list[Finding] = []
    tools: list[str] = []
    versions: list[str] = []
    scope = ""
    started = None
    for run in root.items("runs", required=True):
        driver = run.child("tool", required=True).child("driver", required=True)
        tools.append(driver.text("name", required=True))
        versions.append(driver.text("semanticVersion") or driver.text("version"))
        rules_by_id: dict[str, _Rule] = {}
        rules_in_order: list[_Rule] = []
        for rule_node in driver.items("rules"):
            rule = _Rule(rule_node)
            rules_in_order.append(rule)
            rules_by_id.setdefault(rule_node.text("id", required=True), rule)
        for extension in run.child("tool").items("extensions"):
            for rule_node in extension.items("rules"):
                rules_by_id.setdefault(rule_node.text("id", required=True), _Rule(rule_node))
        for vcs in run.items("versionControlProvenance"):
            scope = scope or vcs.text("repositoryUri")
        for invocation in run.items("invocations"):
            started = started or timestamp(
                invocation.text("startTimeUtc") or invocation.text("endTimeUtc")
            )
        for result in run.items("results"):
            if len(findings) >= MAX_FINDINGS:
                raise InputRefused(f"more than {MAX_FINDINGS:,} results", file=name)
            findings.append(_finding(result, rules_by_id, rules_in_order))
    tool = ", ".join(unique(tools)) or "SARIF"
    return ScanReport(
        format=FORMAT,
        tool=tool,
        tool_version=", ".join(unique(versions)),
        scope=scope,
        started_at=started,
        findings=tuple(findings),
    )


def _finding(result: Node, rules_by_id: dict[str, _Rule], rules: list[_Rule]) -> Finding:
    rule_id = result.text("ruleId") or result.child("rule").text("id")
    rule = rules_by_id.get(rule_id)
    index = result.number("ruleIndex")
    if rule is None and index is not None:
        if not (0 <= index < len(rules)) or index != int(index):
            raise result.refuse(f"no rule at index {index:g}", "ruleIndex")
        rule = rules[int(index)]
    if not rule_id:
        raise result.refuse("a result needs a ruleId (or a rule reference)", "ruleId")
    kind = result.text("kind", default="fail")
    status = STATUS.get(kind.lower())
    if status is None:
        raise result.refuse(f"unknown kind {kind!r}; SARIF knows {', '.join(STATUS)}", "kind")
    level = result.text("level") or (rule.level if rule else "") or "warning"
    message = result.child("message").text("text")
    props = result.child("properties")
    result_tags = props.texts("tags")
    sp, csf = _nist(result_tags)
    return Finding(
        rule_id=rule_id,
        title=(
            (rule.title if rule else "")
            or message.split("\n", 1)[0]
            or (rule.name if rule else "")
            or rule_id
        )[:500],
        status=status,
        severity=_severity(result, rule, level.lower()),
        resource=_resource(result),
        sp800_53=unique([*(rule.nist_sp if rule else ()), *sp]),
        csf=unique([*(rule.nist_csf if rule else ()), *csf]),
        tags=unique(
            [
                *(rule.cwe if rule else ()),
                *(c for t in result_tags for c in cwe_ids(t)),
                *(rule.tags if rule else ()),
            ]
        ),
        detail=message,
    )
