"""The CSF 1.1 Core, from NIST's "CSF 1.1 (and Privacy Framework) to SP 800-53 Rev. 5" workbook.

NIST published ``csf-pf-to-sp800-53r5-mappings.xlsx`` with SP 800-53 Rev. 5
(update 1, December 2020). Its sheet "CSF to SP 800-53r5" is the complete
CSF 1.1 Core (5 Functions, 23 Categories, 108 Subcategories) with a column of
SP 800-53 Rev. 5 controls per Subcategory:

===============  =========================================  ===========================
Function         Category                                   Subcategory
===============  =========================================  ===========================
Identify (ID)    Asset Management (ID.AM): The data, ...    ID.AM-1: Physical devices...
===============  =========================================  ===========================

A Function or Category cell is filled only on the first row of its block.
CSF 1.1 ids are not zero-padded (``ID.AM-1``) and are kept that way: they are
the ids CSF 1.1 users know, and the ones the CSF 1.1 → 2.0 migrations use.

Control cells list ids separated by commas. Three cells also say
"-1 controls from all security control families" (or "all -1 controls"):
the policy-and-procedures control that opens each of the 20 Rev. 5 families.
That phrase becomes one mapping to each of ``AC-1``, ``AT-1``... ``SR-1``
(skipping any the cell also lists by id), each with NIST's phrase as comment.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from csfpilot.core.catalog import (
    Catalog,
    DatasetInfo,
    FrameworkInfo,
    ImportBundle,
    Mapping,
    MappingSet,
    Node,
)
from csfpilot.core.catalog.csf2 import LEVELS, OUTCOME_LEVEL
from csfpilot.core.errors import CatalogInvariantError, InputRefused
from csfpilot.core.ids import CSF_1_1, SP800_53_R5, csf11_canonical, sp800_53_canonical
from csfpilot.formats.nist.cells import cell_text, column_letter, find_header
from csfpilot.formats.nist.csf_core import CSF_NAME
from csfpilot.formats.nist.shipped import CSF_1_1_WORKBOOK, shipped_file
from csfpilot.formats.nist.terms import NIST, US_GOVERNMENT_WORK
from csfpilot.formats.safe_json import read_limited
from csfpilot.formats.xlsx_safety import require_sheet, workbook

SHEET = "CSF to SP 800-53r5"
EXPECTED_COUNTS = {"function": 5, "category": 23, "subcategory": 108}
SP800_53_R5_FAMILIES: tuple[str, ...] = (
    "AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP",
    "PE", "PL", "PM", "PS", "PT", "RA", "SA", "SC", "SI", "SR",
)  # fmt: skip

_HEADERS = {
    "function": ("function",),
    "category": ("category",),
    "subcategory": ("subcategory",),
    "controls": ("nist sp 800-53", "sp 800-53", "controls"),
}
_FUNCTION = re.compile(r"^(?P<title>.+?)\s*\(\s*(?P<code>[A-Za-z]{2})\s*\)\s*$", re.S)
_CATEGORY = re.compile(
    r"^(?P<title>.+?)\s*\(\s*(?P<code>[A-Za-z]{2}\.[A-Za-z]{2})\s*\)\s*:\s*(?P<text>.*)$", re.S
)
_SUBCATEGORY = re.compile(r"^(?P<code>[A-Za-z]{2}\.[A-Za-z]{2}-\d{1,2})\s*:\s*(?P<text>.*)$", re.S)
_ALL_FIRST_CONTROLS = re.compile(
    r"^(?:all\s+)?-1 controls(?: from all security control families)?$"
)


def _controls(cell: str, *, file: str, row: int, column: str, code: str) -> list[Mapping]:
    out: list[Mapping] = []
    listed: set[str] = set()
    all_first: str | None = None
    for token in (t.strip() for t in re.split(r"[,;\n]", cell)):
        if not token:
            continue
        if _ALL_FIRST_CONTROLS.match(" ".join(token.split()).lower()):
            all_first = token
            continue
        control = sp800_53_canonical(token)
        if control is None:
            raise InputRefused(
                f"{token!r} is not an SP 800-53 control id",
                file=file,
                sheet=SHEET,
                row=row,
                column=column,
                element=code,
            )
        listed.add(control)
        out.append(Mapping(source=code, target=control))
    if all_first is not None:
        for family in SP800_53_R5_FAMILIES:
            if f"{family}-1" not in listed:
                out.append(
                    Mapping(source=code, target=f"{family}-1", comment=f"NIST: {all_first!r}")
                )
    return out


def read_csf11_workbook(
    source: Path | bytes | None = None, *, name: str | None = None
) -> ImportBundle:
    """The ``csf-1.1`` catalog and the ``csf-1.1-sp800-53r5`` mapping set."""
    if source is None:
        source = shipped_file(CSF_1_1_WORKBOOK)
    if name is None:
        name = source.name if isinstance(source, Path) else "csf-1.1.xlsx"
    raw = read_limited(source, name=name)
    sha256 = hashlib.sha256(raw).hexdigest()
    with workbook(raw, name=name) as wb:
        ws = require_sheet(wb, SHEET, name=name)
        rows = list(enumerate(ws.iter_rows(values_only=True), start=1))
    header_row, col = find_header(rows, _HEADERS, file=name, sheet=SHEET)

    nodes: list[Node] = []
    mappings: list[Mapping] = []
    seen: set[str] = set()
    function: str | None = None
    category: str | None = None

    def add(node: Node, row: int, column: int) -> None:
        if node.code in seen:
            raise CatalogInvariantError(
                "the same id appears twice",
                file=name,
                sheet=SHEET,
                row=row,
                column=column_letter(column),
                element=node.code,
            )
        seen.add(node.code)
        nodes.append(node)

    for row_number, row in rows[header_row:]:
        cells = {role: cell_text(row[i]) if i < len(row) else "" for role, i in col.items()}
        if not any(cells.values()):
            continue
        if cells["function"]:
            m = _FUNCTION.match(cells["function"])
            if m is None:
                raise InputRefused(
                    f"{cells['function']!r} is not a CSF 1.1 Function such as 'Identify (ID)'",
                    file=name,
                    sheet=SHEET,
                    row=row_number,
                    column=column_letter(col["function"]),
                )
            function = m["code"].upper()
            category = None
            add(
                Node(function, "function", None, m["title"].strip(), "", len(nodes)),
                row_number,
                col["function"],
            )
        if cells["category"]:
            m = _CATEGORY.match(cells["category"])
            code = csf11_canonical(m["code"]) if m else None
            if m is None or code is None:
                raise InputRefused(
                    f"{cells['category'][:60]!r} is not a CSF 1.1 Category such as "
                    "'Asset Management (ID.AM): ...'",
                    file=name,
                    sheet=SHEET,
                    row=row_number,
                    column=column_letter(col["category"]),
                )
            if function is None or not code.startswith(function + "."):
                raise CatalogInvariantError(
                    f"the category is not under its Function ({function or 'none yet'})",
                    file=name,
                    sheet=SHEET,
                    row=row_number,
                    element=code,
                )
            category = code
            add(
                Node(code, "category", function, m["title"].strip(), m["text"].strip(), len(nodes)),
                row_number,
                col["category"],
            )
        if not cells["subcategory"]:
            if cells["controls"]:
                raise InputRefused(
                    "controls are listed on a row without a subcategory",
                    file=name,
                    sheet=SHEET,
                    row=row_number,
                    column=column_letter(col["controls"]),
                )
            continue
        m = _SUBCATEGORY.match(cells["subcategory"])
        code = csf11_canonical(m["code"]) if m else None
        if m is None or code is None:
            raise InputRefused(
                f"{cells['subcategory'][:60]!r} is not a CSF 1.1 Subcategory such as "
                "'ID.AM-1: ...'",
                file=name,
                sheet=SHEET,
                row=row_number,
                column=column_letter(col["subcategory"]),
            )
        if category is None or not code.startswith(category + "-"):
            raise CatalogInvariantError(
                f"the subcategory is not under its Category ({category or 'none yet'})",
                file=name,
                sheet=SHEET,
                row=row_number,
                element=code,
            )
        add(
            Node(code, "subcategory", category, "", m["text"].strip(), len(nodes)),
            row_number,
            col["subcategory"],
        )
        mappings.extend(
            _controls(
                cells["controls"],
                file=name,
                row=row_number,
                column=column_letter(col["controls"]),
                code=code,
            )
        )

    info = FrameworkInfo(
        key=CSF_1_1,
        name=CSF_NAME,
        version="1.1",
        publisher=NIST,
        levels=LEVELS,
        terms=US_GOVERNMENT_WORK,
        source_file=name,
        source_sha256=sha256,
        family="csf",
        outcome_level=OUTCOME_LEVEL,
    )
    catalog = Catalog(info=info, nodes=tuple(nodes))
    for level, expected in EXPECTED_COUNTS.items():
        found = len(catalog.at_level(level))
        if found != expected:
            raise CatalogInvariantError(
                f"CSF 1.1 has {expected} {level} elements; the sheet lists {found}",
                file=name,
                sheet=SHEET,
            )
    dataset = DatasetInfo(
        key="csf-1.1-sp800-53r5",
        name="CSF 1.1 → SP 800-53 Rev. 5",
        publisher=NIST,
        version="5.1",
        source_framework=CSF_1_1,
        target_framework=SP800_53_R5,
        terms=US_GOVERNMENT_WORK,
        source_file=name,
        source_sha256=sha256,
        description="NIST's mapping of the CSF 1.1 Subcategories to SP 800-53 Rev. 5 "
        "controls, published with SP 800-53 Rev. 5 update 1 (December 2020).",
    )
    return ImportBundle(
        catalogs=[catalog], mapping_sets=[MappingSet(info=dataset, mappings=tuple(mappings))]
    )
