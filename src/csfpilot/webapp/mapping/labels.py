"""Words the mapping pages show for stored values, translated per request."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from csfpilot.webapp.mapping.models import PairRelationship, PairState

FILTER_LABELS = {
    "all": _("All"),
    "unreviewed": _("Unreviewed"),
    "accepted": pgettext_lazy("pair state", "Accepted"),
    "rejected": pgettext_lazy("pair state", "Rejected"),
}
STATE_LABELS = {s.value: s.label for s in PairState}
RELATIONSHIP_LABELS = {r.value: r.label for r in PairRelationship}
# The assistant's kinds of reason (csfpilot.mapping.Reason.kind).
REASON_LABELS = {
    "terms": _("shared terms"),
    "crosswalk-path": _("crosswalk path"),
    "semantic": _("similar meaning"),
    "review-cycle": _("review and improvement"),
}
# Reasons whose whole detail is a fixed sentence: the page says it in the reader's language.
REASON_DETAILS = {
    "review-cycle": _(
        "the requirement asks to review and update; this outcome is about improvement"
    ),
}
