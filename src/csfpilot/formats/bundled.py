"""The NIST files that ship inside csfpilot, and how to read them all at once.

The database is seeded from these files through the same importers a user
runs on a downloaded file. Each source is a path relative to
``csfpilot/data`` and the reader that understands it; a new shipped file is
one more entry in :data:`BUNDLED_SOURCES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from csfpilot.core.catalog import ImportBundle
from csfpilot.formats.nist.csf11 import read_csf11_workbook
from csfpilot.formats.nist.reftool import read_reference_tool
from csfpilot.formats.nist.shipped import CSF_1_1_WORKBOOK, REFERENCE_TOOL_JSON, shipped_file
from csfpilot.formats.oscal import read_oscal_baseline, read_oscal_catalog

SP800_53_R5_CATALOG = "nist-sp800-53r5/oscal-5.0.1-2021/NIST_SP-800-53_rev5_catalog.json"
SP800_53_R5_BASELINES = tuple(
    f"nist-sp800-53r5/oscal-5.1.1/NIST_SP-800-53_rev5_{level}-baseline_profile.json"
    for level in ("LOW", "MODERATE", "HIGH", "PRIVACY")
)


@dataclass(frozen=True, slots=True)
class BundledSource:
    path: str  # relative to csfpilot/data
    read: Callable[[Path], ImportBundle]
    what: str


BUNDLED_SOURCES: tuple[BundledSource, ...] = (
    BundledSource(
        REFERENCE_TOOL_JSON,
        read_reference_tool,
        "CSF 2.0 Core, Implementation Examples, Informative References, CSF 1.1 withdrawals",
    ),
    BundledSource(
        CSF_1_1_WORKBOOK,
        read_csf11_workbook,
        "CSF 1.1 Core and NIST's CSF 1.1 → SP 800-53 Rev. 5 mappings",
    ),
    BundledSource(
        SP800_53_R5_CATALOG,
        read_oscal_catalog,
        "SP 800-53 Rev. 5 controls and enhancements (OSCAL catalog, release 5.0.1)",
    ),
    *(
        BundledSource(path, read_oscal_baseline, "SP 800-53 Rev. 5 baseline (OSCAL profile)")
        for path in SP800_53_R5_BASELINES
    ),
)


def read_bundled() -> ImportBundle:
    """Read every shipped NIST file; the result is ready for the database layer."""
    return ImportBundle.merge(src.read(shipped_file(src.path)) for src in BUNDLED_SOURCES)
