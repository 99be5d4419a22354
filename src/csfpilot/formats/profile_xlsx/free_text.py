"""What people type into a filled-in template, and the value csfpilot proposes for it.

NIST's Organizational Profile Template leaves its columns open: "Any possible
value can be specified, such as Low/Medium/High, 1/2/3/4/5". So a filled
template holds ``In progress``, ``Implemented``, ``1``, ``H``, ``x`` — values
that are not a level of the profile's scale, a priority or Yes/No, but whose
meaning is plain enough to propose one. This module holds that table (it is
printed in docs/profile-files.md) and nothing else: every value read through
it becomes a :class:`Choice` that the import preview shows, with the cells it
came from, so the person importing can accept or change the proposal. A value
the table does not know gets no proposal and must be chosen.

Statuses are proposed through a score: a word names how much of the outcome is
achieved (``in progress`` is a third, ``implemented`` all of it), and the
proposal is the level of the profile's own scale whose score is nearest, so
the one table serves the implementation-status scale, the 0–5 maturity scale
and any custom scale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from csfpilot.core.profiles import Priority, Scale

NOT_APPLICABLE = "n/a"
"""The score of a not-applicable status word (no score: the outcome does not apply)."""

STATUS_WORDS: Mapping[Fraction | str, tuple[str, ...]] = {
    Fraction(0): (
        "not implemented",
        "not started",
        "not in place",
        "not achieved",
        "none",
        "no",
        "missing",
        "absent",
        "planned",
        "to do",
        "todo",
        "open",
        "gap",
    ),
    Fraction(1, 3): (
        "partially",
        "partial",
        "partly",
        "partially implemented",
        "in progress",
        "in-progress",
        "ongoing",
        "started",
        "initial",
        "some",
        "limited",
        "developing",
        "in development",
    ),
    Fraction(2, 3): (
        "largely",
        "largely implemented",
        "mostly",
        "mostly implemented",
        "substantially",
        "substantially implemented",
        "nearly",
    ),
    Fraction(1): (
        "implemented",
        "fully implemented",
        "fully",
        "full",
        "done",
        "complete",
        "completed",
        "in place",
        "achieved",
        "yes",
        "met",
    ),
    NOT_APPLICABLE: ("n/a", "na", "n.a.", "not applicable", "not relevant", "out of scope"),
}
"""Status words by the share of the outcome they say is achieved."""

PRIORITY_WORDS: Mapping[Priority, tuple[str, ...]] = {
    Priority.HIGH: ("h", "hi", "1", "p1", "critical", "very high", "highest", "top", "urgent"),
    Priority.MEDIUM: ("m", "med", "2", "p2", "moderate", "normal", "medium-high"),
    Priority.LOW: ("l", "lo", "3", "4", "5", "p3", "p4", "p5", "lowest", "minimal", "very low"),
}
"""Priority words and ranks: rank 1 is high, 2 medium, 3 and below low."""

INCLUDED_WORDS: Mapping[bool, tuple[str, ...]] = {
    True: ("y", "x", "✓", "✔", "true", "1", "included", "in scope", "in", "selected"),
    False: ("n", "false", "0", "excluded", "out of scope", "out", "n/a", "na", "-"),
}
"""Marks people use for "Included in Profile?" besides Yes and No."""

KINDS = ("level", "priority", "included")
"""The kinds of column whose free text is mapped: a scale level, a priority, Yes/No."""


def normal(text: str) -> str:
    """A typed value as looked up: case, spacing and a trailing full stop do not matter."""
    return " ".join(text.split()).casefold().rstrip(".") or text.strip().casefold()


@dataclass(frozen=True, slots=True)
class Choice:
    """One distinct value that needs a decision, and where it was typed.

    ``kind`` is ``level``, ``priority`` or ``included``; ``text`` is the value
    as first typed; ``proposed`` is the value csfpilot would store (a level
    key as text, ``high``/``medium``/``low``, ``yes``/``no``; ``""`` for
    *leave blank*), or ``None`` when it has no proposal; ``cells`` lists the
    cells holding it (``'Current and Target Profile'!F12``); ``why`` says what
    the proposal rests on; ``chosen`` is what was stored: the person's mapping
    when one was given, else the proposal.
    """

    kind: str
    text: str
    proposed: str | None
    cells: tuple[str, ...]
    why: str = ""
    chosen: str | None = None

    @property
    def key(self) -> str:
        """How the choice is named in a mapping: ``level:in progress``."""
        return f"{self.kind}:{normal(self.text)}"


def _percent(text: str) -> Fraction | None:
    m = re.fullmatch(r"(\d{1,3}(?:\.\d+)?)\s*%", text)
    if not m:
        return None
    value = Fraction(m.group(1)) / 100
    return value if 0 <= value <= 1 else None


def _nearest(scale: Scale, score: Fraction) -> str | None:
    rated = [lv for lv in scale.levels if lv.score is not None]
    if not rated:
        return None
    best = min(rated, key=lambda lv: (abs(lv.score - score), -lv.score))  # type: ignore[operator]
    return str(best.key)


def propose_level(scale: Scale, text: str) -> tuple[str | None, str]:
    """The level of ``scale`` a typed status most likely means, and why."""
    word = normal(text)
    for score, words in STATUS_WORDS.items():
        if word in words:
            if score == NOT_APPLICABLE:
                na = next((lv for lv in scale.levels if lv.score is None), None)
                return (str(na.key) if na else None), "not applicable"
            assert isinstance(score, Fraction)
            return _nearest(scale, score), f"{score} of the outcome achieved"
    pct = _percent(word)
    if pct is not None:
        return _nearest(scale, pct), f"{word} achieved"
    # A number on a scale without numeric keys: read as a 0-5 maturity rating.
    if re.fullmatch(r"[0-5]", word):
        return _nearest(scale, Fraction(int(word), 5)), f"{word} of 5"
    return None, ""


def propose_priority(text: str) -> str | None:
    word = normal(text)
    for priority, words in PRIORITY_WORDS.items():
        if word in words:
            return priority.value
    return None


def propose_included(text: str) -> str | None:
    word = normal(text)
    for included, words in INCLUDED_WORDS.items():
        if word in words:
            return "yes" if included else "no"
    return None


def parse_mapping(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["In progress=partially", "priority:1=high"]`` as a mapping by :attr:`Choice.key`.

    Without a ``kind:`` prefix the value is a status (``level``). The right-hand
    side is a level key or label, a priority, yes/no, or nothing (leave blank).
    """
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"{item!r} is not TEXT=VALUE (e.g. 'In progress=partially')")
        left, right = item.rsplit("=", 1)
        kind, sep, text = left.partition(":")
        if not sep or kind.strip() not in KINDS:
            kind, text = "level", left
        out[f"{kind.strip()}:{normal(text)}"] = right.strip()
    return out
