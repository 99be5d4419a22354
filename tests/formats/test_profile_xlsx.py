"""Profile workbooks (NIST's Organizational Profile Template layout): written, edited, read back."""

from __future__ import annotations

import dataclasses
import io
import json

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from csfpilot.core.profiles import MATURITY, STATUS, Profile, Side, answer_keys, profile_changes
from csfpilot.formats.native import from_document, to_document
from csfpilot.formats.profile_xlsx import profile_workbook, read_profile_workbook
from tests.core.strategies import PROFILE_SETTINGS, profiles
from tests.formats.profile_xlsx_helpers import (
    FRAMEWORK,
    ORDER,
    cell_texts,
    data_of,
    edit,
    row_of,
    sample_profile,
)

SHEET = "Current and Target Profile"
_BAD = {chr(c) for c in range(32) if c not in (9, 10)} | {"\ufffe", "\uffff"}


def read(data: bytes) -> Profile:
    return read_profile_workbook(data, name="p.xlsx", framework=FRAMEWORK).profile


def test_a_profile_comes_back_exactly():
    profile = sample_profile()
    assert data_of(read(profile_workbook(profile, FRAMEWORK))) == data_of(profile)


def test_the_outcome_sheet_follows_nists_template():
    data = profile_workbook(sample_profile(), FRAMEWORK)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [
        "Current and Target Profile",
        "Profile",
        "Scale",
        "Tiers",
        "Action plan",
    ]
    ws = wb[SHEET]
    headers = [c.value for c in ws[1]]
    # NIST's own column names, in NIST's order, with Function/Category in front.
    assert headers[:4] == ["Function", "Category", "CSF Outcome", "CSF Outcome Description"]
    assert headers[4:13] == [
        "Included in Profile?",
        "Rationale",
        "Current Priority",
        "Current Status",
        "Current Policies, Processes, and Procedures",
        "Current Internal Practices",
        "Current Roles and Responsibilities",
        "Current Selected Informative References",
        "Current Artifacts and Evidence",
    ]
    assert headers[-3:] == ["Owner", "Notes", "Considerations"]
    assert ws.max_row == 1 + 106  # every CSF 2.0 Subcategory has a row
    assert ws.freeze_panes == "D2"
    assert ws["A1"].font.bold
    row = row_of(data, "GV.OC-01")
    assert ws[f"A{row}"].value == "GV GOVERN"
    assert ws[f"B{row}"].value.startswith("GV.OC")
    assert ws[f"E{row}"].value == "Yes"
    assert ws[f"H{row}"].value == "Partially implemented"
    assert ws[f"L{row}"].value == "SP 800-53 PM-11\nISO 27001 4.1"
    assert ws[f"E{row_of(data, 'GV.OC-02')}"].value == "No"
    assert ws[f"E{row_of(data, 'ID.AM-01')}"].value is None  # not in the profile
    validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    assert validations["E2"].formula1 == '"Yes,No"'
    assert validations["G2"].formula1 == '"High,Medium,Low"'
    assert validations["H2"].formula1 == "='Scale'!$B$2:$B$6"
    scale = wb["Scale"]
    assert [c.value for c in scale["B"][1:6]] == [lv.label for lv in sample_profile().scale.levels]
    tiers = wb["Tiers"]
    assert tiers["B2"].value == "2 Risk Informed" and tiers["D2"].value == "3 Repeatable"
    actions = wb["Action plan"]
    assert actions["A2"].value == "A-001" and actions["E2"].value.date().isoformat() == "2025-06-30"


def test_formula_like_text_is_neutralised_in_the_file_and_restored_on_import():
    profile = sample_profile()
    data = profile_workbook(profile, FRAMEWORK)
    ws = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    row = row_of(data, "GV.OC-01")
    assert ws[f"F{row}"].value == '\'=HYPERLINK("http://example.invalid","click")'
    assert ws[f"F{row}"].data_type == "s"
    assert ws[f"V{row}"].value == "'-starts with a minus"
    back = read(data).entry("GV.OC-01")
    assert back.rationale == profile.entry("GV.OC-01").rationale
    assert back.notes == "-starts with a minus"


def test_a_maturity_profile_uses_the_level_labels_and_reads_numbers_too():
    profile = Profile(name="m", scale=MATURITY).with_rating("GV.OC-01", Side.CURRENT, 3)
    data = profile_workbook(profile, FRAMEWORK)
    row = row_of(data, "GV.OC-01")
    assert openpyxl.load_workbook(io.BytesIO(data))[SHEET][f"H{row}"].value == "3 – Defined"
    typed = edit(data, SHEET, {f"H{row}": 4, f"O{row}": "5"})
    entry = read(typed).entry("GV.OC-01")
    assert (entry.current.key, entry.target.key) == (4, 5)


