"""Exporting a framework or a crosswalk as a file: OSCAL JSON, CSV or Excel.

One entry point per object, shared by ``csfpilot export`` and the download
links of the web pages, so a file is the same whichever way it was made:

- :func:`export_framework` — ``oscal`` (an OSCAL catalog that imports back
  unchanged), ``csv`` or ``xlsx`` (one row per element, in the framework's
  order);
- :func:`export_crosswalk` — ``oscal-mapping`` (an OSCAL mapping
  collection), ``csv`` or ``xlsx`` (one row per crosswalk row).

The spreadsheet columns start with ``ID``, ``Parent``, ``Title``, ``Text``
and ``Level``, the columns csfpilot's custom-framework importer reads, so an
exported framework can be edited in Excel and imported as a framework of
one's own. Every cell goes through
:mod:`csfpilot.formats.spreadsheet_safety`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from csfpilot.core.catalog import Catalog, MappingSet, Node
from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal.catalog_writer import catalog_json
from csfpilot.formats.oscal.mapping_writer import mapping_json
from csfpilot.formats.spreadsheet_safety import Column, Sheet, csv_bytes

FRAMEWORK_FORMATS = ("oscal", "csv", "xlsx")
CROSSWALK_FORMATS = ("oscal-mapping", "csv", "xlsx")

JSON = "application/json"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FRAMEWORK_COLUMNS = (
    Column("ID"),
    Column("Parent"),
    Column("Title", width=40),
    Column("Text", wrap=True),
    Column("Level"),
    Column("Withdrawn", width=11),
    Column("Withdrawn to", width=30),
    Column("Implementation examples", wrap=True),
    Column("Guidance", wrap=True),
    Column("Related", width=30),
)
CROSSWALK_COLUMNS = (
    Column("Source framework"),
    Column("Source ID"),
    Column("Source title", wrap=True),
    Column("Relationship"),
    Column("Target framework"),
    Column("Target ID"),
    Column("Target title", wrap=True),
    Column("Comment", wrap=True),
    Column("Strength", width=10),
)
ABOUT_COLUMNS = (Column("Field", width=18), Column("Value", wrap=True))
# The sheet csfpilot's custom-framework importer reads the framework's identity from.
ABOUT_SHEET = "About"


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A finished export: the bytes, a file name to suggest, and the media type."""

    content: bytes
    filename: str
    media_type: str


def _examples(n: Node) -> str:
    return "\n".join(f"{e.title}: {e.text}" if e.title else e.text for e in n.examples)


def _withdrawn_to(n: Node) -> str:
    return "; ".join(f"{w.relation.label} {w.target}" for w in n.withdrawn_to)


def _related(n: Node) -> str:
    related = n.props.get("related")
    return ", ".join(map(str, related)) if isinstance(related, list) else ""


def framework_rows(catalog: Catalog) -> Iterator[list[Any]]:
    """One row per element in the framework's order, in :data:`FRAMEWORK_COLUMNS`."""
    for n in sorted(catalog.nodes, key=lambda n: n.order):
        guidance = n.props.get("guidance")
        yield [
            n.code,
            n.parent or "",
            n.title,
            n.text,
            n.level,
            "yes" if n.withdrawn else "",
            _withdrawn_to(n) or n.withdrawal_note,
            _examples(n),
            guidance if isinstance(guidance, str) else "",
            _related(n),
        ]


