"""A framework of one's own from a spreadsheet: CSV or Excel, one row per element.

Organizations keep internal control sets, sector requirements or a
regulator's checklist in a spreadsheet. csfpilot imports one as a framework
that browses, crosswalks and exports like NIST's, from four columns:

=========  ===============================================================
``ID``     the element's code, unique in the file (``A.1``, ``POL-03``)
``Parent`` the ID of the element above it; empty for a top-level element
``Title``  a short name (may be empty, as CSF Subcategories' are)
``Text``   the requirement or outcome itself
=========  ===============================================================

Header names are matched without regard to case or surrounding spaces, in
any order; other columns are ignored, except an optional ``Level`` that
names each element's level (``domain``, ``control``...). Without it, levels
are numbered by depth (``level_1`` for the top). A file exported by csfpilot
(``csfpilot export framework KEY --format csv``) has these columns, so a
framework can be edited in Excel and imported again; the apostrophe that the
export put before formula-like text is removed again.

An Excel workbook is read from its first sheet; an optional sheet ``About``
with rows ``Key``, ``Name``, ``Version``, ``Publisher`` and ``Terms of use``
(csfpilot's export writes one) gives the framework its identity. Otherwise
the key and name come from the file name (or ``--key``), the version from
``--version`` (default ``1``).

Every problem is refused with the file, the row (as a spreadsheet numbers
it: the header is row 1) and the column, before anything is stored.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, NoReturn

from csfpilot.core.catalog import Catalog, FrameworkInfo, ImportBundle, Node
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import FRAMEWORK_KEY_RE
from csfpilot.formats.column_letters import column_letter
from csfpilot.formats.safe_json import decode_utf8, read_limited
from csfpilot.formats.spreadsheet_safety import restore
from csfpilot.formats.xlsx_safety import XML_ENTITIES_REFUSED, forbidden_xml, workbook

MiB = 1024 * 1024
MAX_BYTES = 32 * MiB
MAX_ROWS = 100_000
# Deeper than any published framework; a chain deeper than this is a mistake.
MAX_DEPTH = 12
MAX_CODE = 100  # what the database stores for an element id
MAX_LEVEL = 64
REQUIRED = ("id", "parent", "title", "text")
OPTIONAL = ("level",)
_SHOWN = {"id": "ID", "parent": "Parent", "title": "Title", "text": "Text"}
ABOUT_SHEET = "about"
DEFAULT_VERSION = "1"
_DELIMITERS = ",;\t"


@dataclass(frozen=True, slots=True)
class _Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    line: int | None  # CSV only: the line the record ends on
    cells: dict[str, str]  # required/optional column → trimmed text


class _Table:
    """The rows of one sheet or CSV file, and how to name a place in it."""

    def __init__(self, file: str, sheet: str | None, columns: dict[str, str]) -> None:
        self.file = file
        self.sheet = sheet
        self.columns = columns  # column key → how messages name it ("C (Parent)")

    def refuse(self, message: str, row: _Row | None = None, column: str | None = None) -> NoReturn:
        raise InputRefused(
            message,
            file=self.file,
            sheet=self.sheet,
            row=row.number if row else None,
            line=row.line if row else None,
            column=self.columns.get(column, column) if column else None,
        )


def _header(cells: Sequence[Any], file: str, sheet: str | None, *, letters: bool) -> dict[str, int]:
    """Positions of the known columns; refuses a header that lacks a required one."""
    found: dict[str, int] = {}
    names = ["" if c is None else str(c).strip() for c in cells]
    for i, raw in enumerate(names):
        name = raw.lower()
        if name in REQUIRED or name in OPTIONAL:
            if name in found:
                where = column_letter(i + 1) if letters else raw
                raise InputRefused(
                    f"the column {raw!r} appears twice in the header",
                    file=file,
                    sheet=sheet,
                    row=1,
                    column=where,
                )
            found[name] = i
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        shown = ", ".join(repr(n) for n in names if n) or "no column names"
        raise InputRefused(
            f"the header lacks the column(s) {', '.join(_SHOWN[m] for m in missing)} "
            f"(found: {shown}); a framework file needs the columns ID, Parent, Title and Text",
            file=file,
            sheet=sheet,
            row=1,
        )
    return found


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores the ID 7 as 7.0
    return restore(str(value).strip())


def _records(
    header: dict[str, int], rows: Iterable[tuple[int, int | None, Sequence[Any]]], table: _Table
) -> Iterator[_Row]:
    width = max(header.values()) + 1
    for number, line, cells in rows:
        if number - 1 > MAX_ROWS:
            table.refuse(f"the file has more than {MAX_ROWS:,} rows")
        values = list(cells)
        if not any(_cell_text(v) for v in values):
            continue  # blank rows separate sections in hand-made sheets
        values += [None] * (width - len(values))
        yield _Row(
            number=number,
            line=line,
            cells={name: _cell_text(values[i]) for name, i in header.items()},
        )


def _slug(text: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9.]+", "-", text.lower())).strip("-.")


@dataclass(frozen=True, slots=True)
class _Identity:
    key: str | None = None
    name: str | None = None
    version: str | None = None
    publisher: str = ""
    terms: str = ""


def _catalog(
    rows: list[_Row],
    table: _Table,
    identity: _Identity,
    *,
    sha256: str,
    key: str | None,
    version: str | None,
) -> ImportBundle:
    stem = PurePath(table.file).stem
    framework_key = (key or identity.key or _slug(stem)[:64] or "custom").strip()
    if not FRAMEWORK_KEY_RE.match(framework_key):
        raise InputRefused(
            f"{framework_key!r} cannot be a framework key: use lower-case letters, digits, "
            "'.' and '-', at most 64 characters (choose one with --key)",
            file=table.file,
            field="key",
        )
    if not rows:
        table.refuse("the file has a header but no elements")
    first: dict[str, _Row] = {}
    for row in rows:
        code = row.cells["id"]
        if not code:
            table.refuse("the ID is empty", row, "id")
        if "\n" in code or "\r" in code:
            table.refuse("an ID is one line", row, "id")
        if len(code) > MAX_CODE:
            table.refuse(f"the ID is longer than {MAX_CODE} characters", row, "id")
        if code in first:
            table.refuse(
                f"the ID {code!r} appears twice (first in row {first[code].number})", row, "id"
            )
        first[code] = row
    for row in rows:
        parent = row.cells["parent"]
        if parent and parent not in first:
            table.refuse(f"no row has the ID {parent!r} named as parent", row, "parent")
        if parent == row.cells["id"]:
            table.refuse("an element cannot be its own parent", row, "parent")
    depth: dict[str, int] = {}
    for row in rows:
        chain: list[str] = []
        code: str | None = row.cells["id"]
        while code and code not in depth:
            if code in chain:
                table.refuse("the parents of this element lead back to it", row, "parent")
            chain.append(code)
            code = first[code].cells["parent"] or None
        base = depth[code] if code else 0
        for offset, c in enumerate(reversed(chain), start=1):
            depth[c] = base + offset
        if depth[row.cells["id"]] > MAX_DEPTH:
            table.refuse(f"the element is nested more than {MAX_DEPTH} levels deep", row, "parent")
    levels: dict[str, tuple[int, int]] = {}  # level → (shallowest depth, first row)
    nodes = []
    for order, row in enumerate(rows):
        code = row.cells["id"]
        level = row.cells.get("level") or f"level_{depth[code]}"
        if len(level) > MAX_LEVEL or "\n" in level:
            table.refuse(
                f"a level name is one line of at most {MAX_LEVEL} characters", row, "level"
            )
        seen = levels.get(level)
        levels[level] = (
            min(seen[0], depth[code]) if seen else depth[code],
            seen[1] if seen else order,
        )
        nodes.append(
            Node(
                code=code,
                level=level,
                parent=row.cells["parent"] or None,
                title=" ".join(row.cells["title"].split()),
                text=row.cells["text"],
                order=order,
            )
        )
    name = (identity.name or stem).strip()[:200] or framework_key
    info = FrameworkInfo(
        key=framework_key,
        name=name,
        version=(version or identity.version or DEFAULT_VERSION).strip()[:64],
        publisher=identity.publisher[:200],
        levels=tuple(sorted(levels, key=lambda lvl: levels[lvl])),
        terms=identity.terms,
        source_file=table.file,
        source_sha256=sha256,
        family=framework_key,
    )
    return ImportBundle(catalogs=[Catalog(info=info, nodes=tuple(nodes))])


# --- CSV ----------------------------------------------------------------------------


class _Semicolon(csv.excel):
    # What Excel writes as "CSV" where the decimal separator is a comma.
    delimiter = ";"


def _dialect(text: str) -> type[csv.Dialect]:
    """Standard CSV, comma- or semicolon-separated (whichever the header uses), or TSV."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0 or best == ",":
        return csv.excel
    return _Semicolon if best == ";" else csv.excel_tab


