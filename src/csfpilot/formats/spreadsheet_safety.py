"""Writing CSV and Excel files that are safe to open: the one writer every export uses.

*Formula injection* (CSV injection): a spreadsheet treats a cell that starts
with ``=``, ``+``, ``-`` or ``@`` as a formula, and one that starts with a tab,
carriage return or line feed can be coaxed into one; so can one whose sign
follows white space (a space or no-break space that the import trims) or comes
in its full-width form (``＝``, ``﹦``...). A framework title, a crosswalk
comment or an assessor's note written by someone else could then run
``=HYPERLINK(...)`` or a DDE command on the machine of whoever opens the
export. Following OWASP's advice, every text cell that starts with one of
those characters gets a leading apostrophe (``'=1+1``), which spreadsheets
show as text; csfpilot's own spreadsheet readers remove it again
(:func:`restore`), so an exported file imports back unchanged. A cell that
already starts with apostrophes followed by such a character gets one more,
so that the round trip is exact.

Excel files additionally store every text cell as a string (never as a
formula), have a formatted header row, a frozen header, column widths that
fit the content and an autofilter, so an auditor can sort and filter at once.
Rows are streamed (openpyxl's write-only mode): exporting a large crosswalk
does not hold a workbook in memory.

CSV files are UTF-8 with a byte-order mark (Excel needs it to read non-ASCII
text such as "↔" or Chinese), comma-separated, with ``\\r\\n`` line ends.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import chain, islice
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# A text cell a spreadsheet would read as a formula (after any apostrophes we added): one
# that starts with a formula sign, also after white space (spreadsheets trim a leading space
# or no-break space on import, and a line feed starts a new line of the cell) and in its
# full-width and small forms (＝ ﹦ ＋ ﹢ － ﹣ ＠ ﹫), which East Asian input methods type and
# some spreadsheets take for the ASCII sign; or with a tab, carriage return or line feed.
_TRIGGER = r"(?:[\t\r\n]|\s*[=+\-@\uff1d\ufe66\uff0b\ufe62\uff0d\ufe63\uff20\ufe6b])"
_FORMULA_START = re.compile(r"^'*" + _TRIGGER)
_NEUTRALISED = re.compile(r"^'+" + _TRIGGER)
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

Cell = str | int | float | bool | date | datetime | None


def neutralise(value: Any) -> Any:
    """``value`` as it may go into a spreadsheet cell: formula-like text gets a ``'`` prefix.

    >>> neutralise("=1+1"), neutralise("-"), neutralise("GV.OC-01"), neutralise(-3)
    ("'=1+1", "'-", 'GV.OC-01', -3)
    """
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """Undo :func:`neutralise` on a cell read back from a csfpilot export."""
    return text[1:] if _NEUTRALISED.match(text) else text


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an export: its header, and how it is laid out in Excel."""

    header: str
    width: float | None = None  # None: fit the content
    wrap: bool = False  # long text: a wide column whose cells wrap


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, the columns and the rows (any iterable, consumed once)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Cell]]


def _plain(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | date | datetime):
        return value
    return str(value)


# --- CSV ----------------------------------------------------------------------------


def write_csv(
    out: IO[bytes], columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, bom: bool = True
) -> int:
    """Write a header and ``rows`` as CSV to the binary stream ``out``; return the row count."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if bom else "utf-8", newline="")
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([neutralise(c.header) for c in columns])
        count = 0
        for row in rows:
            writer.writerow(
                ["" if v is None else neutralise(_plain(v)) for v in _fit(row, columns)]
            )
            count += 1
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
    return count


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.BytesIO()
    write_csv(buffer, columns, rows)
    return buffer.getvalue()


def _fit(row: Sequence[Any], columns: Sequence[Column]) -> Sequence[Any]:
    if len(row) != len(columns):
        raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
    return row


# --- XLSX ---------------------------------------------------------------------------


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
            seen = max(
                [_display_width(col.header), *(_display_width(_plain(r[i])) for r in sample)]
            )
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


def _write_sheet(wb: Workbook, sheet: Sheet, taken: set[str]) -> int:
    ws = wb.create_sheet(sheet_name(sheet.title, taken))
    columns = list(sheet.columns)
    rows: Iterator[Sequence[Any]] = iter(sheet.rows)
    sample = [_fit(r, columns) for r in islice(rows, WIDTH_SAMPLE_ROWS)]
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
                _text_cell(ws, _plain(v), a)
                for v, a in zip(_fit(row, columns), alignments, strict=True)
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
    counts = [_write_sheet(wb, sheet, taken) for sheet in sheets]
    wb.save(out)
    return counts


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()
