"""Profile workbooks re-saved by LibreOffice (Debian's, headless), not only by csfpilot."""

from __future__ import annotations

from csfpilot.core.profiles import profile_changes
from csfpilot.formats.profile_xlsx import profile_workbook, read_profile_workbook
from tests.formats.profile_xlsx_helpers import (
    FRAMEWORK,
    ORDER,
    data_of,
    edit,
    libreoffice_resave,
    row_of,
    sample_profile,
)

SHEET = "Current and Target Profile"


def read(data: bytes):
    return read_profile_workbook(data, name="resaved.xlsx", framework=FRAMEWORK)


def test_a_workbook_re_saved_by_libreoffice_imports_as_the_same_profile(tmp_path):
    profile = sample_profile()
    resaved = libreoffice_resave(profile_workbook(profile, FRAMEWORK), tmp_path)
    result = read(resaved)
    assert result.warnings == ()
    assert data_of(result.profile) == data_of(profile)
    # ... and exported again, the same data once more.
    assert data_of(read(profile_workbook(result.profile, FRAMEWORK)).profile) == data_of(profile)


def test_edits_to_a_libreoffice_file_preview_as_exactly_those_changes(tmp_path):
    profile = sample_profile()
    resaved = libreoffice_resave(profile_workbook(profile, FRAMEWORK), tmp_path)
    row = row_of(resaved, "GV.OC-01")
    other = row_of(resaved, "PR.AA-01")
    edited = edit(
        resaved,
        SHEET,
        {f"H{row}": "Largely implemented", f"U{other}": "it-ops@example.com", f"E{other}": "No"},
    )
    edited = edit(edited, "Tiers", {"D3": "4 Adaptive"})
    changes = profile_changes(profile, read(edited).profile, order=ORDER)
    assert [(c.element, c.field, c.before, c.after) for c in changes] == [
        ("", "tiers.management.target", 3, 4),
        ("GV.OC-01", "current", "partially", "largely"),
        ("PR.AA-01", "included", True, False),
        ("PR.AA-01", "owner", "", "it-ops@example.com"),
    ]
