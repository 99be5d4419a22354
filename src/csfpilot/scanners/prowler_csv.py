"""Prowler's CSV output (Prowler 4 and later: semicolon-delimited, upper-case columns).

One row per check and resource. Read: ``CHECK_ID``, ``CHECK_TITLE``,
``STATUS`` (``PASS``, ``FAIL``, ``MANUAL``), ``SEVERITY``, ``RESOURCE_UID``,
``STATUS_EXTENDED`` and ``COMPLIANCE`` (``CIS-2.0: 1.10 | NIST-800-53-Revision-5:
ac_2_1, sc_7``; see :mod:`.prowler_compliance`); the account, the time and
Prowler's version describe the run. Rows with ``MUTED`` true are skipped and
counted.
"""

from __future__ import annotations

import csv
import io

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import Finding, FindingStatus, ScanReport
from csfpilot.scanners.json_input import decode
from csfpilot.scanners.prowler_compliance import sort_requirements
from csfpilot.scanners.vocabulary import severity_word, timestamp, unique

FORMAT = "prowler-csv"
REQUIRED = ("CHECK_ID", "STATUS", "SEVERITY", "RESOURCE_UID")
MAX_FINDINGS = 200_000
STATUS = {
    "PASS": FindingStatus.PASS,
    "FAIL": FindingStatus.FAIL,
    "MANUAL": FindingStatus.MANUAL,
}
MAX_FIELD = 1024 * 1024


def looks_like(text: str) -> bool:
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return ";" in header and "CHECK_ID" in header.split(";") and "STATUS" in header.split(";")


def _compliance(cell: str) -> list[tuple[str, list[str]]]:
    pairs = []
    for part in cell.split("|"):
        key, sep, values = part.partition(":")
        if sep:
            pairs.append((key.strip(), [v.strip() for v in values.split(",")]))
    return pairs


def read(data: bytes, *, name: str) -> ScanReport:
    text = decode(data, name=name)
    csv.field_size_limit(MAX_FIELD)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputRefused(
            f"the header lacks {', '.join(missing)}: not a Prowler CSV (Prowler 4 or later)",
            file=name,
            line=1,
        )
    findings: list[Finding] = []
    skipped = 0
    versions: list[str] = []
    scopes: list[str] = []
    started = None
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise InputRefused(
                    f"{len(header) + len(row[None])} cells; the header has {len(header)}",
                    file=name,
                    line=line,
                )
            if len(findings) >= MAX_FINDINGS:
                raise InputRefused(f"more than {MAX_FINDINGS:,} rows", file=name, line=line)
            if (row.get("MUTED") or "").strip().lower() == "true":
                skipped += 1
                continue
            versions.append((row.get("PROWLER_VERSION") or "").strip())
            scopes.append((row.get("ACCOUNT_UID") or "").strip())
            started = started or timestamp(row.get("TIMESTAMP") or "")
            findings.append(_finding(row, name, line))
    except csv.Error as exc:
        raise InputRefused(f"not valid CSV: {exc}", file=name, line=reader.line_num) from None
    return ScanReport(
        format=FORMAT,
        tool="Prowler",
        tool_version=", ".join(unique(versions)),
        scope=", ".join(unique(scopes)),
        started_at=started,
        findings=tuple(findings),
        skipped=skipped,
    )


def _finding(row: dict[str, str | None], name: str, line: int) -> Finding:
    def cell(column: str) -> str:
        return (row.get(column) or "").strip()

    check_id = cell("CHECK_ID")
    if not check_id:
        raise InputRefused("the check id is empty", file=name, line=line, column="CHECK_ID")
    status = STATUS.get(cell("STATUS").upper())
    if status is None:
        raise InputRefused(
            f"status {cell('STATUS')!r} is not one of {', '.join(STATUS)}",
            file=name,
            line=line,
            column="STATUS",
        )
    sp800_53, csf, tags = sort_requirements(_compliance(cell("COMPLIANCE")))
    return Finding(
        rule_id=check_id,
        title=cell("CHECK_TITLE") or check_id,
        status=status,
        severity=severity_word(cell("SEVERITY")),
        resource=cell("RESOURCE_UID") or cell("RESOURCE_NAME"),
        sp800_53=unique(sp800_53),
        csf=unique(csf),
        tags=unique([cell("SERVICE_NAME"), *tags]),
        detail=cell("STATUS_EXTENDED")[:4000],
    )
