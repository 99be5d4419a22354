"""Scanner outputs in tests/data/scanners and the NIST data the mapping needs.

The crosswalk and the CSF 1.1 → 2.0 relationships are NIST's shipped
datasets, read through the same readers the application uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from csfpilot.core.evidence.findings import ScanReport
from csfpilot.core.evidence.scan_mapping import (
    ScanMapping,
    crosswalk_index,
    csf11_index,
    map_scan,
)
from csfpilot.core.profiles import WITHDRAWALS_DATASET
from csfpilot.formats.native.reference import bundled_reference
from csfpilot.scanners import default_rules, read_scan

SCANS = Path(__file__).resolve().parent.parent / "data" / "scanners"
# The SP 800-53 Rev. 5 ↔ CSF 2.0 dataset csfpilot ships (release 5.2.0 of the catalog).
CROSSWALK_DATASET = "olir-sp800-53r5-5.2.0"
# A few rows of DISA's CCI list (its SP 800-53 Rev. 5 references), which csfpilot does not ship.
CCI_ROWS = {
    "CCI-000366": ("CM-6 b",),
    "CCI-000804": ("IA-8",),
    "CCI-000764": ("IA-2",),
    "CCI-000048": ("AC-8 a",),
}


@dataclass(frozen=True)
class Nist:
    crosswalk: Mapping[str, frozenset[str]]
    csf11: Mapping[str, frozenset[str]]
    outcomes: tuple[str, ...]

    def map(self, report: ScanReport, *, cci=None, rules=None) -> ScanMapping:
        return map_scan(
            report,
            crosswalk=self.crosswalk,
            outcomes=self.outcomes,
            csf11=self.csf11,
            cci=cci,
            rules=default_rules() if rules is None else rules,
        )


@pytest.fixture(scope="session")
def nist() -> Nist:
    ref = bundled_reference()
    return Nist(
        crosswalk_index(ref.mapping_sets[CROSSWALK_DATASET].mappings),
        csf11_index(ref.mapping_sets[WITHDRAWALS_DATASET].mappings),
        tuple(ref.framework.outcomes),
    )


def scan(name: str) -> ScanReport:
    path = SCANS / name
    return read_scan(path.read_bytes(), path.name)
