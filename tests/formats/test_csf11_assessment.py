"""A CSF 1.1 assessment spreadsheet read as a CSF 1.1 profile, exact values."""

from __future__ import annotations

from functools import cache

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import OutcomeFramework, Priority
from csfpilot.formats.community_workbook import read_workbook
from csfpilot.formats.csf11_assessment import (
    AssessmentColumns,
    read_assessment_columns,
    read_assessment_sheet,
)
from csfpilot.formats.nist.csf11 import read_csf11_workbook
from csfpilot.formats.nist.shipped import CSF_1_1_WORKBOOK, shipped_file
from tests.community_workbooks import csf11_assessment
from tests.formats.profile_xlsx_helpers import libreoffice_resave

COLUMNS = AssessmentColumns(
    sheet="Assessment 2021",
    id="Subcategory",
    current="Current status",
    target="Target status",
    priority="Priority",
)


@cache
def csf11() -> OutcomeFramework:
    return OutcomeFramework.from_catalog(
        read_csf11_workbook(shipped_file(CSF_1_1_WORKBOOK)).catalogs[0]
    )


def read(data: bytes, columns: AssessmentColumns = COLUMNS):
    return read_assessment_sheet(read_workbook(data, name="a.xlsx"), columns, csf11(), name="A")


def check(result) -> None:
    got = {
        c: (
            e.current.key if e.current else None,
            e.target.key if e.target else None,
            e.priority,
        )
        for c, e in result.profile.outcomes.items()
    }
    assert got == {
        "ID.AM-1": ("largely", "fully", Priority.HIGH),
        "ID.BE-2": ("fully", "fully", None),
        "ID.BE-3": ("partially", "fully", Priority.MEDIUM),
        "PR.AC-1": ("na", "na", None),
        "PR.AC-3": ("not", "largely", Priority.LOW),
        "DE.CM-1": (None, "fully", None),
    }
    assert result.citations["PR.AC-3"] == "Assessment 2021!6"
    assert {v.text: v.cells for v in result.values}["In progress"] == ("Assessment 2021!B4",)


def test_the_assessment_sheet_reads_exactly():
    check(read(csf11_assessment()))


def test_the_same_sheet_resaved_by_libreoffice(tmp_path):
    check(read(libreoffice_resave(csf11_assessment(), tmp_path)))


def test_zero_padded_ids_and_category_rows():
    data = csf11_assessment([("ID.AM", "", "", ""), ("ID.AM-01", "Fully", "", "")])
    assert list(read(data).profile.outcomes) == ["ID.AM-1"]


def test_a_duplicate_row_is_refused_with_both_rows():
    data = csf11_assessment([("ID.AM-1", "Fully", "", ""), ("ID.AM-01", "Fully", "", "")])
    with pytest.raises(InputRefused) as err:
        read(data)
    assert str(err.value) == (
        "a.xlsx: sheet 'Assessment 2021': row 3: column A: ID.AM-1 appears twice "
        "(also on Assessment 2021!2)"
    )


def test_the_columns_file():
    columns = read_assessment_columns(
        b"sheet: Assessment 2021\nid: Subcategory\ncurrent: Current status\n"
        b"values:\n  Ad hoc: partially\n",
        name="cols.yaml",
    )
    assert (columns.sheet, columns.current, columns.target) == (
        "Assessment 2021",
        "Current status",
        "",
    )
    assert columns.values == {"Ad hoc": "partially"}
    with pytest.raises(InputRefused) as err:
        read_assessment_columns(b"sheet: S\nid: I\ncolour: red\n", name="cols.yaml")
    assert str(err.value).startswith("cols.yaml:3: field colour: unknown key 'colour'")