def looks_like_framework_csv(head: bytes) -> bool:
    """Whether a file's first line is a header with the ID, Parent, Title and Text columns."""
    text = head.decode("utf-8", "ignore").lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    names = {c.strip().strip('"').lower() for c in re.split(r"[,;\t]", first)}
    return set(REQUIRED) <= names


def read_custom_csv(
    source: Path | bytes,
    *,
    name: str | None = None,
    key: str | None = None,
    version: str | None = None,
) -> ImportBundle:
    """Read a framework from a CSV file (UTF-8; comma, semicolon or tab separated)."""
    file = name or (Path(source).name if isinstance(source, Path | str) else "<upload>")
    raw = read_limited(
        Path(source) if isinstance(source, str) else source, name=file, max_bytes=MAX_BYTES
    )
    text = decode_utf8(raw, name=file)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text), strict=True)
    try:
        head = next(reader, None)
        if head is None:
            raise InputRefused("the file is empty", file=file)
        table = _Table(file, None, {})
        header = _header(head, file, None, letters=False)
        table.columns = {c: head[i].strip() for c, i in header.items()}

        def numbered() -> Iterator[tuple[int, int | None, Sequence[Any]]]:
            for number, cells in enumerate(reader, start=2):
                yield number, reader.line_num, cells

        rows = list(_records(header, numbered(), table))
    except csv.Error as exc:
        raise InputRefused(
            f"not a readable CSV file: {exc}", file=file, line=reader.line_num
        ) from None
    sha = hashlib.sha256(raw).hexdigest()
    return _catalog(rows, table, _Identity(), sha256=sha, key=key, version=version)


