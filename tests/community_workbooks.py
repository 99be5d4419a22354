"""Workbooks as sectors and assessors make them, built here so every cell is known.

``sector_workbook`` is a Community Profile in a sector's own structure: an
"About" sheet, a "Structure" sheet (a title block, then ID, Parent,
Statement, Tiering, Priority, Rationale and Guidance columns; statements
under two parent areas) and a "Mapping" sheet from each statement to CSF 2.0
Subcategories (one-digit ids and several ids in a cell, as people write
them). ``csf11_assessment`` is a CSF 1.1 assessment spreadsheet with typed
ratings. ``SECTOR_SPEC`` is the mapping file that reads the sector workbook.
"""

from __future__ import annotations

import io

from openpyxl import Workbook

SECTOR_SPEC = """\
name: Water Sector Community Profile
publisher: Example Water ISAC
version: "1.2"
terms: CC BY 4.0
scale: status
sheet: Structure
columns:
  id: ID
  parent: Parent
  text: Statement
  target: Tiering
  priority: Priority
  rationale: Rationale
  extra: [Guidance]
mapping:
  sheet: Mapping
  statement: Statement ID
  subcategory: CSF 2.0 Subcategory
"""

STRUCTURE = [
    # ID, Parent, Statement, Tiering, Priority, Rationale, Guidance
    ("WS-1", "", "Governance of water operations", "", "", "", ""),
    (
        "WS-1.1",
        "WS-1",
        "Know the utility's mission and dependencies",
        "Tier 3",
        "High",
        "Service continuity",
        "Start with SCADA dependencies",
    ),
    ("WS-1.2", "WS-1", "Name who owns cyber risk", "Required", "high", "", ""),
    ("WS-2", "", "Protecting control systems", "", "", "", ""),
    (
        "WS-2.1",
        "WS-2",
        "Control who reaches the control network",
        "Tier 4",
        "1",
        "Most incidents start here",
        "",
    ),
    ("WS-2.2", "WS-2", "Keep offline backups of PLC logic", "In progress", "Medium", "", ""),
    ("WS-2.3", "WS-2", "Train operators on phishing", "Baseline", "Low", "", ""),
]

MAPPING = [
    ("WS-1.1", "GV.OC-1"),
    ("WS-1.1", "GV.OC-05"),
    ("WS-1.2", "GV.RR-02"),
    ("WS-2.1", "PR.AA-05, PR.IR-01"),
    ("WS-2.2", "PR.DS-11"),
    ("WS-2.3", "PR.AT-01"),
    ("WS-1.2", "GV.OC-05"),
]


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sector_workbook(*, structure=STRUCTURE, mapping=MAPPING) -> bytes:
    wb = Workbook()
    about = wb.active
    about.title = "About"
    about.append(["Water Sector Community Profile"])
    about.append(["Publisher", "Example Water ISAC"])
    about.append(["Version", "1.2"])
    ws = wb.create_sheet("Structure")
    ws.append(["Water Sector Community Profile — structure"])
    ws.append([])
    ws.append(
        ["ID", "Parent", "Statement", "Tiering\n(target)", "Priority", "Rationale", "Guidance"]
    )
    for row in structure:
        ws.append(list(row))
    ms = wb.create_sheet("Mapping")
    ms.append(["Statement ID", "CSF 2.0 Subcategory"])
    for row in mapping:
        ms.append(list(row))
    return _bytes(wb)


CSF11_RATINGS = [
    # CSF 1.1 id, current, target, priority
    ("ID.AM-1", "Largely", "Fully", "High"),
    ("ID.BE-2", "Fully implemented", "Fully", ""),
    ("ID.BE-3", "In progress", "Fully", "Medium"),
    ("PR.AC-1", "N/A", "N/A", ""),
    ("PR.AC-3", "Not implemented", "Largely", "Low"),
    ("DE.CM-1", "", "Fully", ""),
]


def csf11_assessment(rows=CSF11_RATINGS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Assessment 2021"
    ws.append(["Subcategory", "Current status", "Target status", "Priority", "Comments"])
    for row in rows:
        ws.append([*row, ""])
    return _bytes(wb)
