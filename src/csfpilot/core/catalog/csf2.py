"""What NIST's CSF 2.0 Core is, written down once so every import can be checked.

CSF 2.0 (NIST CSWP 29, February 2024) has exactly 6 Functions, 22 Categories
and 106 Subcategories. Subcategory numbers are not sequential: numbers that
CSF 1.1 used and 2.0 withdrew (e.g. ID.AM-06, DE.CM-04) are gaps, because a
withdrawn CSF 1.1 outcome is never an assessable CSF 2.0 outcome. An import
that disagrees with this list is refused, naming the element.
"""

from __future__ import annotations

from csfpilot.core.catalog.model import Catalog
from csfpilot.core.errors import CatalogInvariantError

FUNCTIONS: dict[str, str] = {
    "GV": "GOVERN",
    "ID": "IDENTIFY",
    "PR": "PROTECT",
    "DE": "DETECT",
    "RS": "RESPOND",
    "RC": "RECOVER",
}

_SUBCATEGORY_NUMBERS: dict[str, tuple[str, ...]] = {
    "GV.OC": ("01", "02", "03", "04", "05"),
    "GV.RM": ("01", "02", "03", "04", "05", "06", "07"),
    "GV.RR": ("01", "02", "03", "04"),
    "GV.PO": ("01", "02"),
    "GV.OV": ("01", "02", "03"),
    "GV.SC": ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10"),
    "ID.AM": ("01", "02", "03", "04", "05", "07", "08"),
    "ID.RA": ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10"),
    "ID.IM": ("01", "02", "03", "04"),
    "PR.AA": ("01", "02", "03", "04", "05", "06"),
    "PR.AT": ("01", "02"),
    "PR.DS": ("01", "02", "10", "11"),
    "PR.PS": ("01", "02", "03", "04", "05", "06"),
    "PR.IR": ("01", "02", "03", "04"),
    "DE.CM": ("01", "02", "03", "06", "09"),
    "DE.AE": ("02", "03", "04", "06", "07", "08"),
    "RS.MA": ("01", "02", "03", "04", "05"),
    "RS.AN": ("03", "06", "07", "08"),
    "RS.CO": ("02", "03"),
    "RS.MI": ("01", "02"),
    "RC.RP": ("01", "02", "03", "04", "05", "06"),
    "RC.CO": ("03", "04"),
}

FUNCTION_IDS: tuple[str, ...] = tuple(FUNCTIONS)
CATEGORY_IDS: tuple[str, ...] = tuple(_SUBCATEGORY_NUMBERS)
SUBCATEGORY_IDS: tuple[str, ...] = tuple(
    f"{cat}-{num}" for cat, nums in _SUBCATEGORY_NUMBERS.items() for num in nums
)

LEVELS: tuple[str, ...] = ("function", "category", "subcategory")
OUTCOME_LEVEL = "subcategory"

assert len(FUNCTION_IDS) == 6 and len(CATEGORY_IDS) == 22 and len(SUBCATEGORY_IDS) == 106


def function_of(code: str) -> str:
    """``GV.OC-01`` → ``GV``."""
    return code.split(".", 1)[0]


def category_of(code: str) -> str:
    """``GV.OC-01`` → ``GV.OC``."""
    return code.split("-", 1)[0]


def check_csf_2_0(catalog: Catalog) -> None:
    """Refuse a CSF 2.0 catalog whose active elements are not exactly NIST's.

    Only applies to version 2.0; a later release (2.1, 3.0) is checked by its
    own structure, not by this list.
    """
    where = catalog.info.source_file
    expected = {
        "function": FUNCTION_IDS,
        "category": CATEGORY_IDS,
        "subcategory": SUBCATEGORY_IDS,
    }
    for level, ids in expected.items():
        active = [n.code for n in catalog.nodes if n.level == level and not n.withdrawn]
        extra = [c for c in active if c not in set(ids)]
        if extra:
            raise CatalogInvariantError(
                f"CSF 2.0 has no active {level} {extra[0]} "
                f"(found {len(active)} active {level} elements, NIST's Core has {len(ids)})",
                file=where,
                element=extra[0],
            )
        missing = [c for c in ids if c not in set(active)]
        if missing:
            raise CatalogInvariantError(
                f"the CSF 2.0 {level} {missing[0]} is missing or marked withdrawn "
                f"(found {len(active)} active {level} elements, NIST's Core has {len(ids)})",
                file=where,
                element=missing[0],
            )
    for n in catalog.nodes:
        if n.withdrawn and n.level == "subcategory":
            raise CatalogInvariantError(
                "a withdrawn element cannot be an outcome of CSF 2.0; "
                "withdrawn CSF 1.1 elements are migration edges",
                file=where,
                element=n.code,
            )
        if n.level == "subcategory" and n.parent != category_of(n.code):
            raise CatalogInvariantError(
                f"subcategory sits under {n.parent}, not {category_of(n.code)}",
                file=where,
                element=n.code,
            )
        if n.level == "category" and n.parent != function_of(n.code):
            raise CatalogInvariantError(
                f"category sits under {n.parent}, not {function_of(n.code)}",
                file=where,
                element=n.code,
            )
        if n.level == "subcategory" and not n.text.strip():
            raise CatalogInvariantError(
                "the outcome statement is empty", file=where, element=n.code, field="text"
            )
