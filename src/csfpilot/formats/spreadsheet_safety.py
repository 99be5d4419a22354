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

Excel files are written by :mod:`csfpilot.formats.xlsx_writer` with the same
rule; this module does not load openpyxl, so that the processes that only
read, neutralise or write CSV (every web worker) never hold it.

CSV files are UTF-8 with a byte-order mark (Excel needs it to read non-ASCII
text such as "↔" or Chinese), comma-separated, with ``\\r\\n`` line ends.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

# A text cell a spreadsheet would read as a formula (after any apostrophes we added): one
# that starts with a formula sign, also after white space (spreadsheets trim a leading space
# or no-break space on import, and a line feed starts a new line of the cell) and in its
# full-width and small forms (＝ ﹦ ＋ ﹢ － ﹣ ＠ ﹫), which East Asian input methods type and
# some spreadsheets take for the ASCII sign; or with a tab, carriage return or line feed.
_TRIGGER = r"(?:[\t\r\n]|\s*[=+\-@\uff1d\ufe66\uff0b\ufe62\uff0d\ufe63\uff20\ufe6b])"
_FORMULA_START = re.compile(r"^'*" + _TRIGGER)
_NEUTRALISED = re.compile(r"^'+" + _TRIGGER)

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


def plain(value: Any) -> Cell:
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
            writer.writerow(["" if v is None else neutralise(plain(v)) for v in fit(row, columns)])
            count += 1
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
    return count


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.BytesIO()
    write_csv(buffer, columns, rows)
    return buffer.getvalue()


def fit(row: Sequence[Any], columns: Sequence[Column]) -> Sequence[Any]:
    if len(row) != len(columns):
        raise ValueError(f"a row has {len(row)} cells for {len(columns)} columns")
    return row
