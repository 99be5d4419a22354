"""When a sector number may be shown: k approved contributors and the p% rule, both ways.

A mean of n scores is the sum of n scores divided by n. Whoever knows the sum and
some of the scores knows the rest of the sum; statistical offices therefore publish
a magnitude (a total, a mean) only when it passes two tests (Hundepool et al.,
*Statistical Disclosure Control*, Wiley 2012, §4.2; Eurostat's and the US Census
Bureau's cell-suppression rules):

1. **Threshold:** at least ``k`` contributors (``CSFPILOT_SECTOR_MIN_ORGS``). Only
   organizations approved by the operator or the sector's steward count: anyone can
   make up organizations, so unapproved ones would let one person reach k alone.
2. **The p% rule:** the second-largest contributor, who knows its own value and the
   total, can bound the largest by ``total − second``; the error of that estimate is
   the sum of all the others. The number is withheld when that sum is less than
   ``p`` percent of the largest value (``CSFPILOT_SECTOR_P_PERCENT``, default 10),
   i.e. when one contributor dominates so much that its value is known within p%.

Scores are bounded on both sides (0–100), so an organization far *below* the others
is exposed the same way an organization far above them is: four members at 100 and
one at 0 give a mean of 80, and each of the four, knowing its own 100, bounds the
last one at 0. The rule is therefore applied to the scores and to their distance
from 100 (each organization's shortfall), and a number is shown only when both pass.

The minimum and maximum themselves are never shown: each is one organization's score.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

TOP = 100.0
"""Scores are percentages: the bound the shortfall is measured from."""


class Withheld(StrEnum):
    """Why a sector number is not shown."""

    FEW = "few"  # fewer than k approved contributors
    DOMINATED = "dominated"  # one contributor's score could be estimated within p%


@dataclass(frozen=True)
class Extremes:
    """The largest two and smallest two values and the total of one number's contributors.

    They stay on the server: the rule needs them; pages and the API never see them.
    """

    n: int
    total: float
    top: float
    second: float  # 0 when there is one contributor
    bottom: float
    second_bottom: float  # TOP when there is one contributor


def min_orgs() -> int:
    return max(1, int(settings.CSFPILOT_SECTOR_MIN_ORGS))


def p_percent() -> float:
    return max(0.0, float(settings.CSFPILOT_SECTOR_P_PERCENT))


def dominated(total: float, largest: float, second: float, p: float) -> bool:
    """The p% rule: the others (all but the two largest) sum to less than p% of the largest.

    A small tolerance absorbs floating-point noise in sums of many percentages.
    """
    rest = total - largest - second
    return rest < (p / 100.0) * largest - 1e-9


def verdict(ex: Extremes, *, k: int | None = None, p: float | None = None) -> Withheld | None:
    """None when the number may be shown; otherwise why it is withheld."""
    k = min_orgs() if k is None else k
    p = p_percent() if p is None else p
    if ex.n < k:
        return Withheld.FEW
    if dominated(ex.total, ex.top, ex.second, p):
        return Withheld.DOMINATED
    shortfall = TOP * ex.n - ex.total
    if dominated(shortfall, TOP - ex.bottom, TOP - ex.second_bottom, p):
        return Withheld.DOMINATED
    return None
