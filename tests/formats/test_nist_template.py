"""NIST's Organizational Profile Template as published, filled in, re-saved by LibreOffice."""

from __future__ import annotations

import io
import shutil

import openpyxl
import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import MATURITY, Priority
from csfpilot.formats.profile_xlsx import read_profile_workbook
from csfpilot.formats.profile_xlsx.free_text import parse_mapping
from tests.formats.nist_template_helpers import SHEET, blank_template, csf_framework, fill
from tests.formats.profile_xlsx_helpers import libreoffice_resave

# NIST's template and its Reference Tool word GV.OC-04 differently ("external
# stakeholders"): the one real difference, reported once.
GV_OC_04 = (
    "the description of 1 row differs from csf-2.0's text: GV.OC-04 "
    "(Current and Target Profile!B7); it is NIST's wording and is not stored, the "
    "framework's text is kept"
)


def read(data: bytes, **options):
    return read_profile_workbook(data, name="filled.xlsx", framework=csf_framework(), **options)


def summary(result) -> dict[str, tuple]:
    return {
        code: (
            e.included,
            e.current.key if e.current else None,
            e.current_priority.value if e.current_priority else None,
            e.priority.value if e.priority else None,
            e.rationale,
        )
        for code, e in result.profile.outcomes.items()
        if e.current or e.priority or e.current_priority or e.rationale
    }


EXPECTED = {
    "GV.OC-01": (True, "partially", "high", "high", ""),
    "GV.OC-02": (True, "fully", None, "high", ""),
    "GV.RM-01": (True, "partially", None, None, "Board"),
    "ID.AM-01": (True, "na", "medium", None, ""),
    "PR.AA-01": (True, "partially", None, None, ""),
    "RS.MA-01": (True, "not", None, None, ""),
    **{
        code: (False, None, None, None, "Covered by the SOC provider")
        for code in ("DE.AE-02", "DE.AE-03", "DE.AE-04", "DE.AE-06", "DE.AE-07", "DE.AE-08")
    },
}

CHOICES = [
    ("priority", "1", "high", ("Current and Target Profile!E4",)),
    (
        "level",
        "In progress",
        "partially",
        ("Current and Target Profile!F4", "Current and Target Profile!F67"),
    ),
    ("included", "x", "yes", ("Current and Target Profile!C5",)),
    ("level", "Implemented", "fully", ("Current and Target Profile!F5",)),
    ("priority", "H", "high", ("Current and Target Profile!L5",)),
    ("priority", "2", "medium", ("Current and Target Profile!E42",)),
    ("level", "N/A", "na", ("Current and Target Profile!F42",)),
    ("level", "Not started", "not", ("Current and Target Profile!F109",)),
]


def choices_of(result) -> list[tuple]:
    return [(c.kind, c.text, c.chosen, c.cells) for c in result.choices]


def test_the_blank_template_as_published_reads_as_an_empty_profile():
    result = read(blank_template())
    assert result.profile.outcomes == {}
    assert result.parts == frozenset()  # none of csfpilot's own sheets
    assert result.choices == ()
    # Function and Category rows are compared with their statements: one real
    # difference, not 29 false ones.
    assert result.warnings == (GV_OC_04,)
    assert result.profile.name == "filled"
    assert result.profile.framework == "csf-2.0"
    assert result.profile.scale.key == "status"


def test_a_filled_template_reads_every_row_with_proposals_for_free_text():
    result = read(fill(blank_template()))
    assert summary(result) == EXPECTED
    # GV marked Yes: its 31 Subcategories are in the profile; DE.AE marked No: out.
    assert sum(1 for c in result.profile.outcomes if c.startswith("GV.")) == 31
    assert result.profile.outcomes["GV.OC-03"].included is True
    assert result.profile.outcomes["PR.AA-01"].current_details.policies == "IAM policy v2"
    assert result.profile.outcomes["RS.MA-01"].notes == "Q3"
    assert (result.profile.tiers.governance.target, result.profile.tiers.management.target) == (
        3,
        2,
    )
    assert choices_of(result) == CHOICES
    assert result.warnings == (
        GV_OC_04,
        "the target CSF Tier of management differs between rows (Current and Target "
        "Profile!M40 (2), Current and Target Profile!M65 (3)); the lowest, 2 Risk Informed, "
        "is taken",
    )


def test_a_filled_template_re_saved_by_libreoffice_reads_the_same(tmp_path):
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is installed by scripts/system-deps.sh")
    filled = fill(blank_template())
    resaved = libreoffice_resave(filled, tmp_path)
    assert summary(read(resaved)) == EXPECTED
    assert choices_of(read(resaved)) == choices_of(read(filled))
    assert read(resaved).profile == read(filled).profile


