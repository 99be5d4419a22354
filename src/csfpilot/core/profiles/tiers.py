"""CSF Tiers: how rigorous an organization's cybersecurity risk practices are.

CSF 2.0 (CSWP 29, section 3.2 and Appendix B) characterizes an organization's
cybersecurity risk **governance** and cybersecurity risk **management** on four
Tiers. A profile records, for each of the two, the Tier it is at today
(current) and the Tier it aims for (target), each with a rationale.

Tiers describe the organization as a whole. They are never a per-outcome
rating scale: outcomes are rated on the profile's scale
(:mod:`csfpilot.core.profiles.scales`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Tier(IntEnum):
    PARTIAL = 1
    RISK_INFORMED = 2
    REPEATABLE = 3
    ADAPTIVE = 4

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def summary(self) -> str:
        """A one-line paraphrase of NIST's characterization of the Tier."""
        return _SUMMARIES[self]


_LABELS = {
    Tier.PARTIAL: "Partial",
    Tier.RISK_INFORMED: "Risk Informed",
    Tier.REPEATABLE: "Repeatable",
    Tier.ADAPTIVE: "Adaptive",
}

_SUMMARIES = {
    Tier.PARTIAL: "Ad hoc, reactive; little awareness of cybersecurity risk at the "
    "organizational level.",
    Tier.RISK_INFORMED: "Management approves risk practices, but they may not be "
    "organization-wide policy; awareness exists without a consistent approach.",
    Tier.REPEATABLE: "Risk practices are formally approved as policy, applied "
    "consistently and updated as business and threats change.",
    Tier.ADAPTIVE: "Practices adapt from lessons learned and predictive indicators; "
    "cybersecurity risk is part of the organizational culture.",
}

TIER_ASPECTS: tuple[str, ...] = ("governance", "management")
"""The two things a Tier characterizes: risk governance and risk management."""


@dataclass(frozen=True, slots=True)
class TierRating:
    """Current and target Tier for one aspect, each with the reason behind it."""

    current: Tier | None = None
    target: Tier | None = None
    current_rationale: str = ""
    target_rationale: str = ""


@dataclass(frozen=True, slots=True)
class Tiers:
    """The profile-level Tiers: cybersecurity risk governance and risk management."""

    governance: TierRating = TierRating()
    management: TierRating = TierRating()

    def aspect(self, name: str) -> TierRating:
        if name not in TIER_ASPECTS:
            raise KeyError(name)
        return getattr(self, name)