def test_edits_show_as_exactly_those_changes():
    profile = sample_profile()
    data = profile_workbook(profile, FRAMEWORK)
    row = row_of(data, "GV.OC-01")
    new = row_of(data, "ID.AM-01")
    edited = edit(
        data,
        SHEET,
        {
            f"H{row}": "largely",  # by key, in any case
            f"N{row}": "low",
            f"M{row}": "https://intranet.example/mission.pdf\nAudit report 2025",
            f"E{new}": "Yes",
            f"O{new}": "Fully implemented",
        },
    )
    changes = profile_changes(profile, read(edited), order=ORDER)
    assert [(c.element, c.field, c.before, c.after) for c in changes] == [
        ("GV.OC-01", "priority", "high", "low"),
        ("GV.OC-01", "current", "partially", "largely"),
        (
            "GV.OC-01",
            "current_details.evidence",
            ["https://intranet.example/mission.pdf", "two\nlines"],
            ["https://intranet.example/mission.pdf", "Audit report 2025"],
        ),
        ("ID.AM-01", "included", False, True),
        ("ID.AM-01", "target", None, "fully"),
    ]


def test_columns_may_be_reordered():
    data = profile_workbook(sample_profile(), FRAMEWORK)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    ws.move_range("V1:V200", cols=3)  # Notes to the far right
    out = io.BytesIO()
    wb.save(out)
    assert data_of(read(out.getvalue())) == data_of(sample_profile())


def test_an_edited_outcome_description_is_a_warning_not_data():
    statement = "The organizational mission is understood and informs risk management"
    framework = dataclasses.replace(FRAMEWORK, texts={"GV.OC-01": statement})
    data = profile_workbook(sample_profile(), framework)
    row = row_of(data, "GV.OC-01")
    assert openpyxl.load_workbook(io.BytesIO(data))[SHEET][f"D{row}"].value == statement
    result = read_profile_workbook(
        edit(data, SHEET, {f"D{row}": "our own words"}), name="p.xlsx", framework=framework
    )
    assert data_of(result.profile) == data_of(sample_profile())
    assert any(
        f"Current and Target Profile!D{row}" in w and "GV.OC-01" in w for w in result.warnings
    )


def _clean(value):
    if isinstance(value, str):
        return "".join("?" if ch in _BAD else ch for ch in value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def cell_safe(profile: Profile) -> Profile:
    """The profile with characters no workbook cell can hold replaced (see cell_texts)."""
    return from_document(_clean(to_document(profile)))


@settings(PROFILE_SETTINGS, max_examples=15)
@given(profiles(snapshot=False).map(cell_safe), cell_texts)
def test_export_import_export_gives_the_same_data(profile, extra_note):
    if profile.outcomes:
        first = next(iter(profile.outcomes.values()))
        profile = profile.with_entry(type(first)(**{**_fields(first), "notes": extra_note}))
    once = read(profile_workbook(profile, FRAMEWORK))
    assert data_of(once) == data_of(profile)
    twice = read(profile_workbook(once, FRAMEWORK))
    assert json.dumps(data_of(twice)) == json.dumps(data_of(profile))


def _fields(entry):
    return {name: getattr(entry, name) for name in entry.__slots__}


@given(st.lists(cell_texts, max_size=4))
def test_lists_round_trip_through_one_cell(items):
    from csfpilot.formats.profile_xlsx.cells import read_lines, write_lines

    assert read_lines(write_lines(items)) == items


def test_every_column_of_nists_template_is_here_but_the_per_outcome_tier():
    from tests.formats.conftest import DATA

    nist = openpyxl.load_workbook(
        DATA / "nist-csf-2.0" / "CSF_2.0_Organizational_Profile_Template.xlsx", read_only=True
    )
    nist_headers = next(nist["Current and Target Profile"].iter_rows(values_only=True))
    ours = next(
        openpyxl.load_workbook(io.BytesIO(profile_workbook(sample_profile(), FRAMEWORK)))[
            SHEET
        ].iter_rows(values_only=True)
    )
    # NIST's template names the first column "CSF Outcome (Function, Category, or
    # Subcategory)"; csfpilot gives Function and Category their own columns.
    # NIST's per-outcome "Target CSF Tier" is not modelled: Tiers describe the
    # organization as a whole (CSWP 29 section 3), so they have their own sheet.
    expected = [h for h in nist_headers if h not in ("Target CSF Tier",)]
    expected[0] = "CSF Outcome"
    assert [h for h in ours if h in expected] == expected


def test_a_sheet_that_declares_the_whole_grid_reads_quickly_and_the_same():
    """Excel writes A1:XFD1048576 as the size of a sheet formatted by whole columns."""
    import zipfile

    data = profile_workbook(sample_profile(), FRAMEWORK)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(
                    b'<dimension ref="A1:W107"/>', b'<dimension ref="A1:XFD1048576"/>'
                )
                assert b"XFD1048576" in body
            target.writestr(item, body)
    assert data_of(read(out.getvalue())) == data_of(sample_profile())


def test_the_scale_sheets_keys_are_the_questionnaires_answer_keys():
    # The same keys as the browser questionnaire and `csfpilot assess`, in scale order.
    for scale in (STATUS, MATURITY):
        data = profile_workbook(Profile(name="k", scale=scale), FRAMEWORK)
        ws = openpyxl.load_workbook(io.BytesIO(data))["Scale"]
        header = [c.value for c in ws[1]]
        rows = ws.iter_rows(min_row=2, max_row=len(scale.levels) + 1, values_only=True)
        keys = {row[header.index("Hotkey")]: row[header.index("Key")] for row in rows}
        assert keys == {k: lv.key for k, lv in answer_keys(scale).items()}
