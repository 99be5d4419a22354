"""The Excel round trip in headless Chromium: download the demo profile's NIST-template
workbook, edit it as a person would, upload it, read the preview, apply it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_profiles import ORG, sign_in
from tests.formats.profile_xlsx_helpers import edit, row_of

SHEET = "Current and Target Profile"


def test_download_edit_preview_and_apply_a_workbook(server_url, page, tmp_path):
    sign_in(page, server_url)
    page.goto(f"{server_url}/orgs/{ORG}/profiles/")
    page.get_by_role("link", name=re.compile(r"^Whole company")).first.click()
    page.get_by_text("Export and import").click()  # the profile's export and import menu
    expect(page.get_by_role("link", name="OSCAL assessment results")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (NIST template)").click()
    assert download.value.suggested_filename.endswith("-nist-template.xlsx")
    data = download.value.path().read_bytes()

    row = row_of(data, "GV.OC-01")
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(
        edit(data, SHEET, {f"H{row}": "Fully implemented", f"V{row}": "Reviewed by the board"})
    )
    if not page.get_by_role("link", name="Import from Excel/OSCAL").is_visible():
        page.get_by_text("Export and import").click()
    page.get_by_role("link", name="Import from Excel/OSCAL").click()
    page.get_by_label("Workbook (.xlsx) or OSCAL document (.json)").set_input_files(str(edited))
    page.get_by_role("button", name="Preview the changes").click()

    heading = page.get_by_role("heading", name=re.compile(r"^Preview: 2 changes"))
    expect(heading).to_be_visible()
    table = page.locator("table.change-list")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Reviewed by the board")
    expect(table).to_contain_text("Fully implemented")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "exchange-preview.png"), full_page=True)

    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_text("The file is imported into this profile.")).to_be_visible()
    page.goto(page.url.rstrip("/") + "/outcomes/GV.OC-01/")
    expect(page.locator("body")).to_contain_text("Reviewed by the board")
