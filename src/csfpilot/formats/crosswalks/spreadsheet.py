"""csfpilot's own crosswalk exports (CSV and Excel), read back as crosswalks.

``csfpilot export crosswalk`` and the download links write one row per
crosswalk row with the columns ``Source framework``, ``Source ID``,
``Source title``, ``Relationship``, ``Target framework``, ``Target ID``,
``Target title``, ``Comment`` and ``Strength``; the Excel file adds an
``About`` sheet with the dataset's key, name, version, publisher,
description and terms. Reading such a file back gives the same dataset: the
same key, identity and rows (a lossless round trip; a CSV, which has no
``About`` sheet, takes its key from the file name and its identity from the
options given on import).

The same layout filled by hand is a crosswalk of one's own. Headers are
matched without regard to case or spacing; every row must name the same two
frameworks. The relationship is written as csfpilot shows it (``subset of``,
``related to``) or as its key (``subset_of``). Refusals name the file, sheet,
row and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePath
from typing import Any

from csfpilot.core.catalog import DatasetInfo, Relationship
from csfpilot.core.catalog.crosswalk_input import (
    BY_CODE,
    FrameworkRef,
    PendingCrosswalk,
    PendingRow,
)
from csfpilot.core.errors import InputRefused
from csfpilot.formats.column_letters import column_letter
from csfpilot.formats.safe_json import decode_utf8
from csfpilot.formats.spreadsheet_safety import restore
from csfpilot.formats.xlsx_safety import XML_ENTITIES_REFUSED, forbidden_xml, workbook

MiB = 1024 * 1024
MAX_BYTES = 32 * MiB
MAX_ROWS = 200_000
SHEET = "Crosswalk"
ABOUT = "about"
REQUIRED = ("source framework", "source id", "relationship", "target framework", "target id")
OPTIONAL = ("source title", "target title", "comment", "strength")
# Relationships a row may state; the migration ones read from the other side are not data.
STATED = tuple(
    r for r in Relationship if r not in (Relationship.INCORPORATES, Relationship.RECEIVED_FROM)
)


def _fold(name: Any) -> str:
    return " ".join(str(name or "").split()).lower()


def looks_like_crosswalk_header(cells: Iterable[Any]) -> bool:
    """Whether a first row carries the columns of csfpilot's crosswalk export."""
    return set(REQUIRED) <= {_fold(c) for c in cells}


def looks_like_crosswalk_csv(head: bytes) -> bool:
    first = head.decode("utf-8", "ignore").lstrip("\ufeff").split("\n", 1)[0]
    return looks_like_crosswalk_header(c.strip().strip('"') for c in re.split(r"[,;\t]", first))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore(str(value).strip())


def _relationship(text: str) -> Relationship | None:
    token = text.strip().lower().replace(" ", "_").replace("-", "_")
    return next((r for r in STATED if r.value == token), None)


class _Rows:
    """Checks rows of one table and turns them into a pending crosswalk."""

    def __init__(self, file: str, sheet: str | None, head: Sequence[Any], letters: bool) -> None:
        self.file = file
        self.sheet = sheet
        self.letters = letters
        self.columns: dict[str, int] = {}
        for i, cell in enumerate(head):
            name = _fold(cell)
            if name in REQUIRED or name in OPTIONAL:
                if name in self.columns:
                    self.refuse(f"the column {cell!r} appears twice", 1, name)
                self.columns[name] = i
            elif name:
                continue  # a column of the person's own: ignored
        missing = [c for c in REQUIRED if c not in self.columns]
        if missing:
            self.refuse(
                "the header lacks the column(s) "
                + ", ".join(m.capitalize() for m in missing)
                + "; a crosswalk file has Source framework, Source ID, Relationship, "
                "Target framework and Target ID",
                1,
            )

    def column_name(self, name: str) -> str:
        i = self.columns.get(name)
        if i is None:
            return name
        return f"{column_letter(i + 1)} ({name})" if self.letters else name

    def refuse(self, message: str, row: int | None = None, column: str | None = None) -> Any:
        raise InputRefused(
            message,
            file=self.file,
            sheet=self.sheet,
            row=row,
            column=self.column_name(column) if column else None,
        )

    def read(
        self, numbered: Iterable[tuple[int, Sequence[Any]]]
    ) -> tuple[list[PendingRow], str, str]:
        rows: list[PendingRow] = []
        ends: tuple[str, str] | None = None
        width = max(self.columns.values()) + 1
        for number, raw in numbered:
            if number - 1 > MAX_ROWS:
                self.refuse(f"the file has more than {MAX_ROWS:,} rows")
            values = list(raw) + [None] * (width - len(raw))
            cells = {name: _text(values[i]) for name, i in self.columns.items()}
            if not any(cells.values()):
                continue
            pair = (cells["source framework"], cells["target framework"])
            for name, value in zip(("source framework", "target framework"), pair, strict=True):
                if not value:
                    self.refuse("the framework is empty", number, name)
            if ends is None:
                ends = pair
            elif pair != ends:
                self.refuse(
                    f"every row must relate {ends[0]} to {ends[1]}; this one relates "
                    f"{pair[0]} to {pair[1]}",
                    number,
                    "source framework" if pair[0] != ends[0] else "target framework",
                )
            if not cells["source id"]:
                self.refuse("the source id is empty", number, "source id")
            relationship = _relationship(cells["relationship"])
            if relationship is None:
                self.refuse(
                    f"{cells['relationship']!r} is not a relationship; use one of "
                    + ", ".join(r.label for r in STATED),
                    number,
                    "relationship",
                )
            strength = cells.get("strength", "")
            if strength and not (strength.isdigit() and int(strength) <= 100):
                self.refuse("the strength must be a whole number", number, "strength")
            rows.append(
                PendingRow(
                    source=cells["source id"],
                    target=cells["target id"],
                    relationship=relationship,
                    where=f"row {number}",
                    comment=cells.get("comment", ""),
                    strength=int(strength) if strength else None,
                    target_title=cells.get("target title", ""),
                )
            )
        if ends is None:
            self.refuse("the file has no crosswalk rows")
        return rows, ends[0], ends[1]


