"""NIST's blank Organizational Profile Template, filled in the way a consultant fills it."""

from __future__ import annotations

import io
from functools import cache

import openpyxl

from csfpilot.core.profiles import OutcomeFramework
from csfpilot.formats.nist.reftool import read_reference_tool
from csfpilot.formats.nist.shipped import shipped_file

TEMPLATE = "nist-csf-2.0/CSF_2.0_Organizational_Profile_Template.xlsx"
SHEET = "Current and Target Profile"

# Ten rows, as typed by a person: free-text statuses, ranks for priorities, "x" for
# included, a Category taken out of scope, Tiers on Function rows.
FILLED: dict[str, dict[str, object]] = {
    "GV": {"Included in Profile?": "Yes", "Target CSF Tier": "Tier 3"},
    "ID": {"Target CSF Tier": 2},
    "PR": {"Target CSF Tier": "3 Repeatable"},
    "DE.AE": {"Included in Profile?": "No", "Rationale": "Covered by the SOC provider"},
    "GV.OC-01": {
        "Included in Profile?": "Y",
        "Current Status": "In progress",
        "Current Priority": "1",
        "Target Priority": "High",
    },
    "GV.OC-02": {
        "Included in Profile?": "x",
        "Current Status": "Implemented",
        "Target Priority": "H",
    },
    "GV.RM-01": {
        "Included in Profile?": "Yes",
        "Current Status": "Partially",
        "Rationale": "Board",
    },
    "ID.AM-01": {"Included in Profile?": "Yes", "Current Status": "N/A", "Current Priority": 2},
    "PR.AA-01": {
        "Included in Profile?": "Yes",
        "Current Status": "in progress",
        "Current Policies, Processes, and Procedures": "IAM policy v2",
    },
    "RS.MA-01": {"Included in Profile?": "yes", "Current Status": "Not started", "Notes": "Q3"},
}


@cache
def csf_framework() -> OutcomeFramework:
    """CSF 2.0 with its statements and titles, from NIST's Reference Tool file."""
    return OutcomeFramework.from_catalog(read_reference_tool().catalogs[0])


def blank_template() -> bytes:
    return shipped_file(TEMPLATE).read_bytes()


def fill(data: bytes, rows: dict[str, dict[str, object]] = FILLED) -> bytes:
    """The template with cells typed under NIST's headers, saved by openpyxl."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    headers = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    row_of = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for code, cells in rows.items():
        for header, value in cells.items():
            ws.cell(row_of[code], headers[header]).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
