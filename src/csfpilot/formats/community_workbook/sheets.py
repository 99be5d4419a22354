"""A workbook as plain tables: every sheet's rows as text, each cell able to say where it is.

The column-mapping imports (a sector's Community Profile, a CSF 1.1
assessment) let a person name the sheet and the columns that hold what
csfpilot needs. This module reads the workbook once, safely
(:mod:`csfpilot.formats.xlsx_safety`), into :class:`Table` objects, and
resolves a column named by its header text (matched without regard to case,
spacing or line breaks) or by its letter (``C``). Every refusal names the
file, the sheet, the row and the column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, NoReturn

from csfpilot.core.errors import InputRefused
from csfpilot.formats.column_letters import column_letter, column_number
from csfpilot.formats.limits import IMPORT_MAX_BYTES
from csfpilot.formats.spreadsheet_safety import restore
from csfpilot.formats.xlsx_safety import open_workbook

MiB = 1024 * 1024
# The one import limit (CSFPILOT_IMPORT_MAX_MB), as every importer uses it.
MAX_BYTES = IMPORT_MAX_BYTES
MAX_ROWS = 20_000
MAX_COLUMNS = 200
HEADER_SEARCH_ROWS = 20  # a title block above the header is common in published workbooks
_LETTERS = re.compile(r"^[A-Z]{1,3}$")
_SPACE = re.compile(r"\s+")


def cell_text(value: Any) -> str:
    """A cell as trimmed text: ``7.0`` is ``7``, a date its ISO form, blank ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return restore(str(value)).strip()


def header_key(text: str) -> str:
    """How headers compare: lower case, any run of spaces or line breaks as one space."""
    return _SPACE.sub(" ", text).strip().lower()


@dataclass(frozen=True, slots=True)
class Row:
    """One row as the spreadsheet numbers it, with its cells as text (column index → text)."""

    number: int
    cells: tuple[str, ...]
    formulas: frozenset[int] = frozenset()  # columns whose cell is a formula

    def get(self, index: int) -> str:
        return self.cells[index] if index < len(self.cells) else ""


@dataclass
class Table:
    """One sheet of a workbook: its rows as text, in order, blank rows left out."""

    file: str
    sheet: str
    rows: list[Row] = field(default_factory=list)

    def cite(self, row: int) -> str:
        """How the preview and the stored notes cite a row: ``Structure!12``."""
        return f"{self.sheet}!{row}"

    def refuse(
        self, message: str, *, row: int | None = None, column: int | None = None
    ) -> NoReturn:
        raise InputRefused(
            message,
            file=self.file,
            sheet=self.sheet,
            row=row,
            column=self.column_name(column) if column is not None else None,
        )

    def column_name(self, index: int) -> str:
        return column_letter(index + 1)

    def header_row(self, wanted: Sequence[str], given: int | None = None) -> Row:
        """The header: row ``given``, else the first row (of the first few) that names a column
        in ``wanted`` by its text, else the first of them with the most cells filled."""
        if not self.rows:
            self.refuse("the sheet is empty")
        if given is not None:
            found = next((r for r in self.rows if r.number == given), None)
            if found is None:
                self.refuse(f"row {given} is blank or beyond the sheet's end", row=given)
            return found
        keys = {header_key(w) for w in wanted if w}
        first = self.rows[:HEADER_SEARCH_ROWS]
        for row in first:
            if keys & {header_key(c) for c in row.cells}:
                return row
        # A title above the table fills one cell; the header names every column.
        return max(first, key=lambda r: sum(1 for c in r.cells if c))

    def column(self, header: Row, ref: str, role: str) -> int:
        """The index of the column ``ref`` names: header text first, then a column letter."""
        key = header_key(ref)
        matches = [i for i, c in enumerate(header.cells) if c and header_key(c) == key]
        if not matches and key:
            # "Tiering" names the header "Tiering (target)": a note added after the name.
            matches = [
                i
                for i, c in enumerate(header.cells)
                if header_key(c).startswith(key) and header_key(c)[len(key) : len(key) + 1] in " ("
            ]
        if len(matches) > 1:
            letters = ", ".join(self.column_name(i) for i in matches)
            self.refuse(
                f"the {role} column {ref!r} appears more than once ({letters}); "
                "name it by its letter",
                row=header.number,
            )
        if matches:
            return matches[0]
        if _LETTERS.match(ref.strip()):
            index = column_number(ref.strip()) - 1
            if index < MAX_COLUMNS:
                return index
        shown = ", ".join(repr(c) for c in header.cells if c) or "none"
        self.refuse(
            f"no column {ref!r} for the {role} in the header (its columns: {shown})",
            row=header.number,
        )

    def value(self, row: Row, index: int | None) -> str:
        """The text of one cell the import uses; a formula there is refused, never evaluated."""
        if index is None:
            return ""
        if index in row.formulas:
            self.refuse(
                "the cell holds a formula, which csfpilot never evaluates; paste its value instead",
                row=row.number,
                column=index,
            )
        return row.get(index)

    def below(self, header: Row) -> Iterator[Row]:
        return (r for r in self.rows if r.number > header.number)

    def headers(self, given: int | None = None) -> list[str]:
        """The header texts (what a column picker offers): see :meth:`header_row`."""
        if not self.rows:
            return []
        row = self.header_row((), given)
        return [c for c in row.cells if c]


@dataclass
class Workbook:
    """Every sheet of a workbook, by name, in the workbook's order."""

    file: str
    tables: dict[str, Table]

    def sheet(self, name: str) -> Table:
        found = self.tables.get(name)
        if found is None:
            by_key = {header_key(k): t for k, t in self.tables.items()}
            found = by_key.get(header_key(name))
        if found is None:
            raise InputRefused(
                f"no sheet {name!r} (sheets: {', '.join(self.tables) or 'none'})", file=self.file
            )
        return found


def read_workbook(data: bytes, *, name: str, max_bytes: int = MAX_BYTES) -> Workbook:
    """Read every sheet of an .xlsx as text; formulas are refused, never evaluated."""
    wb = open_workbook(data, name=name, max_bytes=max_bytes, data_only=False)
    try:
        tables: dict[str, Table] = {}
        for ws in wb.worksheets:
            table = Table(name, ws.title)
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    table.refuse(f"the sheet has more than {MAX_ROWS:,} rows", row=number)
                texts = [cell_text(v) for v in values[:MAX_COLUMNS]]
                while texts and not texts[-1]:
                    texts.pop()
                if not texts:
                    continue
                formulas = frozenset(
                    i
                    for i, raw in enumerate(values[: len(texts)])
                    if isinstance(raw, str) and raw.startswith("=") and len(raw) > 1
                )
                table.rows.append(Row(number, tuple(texts), formulas))
            tables[ws.title] = table
        return Workbook(name, tables)
    finally:
        wb.close()