def _pending(
    rows: list[PendingRow],
    ends: tuple[str, str],
    *,
    file: str,
    sha256: str,
    about: dict[str, str],
    where: str,
) -> PendingCrosswalk:
    stem = re.sub(r"[^a-z0-9.]+", "-", PurePath(file).stem.lower()).strip("-.") or "crosswalk"
    key = about.get("key") or stem
    info = DatasetInfo(
        key=key[:120],
        name=(about.get("name") or key)[:300],
        publisher=about.get("publisher", "")[:200],
        version=about.get("version", "")[:64],
        source_framework=ends[0],
        target_framework=ends[1],
        terms=about.get("terms of use", ""),
        source_file=file,
        source_sha256=sha256,
        description=about.get("description", ""),
    )
    return PendingCrosswalk(
        info=info,
        source=FrameworkRef(ends[0], (ends[0],), f"{where} Source framework"),
        target=FrameworkRef(ends[1], (ends[1],), f"{where} Target framework"),
        rows=tuple(rows),
        ids=BY_CODE,
    )


def read_crosswalk_csv(raw: bytes, *, name: str) -> PendingCrosswalk:
    """A crosswalk from a CSV file (UTF-8; comma, semicolon or tab separated)."""
    text = decode_utf8(raw, name=name).lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        head = next(reader, None)
        if head is None:
            raise InputRefused("the file is empty", file=name)
        table = _Rows(name, None, head, letters=False)
        rows, src, dst = table.read(enumerate(reader, start=2))
    except csv.Error as exc:
        raise InputRefused(
            f"not a readable CSV file: {exc}", file=name, line=reader.line_num
        ) from None
    sha = hashlib.sha256(raw).hexdigest()
    return _pending(rows, (src, dst), file=name, sha256=sha, about={}, where="row 2")


def _about(ws: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    for cells in ws.iter_rows(min_row=1, max_col=2, values_only=True):
        if cells and cells[0] is not None:
            fields[_fold(cells[0])] = _text(cells[1] if len(cells) > 1 else None)
    return fields


def crosswalk_sheet(sheets: Iterable[Any]) -> Any | None:
    """The first sheet whose header has the crosswalk columns, or None."""
    for ws in sheets:
        if ws.title.lower() == ABOUT:
            continue
        head = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        if looks_like_crosswalk_header(head):
            return ws
    return None


def crosswalk_from_workbook(wb: Any, *, name: str, sha256: str) -> PendingCrosswalk:
    """A crosswalk from an open workbook (its first sheet with the crosswalk columns)."""
    try:
        ws = crosswalk_sheet(wb.worksheets)
        if ws is None:
            raise InputRefused("no sheet has the crosswalk columns", file=name)
        rows_iter: Iterator[Sequence[Any]] = ws.iter_rows(values_only=True)
        head = next(rows_iter)
        table = _Rows(name, ws.title, head, letters=True)
        rows, src, dst = table.read(enumerate(rows_iter, start=2))
        about_sheets = [s for s in wb.worksheets if s.title.lower() == ABOUT]
        about = _about(about_sheets[0]) if about_sheets else {}
    except InputRefused:
        raise
    except Exception as exc:  # openpyxl parses sheets lazily, while rows are read
        if forbidden_xml(exc):
            raise InputRefused(XML_ENTITIES_REFUSED, file=name) from None
        raise InputRefused(
            f"the workbook cannot be read: {type(exc).__name__}: {exc}", file=name
        ) from None
    where = f"sheet {ws.title!r} row 2"
    return _pending(rows, (src, dst), file=name, sha256=sha256, about=about, where=where)


def read_crosswalk_xlsx(raw: bytes, *, name: str) -> PendingCrosswalk:
    """A crosswalk from the first sheet of a workbook with the crosswalk columns."""
    with workbook(raw, name=name, max_bytes=MAX_BYTES) as wb:
        return crosswalk_from_workbook(wb, name=name, sha256=hashlib.sha256(raw).hexdigest())
