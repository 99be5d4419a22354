"""Rating scales for outcomes, and how ratings roll up.

The CSF prescribes no scoring. A profile therefore chooses a *scale*: a short
list of levels, each with a normalized score between 0 and 1, or with no score
at all when the level means "not applicable" (the outcome then drops out of
every score on that side, so it neither helps nor hurts).

Two well-known scales ship:

``status``
    Implementation status: ``not`` (0), ``partially`` (1/3), ``largely`` (2/3),
    ``fully`` (1) implemented, and ``na`` (not applicable).
``maturity``
    A 0–5 maturity scale (0 non-existent … 5 optimized), normalized as
    value/5, plus ``na``.

A profile may also define its own scale (see :class:`Scale`). Scores are kept
as exact fractions and shown on 0–100. The CSF Tiers (1–4) are *not* a
per-outcome scale: they describe the organization's risk governance and risk
management practices as a whole (see :mod:`csfpilot.core.profiles.tiers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from csfpilot.core.errors import InputRefused

LevelKey = str | int


@dataclass(frozen=True, slots=True)
class Level:
    """One answer on a scale.

    ``key`` is what a profile file holds (``partially``, ``3``); ``score`` is
    the normalized value in [0, 1], or ``None`` for a not-applicable level;
    ``hotkey`` is the single key the terminal questionnaire accepts for it.
    """

    key: LevelKey
    label: str
    score: Fraction | None
    hotkey: str = ""
    description: str = ""

    @property
    def applicable(self) -> bool:
        return self.score is not None


class RollUp(StrEnum):
    """How outcome scores combine into Category, Function and Profile scores.

    ``equal`` (the default): every included, rated outcome weighs the same at
    every level, so a Category's, a Function's and the Profile's score are the
    mean of the normalized scores of the outcomes beneath them — not a mean
    of means, which would let a two-outcome Category count as much as a
    ten-outcome one. ``priority``: the same mean, each outcome weighted by its
    target priority (high 3, medium 2, low 1, unset 1).
    """

    EQUAL = "equal"
    PRIORITY = "priority"


def _key_name(key: LevelKey) -> str:
    return str(key)


def _is_key(value: Any) -> bool:
    # bool is an int in Python; ``True`` must never match maturity level 1.
    return isinstance(value, str | int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Scale:
    """A named list of levels a profile rates its outcomes on.

    Rules a scale must follow (a custom scale in a profile file is refused
    otherwise): keys are unique strings or integers, scores lie in [0, 1],
    at least one level has a score, and hotkeys are unique single characters
    that do not clash with the questionnaire's own keys (``s`` skip, ``b``
    back, ``q`` quit, ``?`` help).
    """

    key: str
    name: str
    levels: tuple[Level, ...]
    description: str = ""
    _by_key: MappingProxyType[LevelKey, Level] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[LevelKey, Level] = {}
        hotkeys: set[str] = set()
        if not self.key or not isinstance(self.key, str):
            raise InputRefused("a scale needs a key", field="scale.key")
        if not self.levels:
            raise InputRefused("a scale needs at least one level", field="scale.levels")
        for i, level in enumerate(self.levels):
            where = f"scale.levels[{i}]"
            if not _is_key(level.key) or level.key == "":
                raise InputRefused(
                    f"a level key must be a non-empty string or an integer, not {level.key!r}",
                    field=f"{where}.key",
                )
            if level.key in by_key:
                raise InputRefused(
                    f"level {level.key!r} appears twice on the scale", field=f"{where}.key"
                )
            if level.score is not None and not 0 <= level.score <= 1:
                raise InputRefused(
                    f"score {level.score} of level {level.key!r} is outside 0..1",
                    field=f"{where}.score",
                )
            if level.hotkey:
                if len(level.hotkey) != 1 or level.hotkey in RESERVED_HOTKEYS:
                    raise InputRefused(
                        f"hotkey {level.hotkey!r} must be one character other than "
                        f"{', '.join(sorted(RESERVED_HOTKEYS))}",
                        field=f"{where}.hotkey",
                    )
                if level.hotkey in hotkeys:
                    raise InputRefused(
                        f"hotkey {level.hotkey!r} is used twice", field=f"{where}.hotkey"
                    )
                hotkeys.add(level.hotkey)
            by_key[level.key] = level
        if not any(level.applicable for level in self.levels):
            raise InputRefused("a scale needs at least one level with a score", field="scale")
        object.__setattr__(self, "_by_key", MappingProxyType(by_key))

    def get(self, key: Any) -> Level | None:
        """The level for a key as written in a file, or None (bools never match)."""
        if not _is_key(key):
            return None
        return self._by_key.get(key)

    def level(self, key: Any, *, element: str | None = None, field: str | None = None) -> Level:
        """The level for ``key``, or :class:`InputRefused` listing the valid keys."""
        found = self.get(key)
        if found is None:
            valid = ", ".join(_key_name(lv.key) for lv in self.levels)
            hint = ""
            names = [lv.key for lv in self.levels if isinstance(lv.key, str)]
            close = get_close_matches(key.lower(), names, n=1) if isinstance(key, str) else []
            if close:
                hint = f"; did you mean {close[0]!r}?"
            elif isinstance(key, str) and key.strip().isdigit() and self.get(int(key)):
                hint = f" (write it as the number {int(key)}, without quotes)"
            elif isinstance(key, int) and not isinstance(key, bool) and self.get(str(key)):
                hint = f" (write it as the text {str(key)!r})"
            raise InputRefused(
                f"{key!r} is not a level of the {self.key!r} scale; use one of: {valid}{hint}",
                element=element,
                field=field,
            )
        return found

    def by_hotkey(self, char: str) -> Level | None:
        for level in self.levels:
            if level.hotkey == char:
                return level
        return None

    @property
    def builtin(self) -> bool:
        return BUILTIN_SCALES.get(self.key) == self


RESERVED_HOTKEYS = frozenset({"s", "b", "q", "?"})


def answer_keys(scale: Scale) -> dict[str, Level]:
    """The one key that answers with each level, the same in every front end.

    The browser questionnaire (the key, or Shift and the key for the Target),
    ``csfpilot assess`` in the terminal and the Excel template's Scale sheet all
    use this one scheme: a level's own ``hotkey`` when the scale gives it one
    (``n`` ``p`` ``l`` ``f`` ``a`` for implementation status, ``0``–``5`` and
    ``a`` for maturity), else the next digit from 1 to 9, then 0, that no
    other level uses. Levels past the tenth without a hotkey get no key.
    Returned in scale order, key → level.
    """
    taken = {level.hotkey for level in scale.levels if level.hotkey}
    spare = [d for d in "1234567890" if d not in taken]
    keys: dict[str, Level] = {}
    for level in scale.levels:
        if level.hotkey:
            keys[level.hotkey] = level
        elif spare:
            keys[spare.pop(0)] = level
    return keys


def key_of_level(scale: Scale) -> dict[str, str]:
    """:func:`answer_keys` the other way round: the key for each level, by its key as text."""
    return {str(level.key): key for key, level in answer_keys(scale).items()}


STATUS = Scale(
    key="status",
    name="Implementation status",
    description="How far the outcome is achieved today (or is meant to be).",
    levels=(
        Level("not", "Not implemented", Fraction(0), "n", "The outcome is not achieved."),
        Level(
            "partially",
            "Partially implemented",
            Fraction(1, 3),
            "p",
            "Some of the outcome is achieved, in some places or some of the time.",
        ),
        Level(
            "largely",
            "Largely implemented",
            Fraction(2, 3),
            "l",
            "Most of the outcome is achieved; gaps are known and limited.",
        ),
        Level("fully", "Fully implemented", Fraction(1), "f", "The outcome is achieved."),
        Level("na", "Not applicable", None, "a", "The outcome does not apply in this scope."),
    ),
)

MATURITY = Scale(
    key="maturity",
    name="Maturity (0–5)",
    description="How mature the practices behind the outcome are; normalized as level/5.",
    levels=(
        Level(0, "0 – Non-existent", Fraction(0), "0", "No recognizable practice."),
        Level(1, "1 – Initial", Fraction(1, 5), "1", "Ad hoc, depends on individuals."),
        Level(2, "2 – Repeatable", Fraction(2, 5), "2", "Repeated in similar situations."),
        Level(3, "3 – Defined", Fraction(3, 5), "3", "Documented and communicated."),
        Level(4, "4 – Managed", Fraction(4, 5), "4", "Measured and kept under control."),
        Level(5, "5 – Optimized", Fraction(1), "5", "Continuously improved."),
        Level("na", "Not applicable", None, "a", "The outcome does not apply in this scope."),
    ),
)

BUILTIN_SCALES: MappingProxyType[str, Scale] = MappingProxyType(
    {STATUS.key: STATUS, MATURITY.key: MATURITY}
)
