"""NIST OLIR concept crosswalk workbooks (CSF 2.0 ↔ another document).

NIST publishes each OLIR concept crosswalk as a workbook with a
"Relationships" sheet:

Focal Document Element | Focal Document Element Description |
Reference Document Element | Reference Document Element Description |
Comments | Strength of Relationship

The focal document is the CSF; each row relates one CSF element to one
element of the reference document. Rows that name a CSF Function or
Category and no reference element are headings and carry no mapping. Cells
may end with stray line breaks (``"PM-09\\n"``); they are trimmed. "Strength
of Relationship" is OLIR's 0–10 scale. A "Relationship" column, where a
crosswalk has one, gives the set relationship (NIST IR 8278A); without one
every row is ``related_to``.

The defaults describe OLIR 131, NIST's crosswalk from SP 800-53 Rev. 5
(release 5.1.1) to CSF 2.0, and read it under the key of the Reference Tool's
dataset of the same name. The shipped workbook (March 2024) and the Reference
Tool agree on 739 of their 740 rows; for DE.AE-06 the workbook names RA-04, a
control Rev. 5 withdrew into RA-3, and the Reference Tool names RA-03.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from csfpilot.core.catalog import DatasetInfo, ImportBundle, Mapping, MappingSet, Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import (
    CSF_2_0,
    SP800_53_R5,
    canonical_code,
    csf_canonical,
    sp800_53_canonical,
)
from csfpilot.formats.nist.cells import cell_text, column_letter, find_header, header_key
from csfpilot.formats.nist.shipped import CONCEPT_CROSSWALK_800_53, shipped_file
from csfpilot.formats.nist.terms import NIST, US_GOVERNMENT_WORK
from csfpilot.formats.safe_json import read_limited
from csfpilot.formats.xlsx_safety import require_sheet, workbook

SHEET = "Relationships"
_REQUIRED = {
    "focal": ("focal document element",),
    "reference": ("reference document element",),
}
_OPTIONAL = {
    "comments": ("comments",),
    "strength": ("strength of relationship",),
    "relationship": ("relationship", "set theory relationship"),
    "reference_description": ("reference document element description",),
}
_RELATIONSHIPS = {
    "equal": Relationship.EQUIVALENT,
    "equivalent": Relationship.EQUIVALENT,
    "subset of": Relationship.SUBSET_OF,
    "superset of": Relationship.SUPERSET_OF,
    "intersects with": Relationship.INTERSECTS_WITH,
    "related to": Relationship.RELATED_TO,
}


def _optional_columns(header: tuple[Any, ...], taken: set[int]) -> dict[str, int]:
    keys = [header_key(v) for v in header]
    out: dict[str, int] = {}
    for role, spellings in _OPTIONAL.items():
        for i, key in enumerate(keys):
            if i not in taken and key and any(key.startswith(s) for s in spellings):
                out[role] = i
                taken.add(i)
                break
    return out


def _strength(value: Any, *, file: str, row: int, column: str) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 10:
        raise InputRefused(
            f"strength {text!r} is not a whole number from 0 to 10",
            file=file,
            sheet=SHEET,
            row=row,
            column=column,
        )
    return number


def read_concept_crosswalk(
    source: Path | bytes | None = None,
    *,
    name: str | None = None,
    key: str = "olir-sp800-53r5-5.1.1",
    dataset_name: str = "CSF 2.0 ↔ SP 800-53 Rev. 5 (release 5.1.1), NIST OLIR 131",
    version: str = "5.1.1",
    source_framework: str = CSF_2_0,
    target_framework: str = SP800_53_R5,
    publisher: str = NIST,
    terms: str = US_GOVERNMENT_WORK,
) -> ImportBundle:
    """One mapping set from a concept crosswalk workbook (by default NIST's OLIR 131)."""
    if source is None:
        source = shipped_file(CONCEPT_CROSSWALK_800_53)
    if name is None:
        name = source.name if isinstance(source, Path) else "crosswalk.xlsx"
    raw = read_limited(source, name=name)
    sha256 = hashlib.sha256(raw).hexdigest()
    with workbook(raw, name=name) as wb:
        ws = require_sheet(wb, SHEET, name=name)
        rows = list(enumerate(ws.iter_rows(values_only=True), start=1))
    header_row, col = find_header(rows, _REQUIRED, file=name, sheet=SHEET)
    col.update(_optional_columns(rows[header_row - 1][1], set(col.values())))

    def cell(row: tuple[Any, ...], role: str) -> Any:
        i = col.get(role)
        return row[i] if i is not None and i < len(row) else None

    mappings: list[Mapping] = []
    for row_number, row in rows[header_row:]:
        focal_raw = cell_text(cell(row, "focal"))
        reference_raw = cell_text(cell(row, "reference"))
        if not focal_raw and not reference_raw:
            continue
        focal = csf_canonical(focal_raw)
        if focal is None:
            raise InputRefused(
                f"{focal_raw!r} is not a CSF identifier",
                file=name,
                sheet=SHEET,
                row=row_number,
                column=column_letter(col["focal"]),
            )
        if not reference_raw:
            continue  # a Function or Category heading row
        target = canonical_code(target_framework, reference_raw)
        if target_framework.startswith("sp800-53") and sp800_53_canonical(target) is None:
            raise InputRefused(
                f"{reference_raw!r} is not an SP 800-53 control id",
                file=name,
                sheet=SHEET,
                row=row_number,
                column=column_letter(col["reference"]),
                element=focal,
            )
        relationship = Relationship.RELATED_TO
        label = " ".join(cell_text(cell(row, "relationship")).lower().split())
        if label:
            if label not in _RELATIONSHIPS:
                raise InputRefused(
                    f"unknown relationship {label!r} (expected one of "
                    f"{', '.join(sorted(_RELATIONSHIPS))})",
                    file=name,
                    sheet=SHEET,
                    row=row_number,
                    column=column_letter(col["relationship"]),
                )
            relationship = _RELATIONSHIPS[label]
        mappings.append(
            Mapping(
                source=focal,
                target=target,
                relationship=relationship,
                comment=cell_text(cell(row, "comments")),
                strength=_strength(
                    cell(row, "strength"),
                    file=name,
                    row=row_number,
                    column=column_letter(col.get("strength", 0)),
                ),
                target_title=cell_text(cell(row, "reference_description")),
            )
        )
    if not mappings:
        raise InputRefused("the crosswalk has no mapping rows", file=name, sheet=SHEET)
    info = DatasetInfo(
        key=key,
        name=dataset_name,
        publisher=publisher,
        version=version,
        source_framework=source_framework,
        target_framework=target_framework,
        terms=terms,
        source_file=name,
        source_sha256=sha256,
        description="NIST OLIR concept crosswalk workbook.",
    )
    return ImportBundle(mapping_sets=[MappingSet(info=info, mappings=tuple(mappings))])
