"""The words tools use for severity and time, read into csfpilot's vocabulary.

Shared by the readers so that ``HIGH``, ``High`` and ``high`` mean the same
in every format, and a CVSS-style score lands in the same band everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from csfpilot.core.evidence.findings import Severity
from csfpilot.core.evidence.scan_ids import csf_spelling, sp800_53_id

_SEVERITY_WORDS = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "moderate": Severity.MEDIUM,
    "low": Severity.LOW,
    "info": Severity.INFO,
    "informational": Severity.INFO,
    "information": Severity.INFO,
    "none": Severity.INFO,
    "unknown": Severity.UNKNOWN,
    "": Severity.UNKNOWN,
}


def severity_word(word: str) -> Severity:
    """A tool's severity label; one csfpilot does not know reads as unknown."""
    return _SEVERITY_WORDS.get(word.strip().lower(), Severity.UNKNOWN)


def severity_score(score: float) -> Severity:
    """A 0–10 score (CVSS, SARIF ``security-severity``) in the CVSS v3 bands."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0.0:
        return Severity.LOW
    return Severity.INFO


def timestamp(text: str) -> datetime | None:
    """An ISO 8601 time as tools write it (``Z``, offsets, a space for ``T``); None if not one."""
    value = text.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """The values in first-seen order, each once."""
    return tuple(dict.fromkeys(v for v in values if v))


_CWE = re.compile(r"(?:^|[/\s(!])cwe[-/_ ]?0*(\d{1,5})\b", re.IGNORECASE)
_NIST_TAG = re.compile(
    r"^\s*nist(?:[\s._-]*(?:sp)?[\s._-]*800[\s._-]*53[\w.\s-]*?|[\s._-]*csf[\w.\s-]*?)?\s*[:/=]\s*(.+)$",
    re.IGNORECASE,
)


def cwe_ids(text: str) -> list[str]:
    """CWE ids in a tag or sentence: ``external/cwe/cwe-079`` and ``(CWE-119!/CWE-120)``."""
    return [f"CWE-{int(n)}" for n in _CWE.findall(" " + text)]


def nist_tag(tag: str) -> tuple[str | None, str | None]:
    """A tag that cites NIST (``nist:AC-2``, ``NIST-800-53:SI-10``, ``nist-csf:PR.PS-02``).

    Returns (SP 800-53 id as written, CSF id as written); both None when the tag
    is not a NIST tag. A NIST tag whose id is neither shape is returned as an
    SP 800-53 id, for the mapping to report as unknown.
    """
    m = _NIST_TAG.match(tag)
    if not m:
        return None, None
    value = m[1].strip()
    if sp800_53_id(value):
        return value, None
    if csf_spelling(value)[1]:
        return None, value
    # Kept as written so that the mapping reports it, rather than dropped here.
    return value, None
