"""XCCDF result documents and SCAP result data streams (ARF), as OpenSCAP and DISA SCC write them.

Each ``rule-result`` of each ``TestResult`` is a finding. Its ``result`` gives
the status; ``notselected`` rows (rules the profile left out) are not
findings and are only counted. The severity is the rule-result's own, else
its ``Rule``'s. From the ``Rule`` (in the same file, before the results as
every producer writes it) come the title and the references: a reference to
SP 800-53 (an href naming ``800-53``, e.g. SSG's
``.../NIST.SP.800-53r4.pdf`` with text ``AC-2(5)``) gives SP 800-53 ids, one
to the Cybersecurity Framework (``NIST.CSWP.04162018.pdf``) CSF ids, one to
DISA's CCI list, like an ``ident`` in the CCI system, CCI ids. XCCDF 1.2 and
1.1 are both read; an ARF ``asset-report-collection`` is read for the XCCDF
inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import Finding, FindingStatus, ScanReport
from csfpilot.scanners.vocabulary import severity_word, timestamp, unique
from csfpilot.scanners.xml_input import iterparse, local, text_of

FORMAT = "xccdf"
XCCDF_NAMESPACES = frozenset(
    {"http://checklists.nist.gov/xccdf/1.2", "http://checklists.nist.gov/xccdf/1.1"}
)
ARF_NAMESPACE = "http://scap.nist.gov/schema/asset-reporting-format/1.1"
CCI_SYSTEMS = frozenset({"http://cyber.mil/cci", "http://iase.disa.mil/cci"})
MAX_FINDINGS = 200_000

STATUS = {
    "pass": FindingStatus.PASS,
    "fixed": FindingStatus.PASS,  # failed, then remediated during the run
    "fail": FindingStatus.FAIL,
    "error": FindingStatus.ERROR,
    "unknown": FindingStatus.ERROR,  # the tool could not tell
    "notapplicable": FindingStatus.NOT_APPLICABLE,
    "notchecked": FindingStatus.MANUAL,  # no automated check: a person must look
    "informational": FindingStatus.NOT_APPLICABLE,
}
SKIPPED = "notselected"
_SPLIT = re.compile(r"[,;]\s*|\s{2,}")


def is_root(namespace: str, name: str) -> bool:
    return (namespace in XCCDF_NAMESPACES and name in ("Benchmark", "TestResult")) or (
        namespace == ARF_NAMESPACE and name == "asset-report-collection"
    )


@dataclass(slots=True)
class _Rule:
    title: str = ""
    severity: str = ""
    sp800_53: list[str] = field(default_factory=list)
    csf: list[str] = field(default_factory=list)
    cci: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Result:
    idref: str
    result: str
    severity: str
    line: int | None
    cci: list[str]
    tags: list[str]
    detail: str
    target: str


def _ids(text: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def _sort_reference(rule: _Rule, href: str, text: str) -> None:
    lower = href.lower()
    if "800-53" in lower or "800_53" in lower:
        rule.sp800_53.extend(_ids(text))
    elif "cswp" in lower or "cybersecurity-framework" in lower or "/csf" in lower:
        rule.csf.extend(_ids(text))
    elif "/cci" in lower:
        rule.cci.extend(_ids(text))


def _ident(system: str, text: str, ccis: list[str], tags: list[str]) -> None:
    if system.rstrip("/") in CCI_SYSTEMS:
        ccis.append(text)
    elif text:
        tags.append(text)


def read(data: bytes, *, name: str) -> ScanReport:
    rules: dict[str, _Rule] = {}
    results: list[_Result] = []
    skipped = 0
    targets: list[str] = []
    facts: dict[str, str] = {}
    started = None
    test_system = ""
    benchmark_version = ""
    target = ""
    seen_root = False
    for event, el in iterparse(data, name=name):
        ns, tag = local(el.tag)
        if not seen_root:
            seen_root = True
            if not is_root(ns, tag):
                raise InputRefused(
                    f"the root element is {tag!r}; an XCCDF result is a Benchmark or "
                    "TestResult (XCCDF 1.2 or 1.1) or an ARF asset-report-collection",
                    file=name,
                    line=el.sourceline,
                )
        if ns not in XCCDF_NAMESPACES:
            continue
        if event == "start":
            if tag == "TestResult":
                started = started or timestamp(el.get("start-time") or "")
                test_system = test_system or el.get("test-system") or ""
                target = ""
            continue
        if tag == "Rule":
            rules[el.get("id") or ""] = _rule(el)
            el.clear(keep_tail=False)
        elif tag == "version" and local(el.getparent().tag)[1] == "Benchmark":
            benchmark_version = benchmark_version or (el.text or "").strip()
        elif tag == "target" and local(el.getparent().tag)[1] == "TestResult":
            target = (el.text or "").strip()
            targets.append(target)
        elif tag == "fact":
            facts.setdefault(el.get("name") or "", (el.text or "").strip())
        elif tag == "rule-result":
            outcome = _rule_result(el, name, target)
            if outcome is None:
                skipped += 1
            else:
                if len(results) >= MAX_FINDINGS:
                    raise InputRefused(f"more than {MAX_FINDINGS:,} rule results", file=name)
                results.append(outcome)
            el.clear(keep_tail=False)
            parent = el.getparent()
            # Drop the rule-results already read: a large file stays small in memory.
            while parent is not None and el.getprevious() is not None:
                del parent[0]
    if not results and not skipped:
        raise InputRefused(
            "no rule-result in the file: it is a benchmark, not the result of a scan "
            "(run `oscap xccdf eval --results FILE` or `--results-arf FILE`)",
            file=name,
        )
    findings = tuple(_finding(r, rules.get(r.idref)) for r in results)
    tool = facts.get("urn:xccdf:fact:scanner:name") or _tool_of(test_system) or "XCCDF"
    return ScanReport(
        format=FORMAT,
        tool=tool,
        tool_version=facts.get("urn:xccdf:fact:scanner:version", ""),
        scope=", ".join(unique(targets)),
        started_at=started,
        findings=findings,
        notes=(f"benchmark version {benchmark_version}",) if benchmark_version else (),
        skipped=skipped,
    )


def _tool_of(test_system: str) -> str:
    # cpe:/a:redhat:openscap:1.3.7 → "openscap"
    parts = test_system.split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "cpe" else test_system


def _rule(el: etree._Element) -> _Rule:
    rule = _Rule(severity=el.get("severity") or "")
    for child in el:
        ns, tag = local(child.tag)
        if ns not in XCCDF_NAMESPACES:
            continue
        if tag == "title" and not rule.title:
            rule.title = text_of(child)
        elif tag == "reference":
            _sort_reference(rule, child.get("href") or "", text_of(child))
        elif tag == "ident":
            _ident(child.get("system") or "", text_of(child), rule.cci, rule.tags)
    return rule


def _rule_result(el: etree._Element, name: str, target: str) -> _Result | None:
    idref = el.get("idref")
    if not idref:
        raise InputRefused(
            "a rule-result needs an idref", file=name, line=el.sourceline, element="rule-result"
        )
    result = ""
    ccis: list[str] = []
    tags: list[str] = []
    messages: list[str] = []
    for child in el:
        ns, tag = local(child.tag)
        if ns not in XCCDF_NAMESPACES:
            continue
        if tag == "result":
            result = (child.text or "").strip()
        elif tag == "ident":
            _ident(child.get("system") or "", text_of(child), ccis, tags)
        elif tag == "message":
            messages.append(text_of(child))
    if result == SKIPPED:
        return None
    if result not in STATUS:
        known = ", ".join([*STATUS, SKIPPED])
        raise InputRefused(
            f"result {result!r} is not an XCCDF result ({known})",
            file=name,
            line=el.sourceline,
            element=f"rule-result {idref}",
            field="result",
        )
    severity = el.get("severity") or ""
    return _Result(idref, result, severity, el.sourceline, ccis, tags, " ".join(messages), target)


def _finding(result: _Result, rule: _Rule | None) -> Finding:
    rule = rule or _Rule()
    severity = severity_word(result.severity or rule.severity)
    return Finding(
        rule_id=result.idref,
        title=rule.title or result.idref,
        status=STATUS[result.result],
        severity=severity,
        resource=result.target,
        sp800_53=unique(rule.sp800_53),
        csf=unique(rule.csf),
        cci=unique([*rule.cci, *result.cci]),
        tags=unique([*rule.tags, *result.tags]),
        detail=result.detail,
    )
