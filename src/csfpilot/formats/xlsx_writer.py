"""Writing Excel workbooks that are safe to open: the one XLSX writer every export uses.

Every text cell is neutralised against formula injection
(:func:`csfpilot.formats.spreadsheet_safety.neutralise`) and stored as a string, never
as a formula; a sheet has a formatted header row, a frozen header, column widths that
fit the content and an autofilter, so an auditor can sort and filter at once. Rows are
streamed (openpyxl's write-only mode): exporting a large crosswalk does not hold a
workbook in memory.

openpyxl (about 30 MB resident with lxml) is imported here and nowhere at start: the
callers import this module where they write a workbook.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain, islice
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from csfpilot.formats.spreadsheet_safety import Cell, Column, Sheet, fit, neutralise, plain

# Excel forbids these in sheet names.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31
# Widths are measured on the first rows only, so that rows can stream.
WIDTH_SAMPLE_ROWS = 500
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0
WRAP_WIDTH = 80.0

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
WRAP_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
TOP_ALIGNMENT = Alignment(vertical="top")


def sheet_name(title: str, taken: set[str]) -> str:
    """A name Excel accepts (31 characters, no ``[]:*?/\\``), unique in the workbook."""
    base = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip("' ") or "Sheet"
    base = base[:MAX_SHEET_NAME]
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _display_width(value: Cell) -> float:
    if value is None:
        return 0.0
    text = value if isinstance(value, str) else str(value)
    longest = max((len(line) for line in text.splitlines()), default=0)
    # East Asian characters take about two columns.
    wide = sum(1 for ch in text[:200] if ord(ch) >= 0x1100)
    return longest + min(wide, longest)


def _widths(columns: Sequence[Column], sample: list[Sequence[Any]]) -> list[float]:
    out = []
    for i, col in enumerate(columns):
        if col.width is not None:
            out.append(col.width)
        elif col.wrap:
            out.append(WRAP_WIDTH)
        else:
            seen = max([_display_width(col.header), *(_display_width(plain(r[i])) for r in sample)])
            out.append(max(MIN_WIDTH, min(MAX_WIDTH, seen + 2)))
    return out


def _text_cell(ws: WriteOnlyWorksheet, value: Cell, alignment: Alignment | None) -> WriteOnlyCell:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(value))
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text says
    if alignment is not None:
        cell.alignment = alignment
    return cell


def write_sheet(wb: Workbook, sheet: Sheet, taken: set[str]) -> int:
    ws = wb.create_sheet(sheet_name(sheet.title, taken))
    columns = list(sheet.columns)
    rows: Iterator[Sequence[Any]] = iter(sheet.rows)
    sample = [fit(r, columns) for r in islice(rows, WIDTH_SAMPLE_ROWS)]
    for i, width in enumerate(_widths(columns, sample), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    header = []
    for col in columns:
        cell = _text_cell(ws, col.header, HEADER_ALIGNMENT)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        header.append(cell)
    ws.append(header)
    alignments = [WRAP_ALIGNMENT if c.wrap else TOP_ALIGNMENT for c in columns]
    count = 0
    for row in chain(sample, rows):
        ws.append(
            [
                _text_cell(ws, plain(v), a)
                for v, a in zip(fit(row, columns), alignments, strict=True)
            ]
        )
        count += 1
    last = get_column_letter(max(len(columns), 1))
    ws.auto_filter.ref = f"A1:{last}{count + 1}"
    return count


def write_xlsx(out: IO[bytes], sheets: Sequence[Sheet]) -> list[int]:
    """Write ``sheets`` as an Excel workbook to ``out``; return the row count of each."""
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    counts = [write_sheet(wb, sheet, taken) for sheet in sheets]
    wb.save(out)
    return counts


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()
