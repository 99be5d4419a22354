"""How profile values are written into cells, and read back from what a person typed.

Every writer here has a reader that inverts it exactly, so a workbook that
nobody edited imports as the profile it came from. Readers are lenient where a
person would be ("yes", "High", "3", "Partially implemented" or ``partially``)
and refuse anything else with the values that would be accepted.

Lists (informative references, evidence, an action's outcomes) are one item
per line. An item that has a line break of its own, is blank, or would make
the cell look like the JSON form is written as a JSON list instead
(``["line one\\nline two"]``), which reads back exactly.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any

from csfpilot.core.profiles import Level, Priority, Scale, Tier
from csfpilot.formats.spreadsheet_safety import restore

YES, NO = "Yes", "No"
_YES = {"yes", "y", "true", "1", "included"}
_NO = {"no", "n", "false", "0", "excluded"}


class CellError(ValueError):
    """A cell's value cannot be read; the reader adds the sheet, row and column."""


def describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date):
        return f"the date {value.isoformat()}"
    return repr(value)


# -- text ------------------------------------------------------------------------------


def read_text(value: Any) -> str:
    """Any cell as text: blank is ``""``; a number typed into a text column is its digits."""
    if value is None:
        return ""
    if isinstance(value, str):
        return restore(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_lines(items: tuple[str, ...] | list[str]) -> str | None:
    if not items:
        return None
    plain = "\n".join(items)
    needs_json = any(("\n" in i or "\r" in i or not i.strip()) for i in items) or plain.startswith(
        "["
    )
    return json.dumps(list(items), ensure_ascii=False) if needs_json else plain


def read_lines(value: Any) -> list[str]:
    text = read_text(value)
    if not text.strip():
        return []
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(i, str) for i in parsed):
            return parsed
    return [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line]


# -- choices ---------------------------------------------------------------------------


def write_included(included: bool | None) -> str | None:
    return None if included is None else (YES if included else NO)


def read_included(value: Any) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    text = read_text(value).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"{describe(value)} is not Yes or No")


def write_priority(priority: Priority | None) -> str | None:
    return priority.value.capitalize() if priority else None


def read_priority(value: Any) -> str | None:
    text = read_text(value).strip()
    if not text:
        return None
    for p in Priority:
        if text.casefold() == p.value:
            return p.value
    raise CellError(f"{describe(value)} is not a priority; use High, Medium or Low")


def tier_text(tier: Tier) -> str:
    return f"{int(tier)} {tier.label}"


def write_tier(tier: Tier | None) -> str | None:
    return tier_text(tier) if tier is not None else None


_TIER = re.compile(r"^\s*(?:tier\s*)?([1-4])\b", re.IGNORECASE)


def read_tier(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and int(value) in {t.value for t in Tier}:
            return int(value)
    elif isinstance(value, str):
        m = _TIER.match(restore(value))
        if m:
            return int(m.group(1))
        for t in Tier:
            if value.strip().casefold() == t.label.casefold():
                return int(t)
    raise CellError(
        f"{describe(value)} is not a CSF Tier; use one of: {', '.join(tier_text(t) for t in Tier)}"
    )


# -- levels ----------------------------------------------------------------------------


def labels_unique(scale: Scale) -> bool:
    """Whether each level can be written by its label: no two labels (or a label and
    another level's key) read the same."""
    seen: set[str] = set()
    for level in scale.levels:
        name = level.label.strip().casefold()
        if not name or name in seen:
            return False
        seen.add(name)
    for level in scale.levels:
        for other in scale.levels:
            if other is not level and str(other.key).casefold() == level.label.strip().casefold():
                return False
    return True


def level_cell(scale: Scale, level: Level) -> str | int:
    """What a level looks like in a cell (and in the drop-down)."""
    return level.label if labels_unique(scale) else level.key


def write_level(scale: Scale, level: Level | None) -> str | int | None:
    return None if level is None else level_cell(scale, level)


def read_level(scale: Scale, value: Any) -> str | int | None:
    """The level key a cell names, by key or label, in any case; refused otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    candidates: list[Any] = []
    if isinstance(value, bool):
        candidates = []
    elif isinstance(value, int):
        candidates = [value, str(value)]
    elif isinstance(value, float) and value.is_integer():
        candidates = [int(value), str(int(value))]
    elif isinstance(value, str):
        text = restore(value).strip()
        candidates = [text]
        if re.fullmatch(r"-?\d+", text):
            candidates.append(int(text))
    for candidate in candidates:
        found = scale.get(candidate)
        if found is not None:
            return found.key
    if isinstance(value, str):
        text = restore(value).strip().casefold()
        for level in scale.levels:
            if text in (level.label.strip().casefold(), str(level.key).casefold()):
                return level.key
    valid = ", ".join(str(level_cell(scale, lv)) for lv in scale.levels)
    raise CellError(
        f"{describe(value)} is not a level of the {scale.key!r} scale; use one of: {valid}"
    )


# -- dates, keys and scores ------------------------------------------------------------


def read_date(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        if value.time() != time():
            raise CellError(f"{describe(value)} has a time of day; give a date only")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = " ".join(restore(value).split())
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        # Written out, a date says which part is the day; 03/04/2026 does not, so it
        # is refused rather than guessed.
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).date().isoformat()
            except ValueError:
                continue
    raise CellError(
        f"{describe(value)} is not a date; type it as a date, as YYYY-MM-DD or as "
        "31 December 2026 (03/04/2026 could be either day first or month first)"
    )


_DATE_FORMATS = (
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
)


def read_key(value: Any) -> str | int | None:
    """A level key or an identifier: text as typed, or a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(f"{describe(value)} is not a key")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return restore(value).strip()
    raise CellError(f"{describe(value)} is not a key; use text or a whole number")


def read_score(value: Any) -> int | float | str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(f"{describe(value)} is not a score")
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else value
    if isinstance(value, str):
        text = restore(value).strip()
        try:
            number = float(text)
        except ValueError:
            return text  # a fraction such as 1/3; the profile reader checks it
        return int(number) if number.is_integer() and "." not in text else number
    raise CellError(f"{describe(value)} is not a score between 0 and 1")
