"""A sheet as the profile reader sees it: its non-blank rows, its columns, and places.

Cells are read as data, never evaluated: a cell holding a formula is refused,
since its value would be whatever the program that last saved it computed.
Every refusal is placed with :class:`At`: the file, the sheet, the row and the
column with its header.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.formats.column_letters import column_letter
from csfpilot.formats.profile_xlsx.headers import HeaderIndex
from csfpilot.formats.profile_xlsx.layout import Col

MAX_ROWS = 10_000  # a framework has ~100-1,000 outcomes; far more is not a profile
MAX_COLUMNS = 200  # the template has 19-25; each header is matched, so the work is bounded

Grid = list[tuple[int, list[Any]]]


@dataclass(frozen=True, slots=True)
class At:
    """A place in the workbook: a sheet, a row and (optionally) a column."""

    sheet: str
    row: int
    column: int | None = None
    header: str = ""

    def refuse(self, message: str, file: str) -> InputRefused:
        column = None
        if self.column is not None:
            letter = column_letter(self.column)
            column = f"{letter} ({self.header})" if self.header else letter
        return InputRefused(message, file=file, sheet=self.sheet, row=self.row, column=column)

    def cell(self) -> str:
        letter = column_letter(self.column) if self.column else ""
        return f"{self.sheet}!{letter}{self.row}"


def grid(ws: Any, sheet: str, file: str) -> Grid:
    """The sheet's non-blank rows as (row number, values); formula cells are refused."""
    out: Grid = []
    # A sheet's declared size is often the whole grid (formatting applied to entire
    # columns); read the rows that are there instead of a million empty ones.
    ws.reset_dimensions()
    for r, row in enumerate(ws.iter_rows(), start=1):
        if r > MAX_ROWS:
            raise At(sheet, r).refuse(f"the sheet has more than {MAX_ROWS:,} rows", file)
        values: list[Any] = []
        for c, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                header = out[0][1] if out and r > out[0][0] else []
                name = header[c - 1] if c <= len(header) and isinstance(header[c - 1], str) else ""
                raise At(sheet, r, c, name).refuse(
                    f"the cell holds a formula ({str(value)[:60]}); csfpilot reads values "
                    "only and never evaluates formulas: type the value itself",
                    file,
                )
            if value == "":
                value = None
            values.append(value)
        while values and values[-1] is None:
            values.pop()
        if values:
            out.append((r, values))
    return out


def value(values: list[Any], index: int) -> Any:
    return values[index - 1] if index <= len(values) else None


def columns(
    header_row: int,
    header: list[Any],
    cols: Sequence[Col],
    sheet: str,
    file: str,
    rows: Grid,
    *,
    required: Sequence[str] | None = None,
) -> dict[str, tuple[int, Col]]:
    """Which column (1-based) holds each known header, by meaning (see
    :mod:`.headers`). Every header is matched first; then a header matching no
    column is refused with the columns it could be, and a required column that
    is missing is refused with the list of the missing ones only.

    ``required`` names the fields that must be there (default: every field).
    """
    index = HeaderIndex(cols)
    found: dict[str, tuple[int, Col]] = {}
    unknown: list[tuple[int, str]] = []
    width = max([len(header), *(len(values) for _, values in rows)])
    if width > MAX_COLUMNS:
        raise At(sheet, header_row, MAX_COLUMNS + 1).refuse(
            f"the sheet has {width:,} columns; a profile sheet has at most {MAX_COLUMNS}", file
        )
    header = [*header, *([None] * (width - len(header)))]
    for i, name in enumerate(header, start=1):
        if name is None:
            if any(len(vals) >= i and vals[i - 1] is not None for _, vals in rows):
                raise At(sheet, header_row, i).refuse(
                    "this column has no header but holds data; name it or move its data "
                    "into one of the template's columns",
                    file,
                )
            continue
        col = index.match(name)
        if col is None:
            unknown.append((i, str(name)))
            continue
        if col.header in found:
            first = column_letter(found[col.header][0])
            raise At(sheet, header_row, i).refuse(
                f"the column {col.header!r} appears twice (also in column {first})", file
            )
        found[col.header] = (i, col)
    free = [c for c in cols if c.header not in found and (c.field or c.aliases)]
    if unknown:
        i, name = unknown[0]
        raise At(sheet, header_row, i).refuse(
            f"{name!r} is not a column of this template (csfpilot refuses it rather than drop "
            f"what it holds); it could be: {', '.join(index.could_be(name, free))}. Rename the "
            "header, or delete the column",
            file,
        )
    needed = [f for f in (required if required is not None else [c.field for c in cols]) if f]
    missing = [c.header for c in cols if c.field in needed and c.header not in found]
    if missing:
        raise InputRefused(
            f"the sheet has no column {missing[0]!r} (renamed or deleted?); missing: "
            f"{', '.join(missing)}",
            file=file,
            sheet=sheet,
            row=header_row,
        )
    return found
