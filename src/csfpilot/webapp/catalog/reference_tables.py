"""An element's crosswalk rows as one table per framework at the other end.

NIST publishes a crosswalk per release of the mapped framework: CSF 2.0 to
SP 800-53 release 5.1.1 (OLIR 131) and to release 5.2.0 (OLIR 186) agree on
almost every row, and NIST's own references to the SP 800-53 families are a
third dataset. Shown one table per dataset, an element page repeated the same
rows two or three times. Here the rows of every dataset that maps to the same
framework are merged: a row appears once, with the releases whose crosswalks
give it, and a table that spans several releases can be narrowed to one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from csfpilot.core.catalog.releases import in_release_order, release_key, same_release
from csfpilot.webapp.catalog import models as m

if TYPE_CHECKING:  # queries builds its element pages with this module
    from csfpilot.webapp.catalog.queries import Reference


@dataclass
class TableRow:
    """One element at the other end, as every dataset of the table relates it."""

    framework: str  # the framework whose page the id links to
    code: str
    title: str
    relationship: str
    comment: str
    in_catalog: bool
    # Named by a crosswalk made for a release the installation has not loaded:
    # the id links to a page that says so instead of to nothing.
    pending: bool
    releases: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)


@dataclass
class ReferenceTable:
    """The rows of every dataset that maps the element to one other framework."""

    key: str  # stable anchor: the other framework, and "-in" when read backwards
    other_framework: str
    inward: bool  # the element is the datasets' target: relationships read backwards
    other_loaded: bool
    release_of: str  # the framework whose releases the crosswalks were made for
    datasets: list[m.MappingDataset]
    releases: list[str]  # oldest first
    release: str  # the release the rows are narrowed to, or ""
    rows: list[TableRow]
    total: int  # rows before narrowing to one release

    @property
    def has_comments(self) -> bool:
        return any(row.comment for row in self.rows)


def _pending(ref: Reference, loaded: Mapping[str, str]) -> bool:
    if ref.in_catalog or not ref.code or ref.dataset_end not in loaded:
        return False
    return bool(ref.release) and not same_release(ref.release, loaded[ref.dataset_end])


def reference_tables(
    refs: Iterable[Reference],
    *,
    datasets: Mapping[str, m.MappingDataset],
    loaded: Mapping[str, str],
    release: str = "",
) -> list[ReferenceTable]:
    """Group ``refs`` (read from one element's side) into one table per framework at
    the other end and direction; ``loaded`` maps each loaded framework key
    to its release. ``release`` narrows every table that spans it to its rows."""
    tables: dict[str, ReferenceTable] = {}
    merged: dict[str, dict[tuple[str, str, str], TableRow]] = {}
    for ref in refs:
        ds = datasets[ref.dataset_key]
        inward = ref.dataset_end == ds.source_framework_key
        table_key = ref.dataset_end + ("-in" if inward else "")
        table = tables.get(table_key)
        if table is None:
            table = tables[table_key] = ReferenceTable(
                key=table_key,
                other_framework=ref.dataset_end,
                inward=inward,
                other_loaded=ref.dataset_end in loaded,
                release_of=ds.target_framework_key,
                datasets=[],
                releases=[],
                release="",
                rows=[],
                total=0,
            )
            merged[table_key] = {}
        if ds not in table.datasets:
            table.datasets.append(ds)
        row_key = (ref.code, ref.relationship, ref.comment)
        row = merged[table_key].get(row_key)
        if row is None:
            row = merged[table_key][row_key] = TableRow(
                framework=ref.framework,
                code=ref.code,
                title=ref.title,
                relationship=ref.relationship,
                comment=ref.comment,
                in_catalog=ref.in_catalog,
                pending=_pending(ref, loaded),
            )
            table.rows.append(row)
        elif ref.in_catalog and (
            not row.in_catalog
            or release_key(ref.release) > max((release_key(r) for r in row.releases), default=())
        ):
            # Link to the newest loaded release that has the element.
            row.framework, row.in_catalog, row.pending = ref.framework, True, False
            row.title = ref.title or row.title
        row.title = row.title or ref.title
        if ref.release and ref.release not in row.releases:
            row.releases = in_release_order([*row.releases, ref.release])
        if ds.key not in row.datasets:
            row.datasets.append(ds.key)
    out = list(tables.values())
    for table in out:
        table.releases = in_release_order(r for row in table.rows for r in row.releases)
        table.total = len(table.rows)
        if release and len(table.releases) > 1:
            chosen = next((r for r in table.releases if same_release(r, release)), "")
            if chosen:
                table.release = chosen
                table.rows = [row for row in table.rows if chosen in row.releases]
    return sorted(
        out,
        key=lambda t: (t.inward, not t.other_loaded, t.other_framework),
    )