# --- Excel ----------------------------------------------------------------------------


def _about(ws: Any) -> _Identity:
    fields: dict[str, str] = {}
    for cells in ws.iter_rows(min_row=1, max_col=2, values_only=True):
        if cells and cells[0] is not None:
            fields[str(cells[0]).strip().lower()] = _cell_text(cells[1] if len(cells) > 1 else None)
    return _Identity(
        key=fields.get("key") or None,
        name=fields.get("name") or None,
        version=fields.get("version") or None,
        publisher=fields.get("publisher", ""),
        terms=fields.get("terms of use", ""),
    )


def workbook_has_framework_sheet(raw: bytes, *, name: str) -> bool:
    """Whether a workbook's first sheet has the ID, Parent, Title and Text columns."""
    with workbook(raw, name=name, max_bytes=MAX_BYTES) as wb:
        sheets = [ws for ws in wb.worksheets if ws.title.lower() != ABOUT_SHEET]
        if not sheets:
            return False
        try:
            head = next(sheets[0].iter_rows(min_row=1, max_row=1, values_only=True), ())
        except Exception:  # a damaged sheet: let the reader say what is wrong with it
            return True
    names = {str(c).strip().lower() for c in head if c is not None}
    return set(REQUIRED) <= names


def read_custom_xlsx(
    source: Path | bytes,
    *,
    name: str | None = None,
    key: str | None = None,
    version: str | None = None,
) -> ImportBundle:
    """Read a framework from the first sheet of an Excel workbook (see the module docstring)."""
    file = name or (Path(source).name if isinstance(source, Path | str) else "<upload>")
    raw = read_limited(
        Path(source) if isinstance(source, str) else source, name=file, max_bytes=MAX_BYTES
    )
    try:
        return _read_workbook(raw, file, key=key, version=version)
    except InputRefused:
        raise
    except Exception as exc:  # openpyxl parses each sheet lazily, while rows are read
        if forbidden_xml(exc):
            raise InputRefused(XML_ENTITIES_REFUSED, file=file) from None
        raise InputRefused(
            f"the workbook cannot be read: {type(exc).__name__}: {exc}", file=file
        ) from None


def _read_workbook(raw: bytes, file: str, *, key: str | None, version: str | None) -> ImportBundle:
    with workbook(raw, name=file, max_bytes=MAX_BYTES) as wb:
        sheets = [ws for ws in wb.worksheets if ws.title.lower() != ABOUT_SHEET]
        if not sheets:
            raise InputRefused("the workbook has no sheet of elements", file=file)
        ws = sheets[0]
        rows_iter = ws.iter_rows(values_only=True)
        head = next(rows_iter, None)
        if head is None:
            raise InputRefused("the sheet is empty", file=file, sheet=ws.title)
        header = _header(head, file, ws.title, letters=True)
        table = _Table(
            file,
            ws.title,
            {c: f"{column_letter(i + 1)} ({str(head[i]).strip()})" for c, i in header.items()},
        )
        rows = list(
            _records(
                header, ((n, None, cells) for n, cells in enumerate(rows_iter, start=2)), table
            )
        )
        about = [s for s in wb.worksheets if s.title.lower() == ABOUT_SHEET]
        identity = _about(about[0]) if about else _Identity()
    sha = hashlib.sha256(raw).hexdigest()
    return _catalog(rows, table, identity, sha256=sha, key=key, version=version)