def test_a_person_s_mapping_overrides_a_proposal():
    mapping = parse_mapping(["In progress=largely", "priority:H=medium", "N/A="])
    result = read(fill(blank_template()), choices=mapping)
    outcomes = result.profile.outcomes
    assert outcomes["GV.OC-01"].current.key == "largely"
    assert outcomes["PR.AA-01"].current.key == "largely"  # "in progress" is the same text
    assert outcomes["GV.OC-02"].priority is Priority.MEDIUM
    assert outcomes["ID.AM-01"].current is None  # mapped to blank: not assessed
    in_progress = next(c for c in result.choices if c.text == "In progress")
    assert (in_progress.proposed, in_progress.chosen) == ("partially", "largely")


def test_statuses_map_to_the_nearest_level_of_another_scale():
    result = read(fill(blank_template()), scale=MATURITY)
    levels = {c: e.current.key for c, e in result.profile.outcomes.items() if e.current}
    assert levels == {
        "GV.OC-01": 2,  # in progress: a third achieved → 2 of 5 is nearest
        "GV.OC-02": 5,
        "GV.RM-01": 2,
        "ID.AM-01": "na",
        "PR.AA-01": 2,
        "RS.MA-01": 0,
    }


def test_a_value_with_no_proposal_is_refused_where_it_is_or_left_for_the_preview():
    data = fill(
        blank_template(), {"GV.OC-01": {"Included in Profile?": "Yes", "Current Status": "ask Bob"}}
    )
    with pytest.raises(InputRefused) as info:
        read(data)
    exc = info.value
    assert (exc.file, exc.sheet, exc.row, exc.column) == (
        "filled.xlsx",
        SHEET,
        4,
        "F (Current Status)",
    )
    assert "'ask Bob' is not a level of the 'status' scale" in exc.message
    assert "'level:ask Bob=…'" in exc.message
    result = read(data, undecided_ok=True)
    assert result.profile.outcomes["GV.OC-01"].current is None
    assert [(c.text, c.proposed, c.chosen) for c in result.undecided] == [("ask Bob", None, None)]


def _hand_edited() -> bytes:
    """Headers retyped and reworded, a blank row above them, blank rows between, merged
    cells, the sheet renamed and NIST's explanatory sheet deleted."""
    wb = openpyxl.load_workbook(io.BytesIO(fill(blank_template())))
    ws = wb[SHEET]
    ws["A1"] = "CSF Outcome"
    ws["C1"] = "included in\nprofile"
    ws["F1"] = "Status (Current)"
    ws["G1"] = "Current policies, processes & procedures"
    ws["L1"] = "Target  Priorities"
    ws.insert_rows(1)
    ws.insert_rows(10)
    ws.insert_rows(50, 2)
    ws.merge_cells("R20:S21")  # merged Notes and Considerations cells of two blank rows
    ws.title = "Our profile"
    del wb["Column Descriptions"]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_hand_edited_template_reads_the_same():
    result = read(_hand_edited())
    assert summary(result) == EXPECTED
    assert choices_of(result)[0] == ("priority", "1", "high", ("Our profile!E5",))


def test_an_unknown_header_is_named_with_the_columns_it_could_be():
    wb = openpyxl.load_workbook(io.BytesIO(blank_template()))
    wb[SHEET]["F1"] = "Status now"
    wb[SHEET]["K1"] = "Budget"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InputRefused) as info:
        read(out.getvalue())
    exc = info.value
    assert (exc.sheet, exc.row, exc.column) == (SHEET, 1, "F")
    assert exc.message.startswith(
        "'Status now' is not a column of this template (csfpilot refuses it rather than drop "
        "what it holds); it could be: Target Status, Current Status. Rename the header, or "
        "delete the column"
    )


def test_missing_columns_lists_only_columns_really_missing():
    wb = openpyxl.load_workbook(io.BytesIO(blank_template()))
    ws = wb[SHEET]
    ws.delete_cols(1)  # the outcome ids
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InputRefused) as info:
        read(out.getvalue())
    # An unknown header appears later in the row: every header is still matched first.
    assert info.value.message == (
        "the sheet has no column 'CSF Outcome' (renamed or deleted?); missing: CSF Outcome"
    )


@pytest.mark.parametrize(
    "typed", ["2026-12-31", "2026/12/31", "31 December 2026", "Dec 31, 2026", "31-Dec-2026"]
)
def test_dates_written_out_are_read_and_ambiguous_ones_refused(typed):
    from csfpilot.formats.profile_xlsx import cells

    assert cells.read_date(typed) == "2026-12-31"
    with pytest.raises(cells.CellError, match="could be either day first or month first"):
        cells.read_date("03/04/2026")


def test_a_sheet_of_thousands_of_columns_is_refused_before_matching_them():
    wb = openpyxl.load_workbook(io.BytesIO(blank_template()))
    ws = wb[SHEET]
    for c in range(20, 5000):
        ws.cell(1, c).value = "x" * 1000 + str(c)
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InputRefused) as info:
        read(out.getvalue())
    assert (info.value.sheet, info.value.row, info.value.column) == (SHEET, 1, "GS")
    assert info.value.message == "the sheet has 4,999 columns; a profile sheet has at most 200"
