"""An outcome's evidence state: supported, unsupported, contradicted, or no claim.

Rules, in order:

1. A Current rating *claims implementation* when its level scores at least
   two thirds: "largely" and "fully" on the status scale, 4 and 5 on the
   0–5 maturity scale, the same share on a custom scale.
2. A claimed outcome with failing high or critical scanner findings mapped to
   it is **contradicted**, whatever else supports it: the organization's own
   tools disagree with the rating.
3. A claimed outcome with at least one accepted, unexpired Current link is
   **supported**; without one it is **unsupported** (links waiting for review
   do not count yet).
4. An outcome that claims nothing is **supported** when it has accepted
   evidence anyway, and otherwise has **no claim** to prove.

Nothing here changes a rating: passing checks may suggest one, a person decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from csfpilot.core.evidence.items import ReviewState

CLAIM_THRESHOLD = Fraction(2, 3)


class EvidenceState(StrEnum):
    NO_CLAIM = "no-claim"
    SUPPORTED = "supported"
    UNSUPPORTED = "unsupported"
    CONTRADICTED = "contradicted"


@dataclass(frozen=True, slots=True)
class LinkView:
    """One link of an item to the outcome, as the state needs it."""

    review: ReviewState
    expired: bool
    side: str = "current"


def claims_implementation(score: Fraction | None) -> bool:
    return score is not None and score >= CLAIM_THRESHOLD


def outcome_state(
    score: Fraction | None,
    links: Iterable[LinkView],
    serious_failures: int = 0,
) -> EvidenceState:
    """The evidence state of one outcome; ``score`` is its Current level's score."""
    claimed = claims_implementation(score)
    if claimed and serious_failures:
        return EvidenceState.CONTRADICTED
    proven = any(
        link.side == "current" and link.review is ReviewState.ACCEPTED and not link.expired
        for link in links
    )
    if proven:
        return EvidenceState.SUPPORTED
    return EvidenceState.UNSUPPORTED if claimed else EvidenceState.NO_CLAIM
