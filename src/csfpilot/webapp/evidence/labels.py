"""Words the evidence pages show for the domain's values, in the reader's language.

The domain speaks English keys only (``scan-result``, ``insufficient``,
``not-yet``); these tables name each value the way a page shows it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from csfpilot.core.evidence import (
    Confidentiality,
    EvidenceKind,
    EvidenceState,
    Freshness,
    RequestState,
    ReviewState,
)

KIND_LABELS = {
    EvidenceKind.POLICY: _("Policy"),
    EvidenceKind.PROCEDURE: _("Procedure"),
    EvidenceKind.PLAN: _("Plan"),
    EvidenceKind.RECORD: _("Record or log"),
    EvidenceKind.CONFIGURATION: _("Configuration"),
    EvidenceKind.SCREENSHOT: _("Screenshot"),
    EvidenceKind.SCAN_RESULT: _("Scan result"),
    EvidenceKind.ATTESTATION: _("Attestation"),
    EvidenceKind.CONTRACT: _("Contract"),
    EvidenceKind.TRAINING_RECORD: _("Training record"),
    EvidenceKind.OTHER: pgettext_lazy("evidence kind", "Other"),
}
CONFIDENTIALITY_LABELS = {
    Confidentiality.PUBLIC: _("Public"),
    Confidentiality.INTERNAL: _("Internal"),
    Confidentiality.CONFIDENTIAL: _("Confidential"),
    Confidentiality.RESTRICTED: _("Restricted"),
}
FRESHNESS_LABELS = {
    Freshness.CURRENT: pgettext_lazy("evidence freshness", "Current"),
    Freshness.EXPIRING: _("Expiring"),
    Freshness.EXPIRED: _("Expired"),
    Freshness.NOT_YET: _("Not yet in effect"),
    Freshness.UNDATED: _("No end date"),
}
REVIEW_LABELS = {
    ReviewState.PENDING: _("Waiting for review"),
    ReviewState.ACCEPTED: _("Accepted"),
    ReviewState.INSUFFICIENT: _("Insufficient"),
    ReviewState.REJECTED: pgettext_lazy("evidence review", "Rejected"),
}
REQUEST_LABELS = {
    RequestState.OPEN: pgettext_lazy("evidence request", "Open"),
    RequestState.SUBMITTED: _("Submitted"),
    RequestState.ACCEPTED: pgettext_lazy("evidence request", "Accepted"),
    RequestState.REJECTED: pgettext_lazy("evidence request", "Rejected"),
    RequestState.OVERDUE: _("Overdue"),
}
STATE_LABELS = {
    EvidenceState.SUPPORTED: _("Supported"),
    EvidenceState.UNSUPPORTED: _("Unsupported"),
    EvidenceState.CONTRADICTED: _("Contradicted"),
    EvidenceState.NO_CLAIM: _("No claim"),
}
STATE_HELP = {
    EvidenceState.SUPPORTED: _("Accepted, unexpired evidence shows this outcome is in place."),
    EvidenceState.UNSUPPORTED: _(
        "Rated largely or fully implemented, but no accepted, unexpired evidence shows it."
    ),
    EvidenceState.CONTRADICTED: _(
        "Rated largely or fully implemented, but the organization's own scans report failing "
        "high or critical findings for it."
    ),
    EvidenceState.NO_CLAIM: _("The current rating claims nothing that evidence must prove."),
}
SIDE_LABELS = {
    "current": pgettext_lazy("profile side", "Current"),
    "target": pgettext_lazy("profile side", "Target"),
}
FORM_LABELS = {
    "file": _("File"),
    "link": _("Link"),
    "attestation": _("Written attestation"),
}