def _about_framework(catalog: Catalog, generated_at: datetime) -> list[list[Any]]:
    info = catalog.info
    return [
        ["Key", info.key],
        ["Name", info.name],
        ["Version", info.version],
        ["Publisher", info.publisher],
        ["Levels", ", ".join(info.levels)],
        ["Elements", len(catalog.nodes)],
        ["Terms of use", info.terms],
        ["Source file", info.source_file],
        ["Source SHA-256", info.source_sha256],
        ["Content digest", catalog.content_digest()],
        ["Exported", generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")],
    ]


def _title(catalog: Catalog | None, code: str, fallback: str = "") -> str:
    node = catalog.get(code) if catalog is not None else None
    if node is None:
        return fallback
    return node.title or node.text


def crosswalk_rows(
    ms: MappingSet, *, source: Catalog | None = None, target: Catalog | None = None
) -> Iterator[list[Any]]:
    """One row per crosswalk row as published, in :data:`CROSSWALK_COLUMNS`.

    Titles come from the frameworks' catalogs when given, else from the
    dataset itself (some datasets print the target's title).
    """
    info = ms.info
    for row in ms.mappings:
        yield [
            info.source_framework,
            row.source,
            _title(source, row.source),
            row.relationship.label,
            info.target_framework,
            row.target,
            _title(target, row.target, row.target_title),
            row.comment,
            row.strength,
        ]


def _about_crosswalk(ms: MappingSet, generated_at: datetime) -> list[list[Any]]:
    info = ms.info
    return [
        ["Key", info.key],
        ["Name", info.name],
        ["Version", info.version],
        ["Publisher", info.publisher],
        ["Source framework", info.source_framework],
        ["Target framework", info.target_framework],
        ["Rows", len(ms.mappings)],
        ["Description", info.description],
        ["Terms of use", info.terms],
        ["Source file", info.source_file],
        ["Source SHA-256", info.source_sha256],
        ["Exported", generated_at.strftime("%Y-%m-%d %H:%M:%S UTC")],
    ]


def _now(generated_at: datetime | None) -> datetime:
    return (generated_at or datetime.now(UTC)).astimezone(UTC)


def _unknown(fmt: str, known: tuple[str, ...], what: str) -> InputRefused:
    return InputRefused(
        f"{fmt!r} is not an export format for a {what}; choose one of: {', '.join(known)}",
        field="format",
    )


def export_framework(
    catalog: Catalog, fmt: str, *, generated_at: datetime | None = None
) -> ExportFile:
    """The framework as ``oscal``, ``csv`` or ``xlsx``."""
    key = catalog.info.key
    if fmt == "oscal":
        return ExportFile(
            catalog_json(catalog, generated_at=generated_at), f"{key}.oscal.json", JSON
        )
    if fmt == "csv":
        return ExportFile(csv_bytes(FRAMEWORK_COLUMNS, framework_rows(catalog)), f"{key}.csv", CSV)
    if fmt == "xlsx":
        now = _now(generated_at)
        sheets = [
            Sheet(key, FRAMEWORK_COLUMNS, framework_rows(catalog)),
            Sheet(ABOUT_SHEET, ABOUT_COLUMNS, _about_framework(catalog, now)),
        ]
        return ExportFile(_xlsx(sheets), f"{key}.xlsx", XLSX)
    raise _unknown(fmt, FRAMEWORK_FORMATS, "framework")


def _xlsx(sheets: list[Sheet]) -> bytes:
    # The workbook writer (and openpyxl) only when a workbook is asked for.
    from csfpilot.formats.xlsx_writer import xlsx_bytes

    return xlsx_bytes(sheets)


def export_crosswalk(
    ms: MappingSet,
    fmt: str,
    *,
    source: Catalog | None = None,
    target: Catalog | None = None,
    generated_at: datetime | None = None,
) -> ExportFile:
    """The crosswalk as ``oscal-mapping``, ``csv`` or ``xlsx``."""
    key = ms.info.key
    if fmt == "oscal-mapping":
        content = mapping_json(ms, source=source, target=target, generated_at=generated_at)
        return ExportFile(content, f"{key}.oscal-mapping.json", JSON)
    rows = crosswalk_rows(ms, source=source, target=target)
    if fmt == "csv":
        return ExportFile(csv_bytes(CROSSWALK_COLUMNS, rows), f"{key}.csv", CSV)
    if fmt == "xlsx":
        sheets = [
            Sheet("Crosswalk", CROSSWALK_COLUMNS, rows),
            Sheet(ABOUT_SHEET, ABOUT_COLUMNS, _about_crosswalk(ms, _now(generated_at))),
        ]
        return ExportFile(_xlsx(sheets), f"{key}.xlsx", XLSX)
    raise _unknown(fmt, CROSSWALK_FORMATS, "crosswalk")
