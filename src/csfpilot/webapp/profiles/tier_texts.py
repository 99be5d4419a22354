"""The CSF Tiers in the reader's language, as help on the Tiers page.

CSF 2.0 (NIST CSWP 29, section 3.2 and Appendix B) characterizes how rigorous
an organization's cybersecurity risk **governance** and risk **management**
are, on four Tiers: Partial, Risk Informed, Repeatable, Adaptive. The texts
below summarize NIST's characterization of each Tier for each of the two; the
page says they are a summary and points to the publication.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from csfpilot.core.profiles import Tier

TIER_NAMES: dict[Tier, Promise] = {
    Tier.PARTIAL: _("Tier 1 · Partial"),
    Tier.RISK_INFORMED: _("Tier 2 · Risk Informed"),
    Tier.REPEATABLE: _("Tier 3 · Repeatable"),
    Tier.ADAPTIVE: _("Tier 4 · Adaptive"),
}

_GOVERNANCE: dict[Tier, Promise] = {
    Tier.PARTIAL: _(
        "The cybersecurity risk strategy is applied ad hoc; priorities are not formally based "
        "on objectives or on the threat environment."
    ),
    Tier.RISK_INFORMED: _(
        "Management approves risk practices, but they may not be organization-wide policy; "
        "priorities follow risk objectives, threats or business requirements."
    ),
    Tier.REPEATABLE: _(
        "Risk practices are formally approved and expressed as policy; policies, processes and "
        "procedures are defined, implemented as intended, reviewed and regularly updated as "
        "business needs, threats and technology change."
    ),
    Tier.ADAPTIVE: _(
        "An organization-wide, risk-informed approach; executives weigh cybersecurity risk like "
        "financial and other risks, budgets follow the current and predicted risk environment, "
        "and cybersecurity risk management is part of the culture."
    ),
}

_MANAGEMENT: dict[Tier, Promise] = {
    Tier.PARTIAL: _(
        "Limited awareness of cybersecurity risk; it is handled irregularly, case by case, "
        "information is not shared, and supplier risks are largely unknown."
    ),
    Tier.RISK_INFORMED: _(
        "Risks are known at the organizational level but not managed organization-wide; "
        "assessments happen but are not repeatable, information is shared informally, and "
        "supplier risks are known without a consistent response."
    ),
    Tier.REPEATABLE: _(
        "An organization-wide approach: information is shared routinely, methods to respond to "
        "changing risk are consistent, staff have the skills for their roles, risks to assets "
        "and from suppliers are monitored, and executives discuss cybersecurity risk regularly."
    ),
    Tier.ADAPTIVE: _(
        "Practices adapt from lessons learned and predictive indicators through continuous "
        "improvement; near real-time information drives action on risks, including supplier "
        "risks, and information is shared with authorized partners."
    ),
}


def tier_text(aspect: str, tier: Tier) -> str:
    """The summary of ``tier`` for ``"governance"`` or ``"management"``."""
    table = _GOVERNANCE if aspect == "governance" else _MANAGEMENT
    return str(table[tier])
