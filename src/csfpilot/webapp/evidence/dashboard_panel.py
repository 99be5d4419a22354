"""The dashboard's evidence panel: coverage per Function, what expires, what is unproven.

Coverage of a Function is the share of its rated outcomes (a Current rating
given) that have accepted, unexpired Current evidence. The counts link to the
lists behind them: the due page and the outcomes of one evidence state.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from csfpilot.core.evidence import EvidenceState
from csfpilot.webapp.evidence import queries
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.site.templatetags.csf_display import FUNCTION_NAMES


def panel(
    access: Access,
    profile: pm.Profile,
    states: dict[str, queries.OutcomeEvidence] | None,
    *,
    cover: queries.Coverage | None = None,
) -> dict[str, Any] | None:
    """The panel's figures, or None for a Community Profile (a target proves nothing).

    ``cover``, when the page kept it from an earlier request, stands for ``states``.
    """
    if profile.kind == "community":
        return None
    today = timezone.localdate()
    if cover is None:
        cover = queries.coverage(profile, today=today, states=states)
    # CSF 2.0's order (GV, ID, PR, DE, RS, RC); another framework's groups follow by code.
    order = list(FUNCTION_NAMES)
    functions = sorted(cover.by_function, key=lambda c: (order.index(c) if c in order else 99, c))
    slug = access.organization.slug
    outcomes_url = reverse("evidence:outcomes", args=[slug])
    due_url = reverse("evidence:due", args=[slug])
    expiring = queries.expiring_counts(access.organization, today=today)
    return {
        "functions": [
            {
                "code": code,
                "name": FUNCTION_NAMES.get(code, ""),
                "proven": cover.by_function[code][0],
                "rated": cover.by_function[code][1],
                "percent": round(100 * cover.by_function[code][0] / cover.by_function[code][1])
                if cover.by_function[code][1]
                else 0,
            }
            for code in functions
        ],
        "expiring_30": expiring[30],
        "expiring_90": expiring[90],
        "due_30_url": f"{due_url}?days=30",
        "due_90_url": f"{due_url}?days=90",
        "counts": {s.value: cover.counts.get(s.value, 0) for s in EvidenceState},
        "unsupported_url": f"{outcomes_url}?profile={profile.pk}&state=unsupported",
        "contradicted_url": f"{outcomes_url}?profile={profile.pk}&state=contradicted",
        "supported_url": f"{outcomes_url}?profile={profile.pk}&state=supported",
    }
