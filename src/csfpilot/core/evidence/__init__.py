"""Evidence: what proves a rating, how fresh it is, and what a scanner says.

An **evidence item** is a file, a link or a written attestation kept in an
organization's library (:mod:`.items`). It is *linked* to outcomes of profiles,
on the Current side (what the item shows is in place) or the Target side (the
evidence expected once the target is met), and each link carries a review.
:mod:`.support` decides an outcome's evidence state from its rating, its
reviewed links and the scanner findings mapped to it. :mod:`.findings` holds
what a scanner reports, as every reader in :mod:`csfpilot.scanners` returns it;
:mod:`.scan_mapping` maps those findings to CSF 2.0 outcomes and sums up an import.
"""

from csfpilot.core.evidence.findings import (
    Finding,
    FindingStatus,
    ScanReport,
    Severity,
)
from csfpilot.core.evidence.items import (
    Confidentiality,
    EvidenceKind,
    EvidenceRef,
    Freshness,
    RequestState,
    ReviewState,
    freshness,
    valid_until,
)
from csfpilot.core.evidence.support import (
    CLAIM_THRESHOLD,
    EvidenceState,
    LinkView,
    claims_implementation,
    outcome_state,
)

__all__ = [
    "CLAIM_THRESHOLD",
    "Confidentiality",
    "EvidenceKind",
    "EvidenceRef",
    "EvidenceState",
    "Finding",
    "FindingStatus",
    "Freshness",
    "LinkView",
    "RequestState",
    "ReviewState",
    "ScanReport",
    "Severity",
    "claims_implementation",
    "freshness",
    "outcome_state",
    "valid_until",
]
