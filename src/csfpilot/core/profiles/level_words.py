"""What people type in a spreadsheet's rating column, read as a level of a scale.

Sector workbooks and old assessments rarely use csfpilot's level keys. They
say "Tier 3", "Required", "In progress", "75 %" or "3". Each such text is
read in two steps, and the result is only ever a *proposal*: the import
preview shows every distinct text with the level proposed for it, and the
person changes any of them before anything is stored.

1. **Exact**: the text is a level's key or label on the profile's scale
   (``partially``, ``Largely implemented``, ``3`` on the maturity scale), or
   one of the not-applicable words (``N/A``, ``NA``, ``not applicable``,
   ``does not apply``) on a scale that has a not-applicable level.
2. **By meaning**: the text names a share of the outcome achieved or aimed
   for, from :data:`WORD_SHARES` (``"in progress"`` = 1/3, ``"required"`` =
   1), a CSF Tier (``Tier 1`` … ``Tier 4`` or its name, read as n/4), or a
   percentage. The proposal is the applicable level whose score is nearest
   to that share; between two equally near levels the higher one, because a
   target read too low is the costlier mistake.

Anything else gets no proposal: the preview asks for a choice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType

from csfpilot.core.profiles.model import Priority
from csfpilot.core.profiles.scales import Level, Scale

NOT_APPLICABLE_WORDS = frozenset({"n/a", "na", "n.a.", "not applicable", "does not apply"})

WORD_SHARES: Mapping[str, Fraction] = MappingProxyType(
    {
        # Status words: how much of the outcome is achieved.
        "not implemented": Fraction(0),
        "not started": Fraction(0),
        "none": Fraction(0),
        "no": Fraction(0),
        "missing": Fraction(0),
        "in progress": Fraction(1, 3),
        "started": Fraction(1, 3),
        "partial": Fraction(1, 3),
        "partially": Fraction(1, 3),
        "partially implemented": Fraction(1, 3),
        "mostly": Fraction(2, 3),
        "largely": Fraction(2, 3),
        "largely implemented": Fraction(2, 3),
        "implemented": Fraction(1),
        "fully implemented": Fraction(1),
        "fully": Fraction(1),
        "in place": Fraction(1),
        "done": Fraction(1),
        "complete": Fraction(1),
        "yes": Fraction(1),
        # Requirement words of a sector's target: how much of the outcome it asks for.
        "required": Fraction(1),
        "mandatory": Fraction(1),
        "must": Fraction(1),
        "essential": Fraction(1),
        "high": Fraction(1),
        "recommended": Fraction(2, 3),
        "should": Fraction(2, 3),
        "medium": Fraction(2, 3),
        "moderate": Fraction(2, 3),
        "optional": Fraction(1, 3),
        "may": Fraction(1, 3),
        "low": Fraction(1, 3),
    }
)
"""Words and the share of the outcome they stand for (0 nothing, 1 all of it)."""

TIER_NAMES: Mapping[str, int] = MappingProxyType(
    {"partial": 1, "risk informed": 2, "repeatable": 3, "adaptive": 4}
)
"""The CSF Tiers by name; "Tier 3", "Tier 3 – Repeatable" and "Repeatable tier" read as 3."""

_TIER = re.compile(r"^tier\s*([1-4])\b")
_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d+)?)\s*%$")
_SPACES = re.compile(r"[\s_]+")


def normalise(text: str) -> str:
    """Lower case, single spaces, no surrounding punctuation: how texts are compared."""
    return _SPACES.sub(" ", text.strip().lower()).strip(" .:;-–")


def share_of(text: str) -> Fraction | None:
    """The share of the outcome a text stands for, or None when it is not a known word."""
    word = normalise(text)
    if word in WORD_SHARES:
        return WORD_SHARES[word]
    tier = _TIER.match(word)
    if tier:
        return Fraction(int(tier.group(1)), 4)
    for name, number in TIER_NAMES.items():
        if word in (name, f"{name} tier"):
            return Fraction(number, 4)
    percent = _PERCENT.match(word)
    if percent:
        value = Fraction(percent.group(1))
        return value / 100 if value <= 100 else None
    return None


def exact_level(text: str, scale: Scale) -> Level | None:
    """The level whose key or label the text is (case and spacing ignored)."""
    word = normalise(text)
    if not word:
        return None
    for level in scale.levels:
        if word in (normalise(str(level.key)), normalise(level.label)):
            return level
    if word in NOT_APPLICABLE_WORDS:
        return next((lv for lv in scale.levels if not lv.applicable), None)
    return None


def nearest_level(share: Fraction, scale: Scale) -> Level:
    """The applicable level whose score is nearest to ``share`` (the higher one on a tie)."""
    applicable = [lv for lv in scale.levels if lv.score is not None]
    return min(applicable, key=lambda lv: (abs(lv.score - share), -lv.score))  # type: ignore[operator]


def propose_level(text: str, scale: Scale) -> Level | None:
    """The level proposed for a typed text, or None when a person must choose."""
    exact = exact_level(text, scale)
    if exact is not None:
        return exact
    share = share_of(text)
    return nearest_level(share, scale) if share is not None else None


PRIORITY_WORDS: Mapping[str, Priority] = MappingProxyType(
    {
        "high": Priority.HIGH,
        "h": Priority.HIGH,
        "1": Priority.HIGH,
        "critical": Priority.HIGH,
        "required": Priority.HIGH,
        "medium": Priority.MEDIUM,
        "m": Priority.MEDIUM,
        "2": Priority.MEDIUM,
        "moderate": Priority.MEDIUM,
        "recommended": Priority.MEDIUM,
        "low": Priority.LOW,
        "l": Priority.LOW,
        "3": Priority.LOW,
        "optional": Priority.LOW,
    }
)
"""Priorities as typed: words, their first letters, and 1 (high) to 3 (low)."""

INCLUDED_WORDS = frozenset({"yes", "y", "x", "true", "1", "included", "in scope", "✓"})
EXCLUDED_WORDS = frozenset({"no", "n", "false", "0", "excluded", "out of scope", "-"})


def read_priority(text: str) -> Priority | None:
    """A typed priority, or None when the text is not one (blank included)."""
    return PRIORITY_WORDS.get(normalise(text))


def read_included(text: str) -> bool | None:
    """Whether a typed "included?" cell says yes (True), no (False), or neither (None)."""
    word = normalise(text)
    if word in INCLUDED_WORDS:
        return True
    if word in EXCLUDED_WORDS or word == "":
        return False
    return None
