"""What a scanner or assessment tool reports, in one shape for every format.

Every reader in :mod:`csfpilot.scanners` turns its tool's file into a
:class:`ScanReport` of :class:`Finding` rows. A finding keeps the ids exactly
as the file wrote them (``AU-9 (3)``, ``NIST.800-53.r5 AC-4``, ``GV.OC-1``):
normalising them, and mapping them to CSF 2.0 outcomes, is a separate step so
that an id that cannot be read is reported, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class FindingStatus(StrEnum):
    PASS = "pass"  # noqa: S105 - a check result, not a secret
    FAIL = "fail"
    MANUAL = "manual"  # needs a person to check
    ERROR = "error"  # the check could not run
    NOT_APPLICABLE = "not-applicable"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
    UNKNOWN = "unknown"

    @property
    def serious(self) -> bool:
        """High and critical failures contradict a claim that an outcome is in place."""
        return self in (Severity.CRITICAL, Severity.HIGH)


@dataclass(frozen=True, slots=True)
class Finding:
    """One check or one issue, as the tool reported it.

    ``sp800_53`` holds SP 800-53 control ids as written in the file, ``csf``
    CSF ids as written, ``cci`` DISA CCI ids; ``tags`` the tool's own
    categories and weakness ids (``CWE-79``, ``CVE-2024-1234``, a Trivy
    misconfiguration type) that the rule table maps when no NIST id is given.
    """

    rule_id: str
    title: str
    status: FindingStatus
    severity: Severity = Severity.UNKNOWN
    resource: str = ""
    sp800_53: tuple[str, ...] = ()
    csf: tuple[str, ...] = ()
    cci: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ScanReport:
    """One tool run: who produced it, when, on what, and what it found.

    ``format`` is the reader's key (``sarif``, ``xccdf``, ``hdf``, ``ocsf``,
    ``prowler-csv``, ``asff``, ``trivy``); ``scope`` names what was scanned
    (a host, an image, a repository, an account) so that repeated imports of
    the same tool and scope form a series. ``skipped`` counts the rows the
    tool wrote that are not findings (XCCDF rules the profile did not select).
    """

    format: str
    tool: str
    tool_version: str = ""
    scope: str = ""
    started_at: datetime | None = None
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = field(default=())
    skipped: int = 0
