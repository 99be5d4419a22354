"""Reading NIST's workbooks cell by cell: text as typed, headers found by name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.formats.column_letters import column_letter as _letter


def cell_text(value: Any) -> str:
    """A cell as text: ``None`` → ``""``; trailing newlines and edge spaces dropped.

    NIST's workbooks carry stray ``"PM-09\\n"``-style line ends; text inside a
    cell (a category's description after its line break) is kept as typed.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def header_key(value: Any) -> str:
    """``"Strength of\\nRelationship\\n(Optional)"`` → ``"strength of relationship"``."""
    text = re.sub(r"\(optional\)", "", cell_text(value), flags=re.I)
    return " ".join(text.lower().split())


def find_header(
    rows: Iterable[tuple[int, Sequence[Any]]],
    required: dict[str, tuple[str, ...]],
    *,
    file: str,
    sheet: str,
    scan: int = 20,
) -> tuple[int, dict[str, int]]:
    """Find the header row among the first ``scan`` rows.

    ``required`` maps a role to the header spellings accepted for it (compared
    with :func:`header_key`, by prefix). Returns the header's row number and
    each role's 0-based column index; refuses, naming the missing column, when
    no row has them all.
    """
    best: tuple[int, dict[str, int]] | None = None
    for row_number, row in rows:
        if row_number > scan:
            break
        keys = [header_key(v) for v in row]
        found: dict[str, int] = {}
        for role, spellings in required.items():
            for i, key in enumerate(keys):
                if key and any(key.startswith(s) for s in spellings):
                    found[role] = i
                    break
        if len(found) == len(required):
            return row_number, found
        if found and (best is None or len(found) > len(best[1])):
            best = (row_number, found)
    if best is None:
        raise InputRefused(
            f"no header row with the columns {', '.join(repr(v[0]) for v in required.values())} "
            f"in the first {scan} rows",
            file=file,
            sheet=sheet,
        )
    row_number, found = best
    missing = next(role for role in required if role not in found)
    raise InputRefused(
        f"the header row has no {required[missing][0]!r} column",
        file=file,
        sheet=sheet,
        row=row_number,
        column=required[missing][0],
    )


def column_letter(index: int) -> str:
    """0-based column index → Excel letter (``0`` → ``A``)."""
    return _letter(index + 1)
