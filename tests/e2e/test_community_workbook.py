"""A sector's Community Profile workbook through the column wizard in headless Chromium,
then a Target derived from it, in English and in Traditional Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.community_workbooks import csf11_assessment, sector_workbook
from tests.e2e.conftest import running_server
from tests.e2e.test_first_steps import choose_language
from tests.e2e.test_profiles import ORG, sign_in


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of this module's own: the profiles these walks create must not become the
    profile that other walks land on after signing in."""
    with running_server(tmp_path_factory.mktemp("community-server")) as url:
        yield url


SHOTS = Path("/tmp/shots-community")
PARTIALLY = {"en": "Partially implemented", "zh-hant": "部分實施"}


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_column_wizard_then_derive_a_target(server_url, page, tmp_path, language):
    sign_in(page, server_url)
    choose_language(page, language)
    workbook = tmp_path / "water.xlsx"
    workbook.write_bytes(sector_workbook())
    name = f"Water sector {language}"

    page.goto(f"{server_url}/orgs/{ORG}/profiles/")
    page.locator(f"a[href='/orgs/{ORG}/profiles/community-workbook/']").first.click()
    page.locator("input[name=file]").set_input_files(str(workbook))
    page.locator("form[enctype] button[type=submit]").click()

    page.locator("select[name=sheet]").select_option("Structure")
    page.locator("select[name=mapping_sheet]").select_option("Mapping")
    page.locator("form.filter-form button").click()
    for field, header in {
        "id": "ID",
        "target": "Tiering (target)",
        "priority": "Priority",
        "rationale": "Rationale",
        "text": "Statement",
        "parent": "Parent",
        "statement": "Statement ID",
        "subcategory": "CSF 2.0 Subcategory",
    }.items():
        page.locator(f"select[name={field}]").select_option(header)
    page.locator("input[name=extra][value=Guidance]").check()
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=publisher]").fill("Example Water ISAC")
    page.locator("input[name=version]").fill("1.2")
    page.locator("button[value=preview]").click()

    table = page.locator("table.change-list").last
    expect(table.locator("tbody tr")).to_have_count(7)
    expect(table).to_contain_text("Structure!8, Mapping!5")
    shoot(page, f"community-preview-{language}")

    # "Baseline" had no proposal: choose a level for it, and look at the new preview.
    baseline = page.locator("tr", has_text="Baseline").locator("select")
    baseline.select_option("partially")
    page.locator("button[value=preview]").click()
    expect(page.locator("tr", has_text="PR.AT-01").last).not_to_contain_text("—")
    page.locator("button[value=store]").click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+/$"))
    expect(page.locator("h1")).to_contain_text(name)
    shoot(page, f"community-stored-{language}")

    # A new Organizational Profile of the plant takes the community's targets.
    page.goto(f"{server_url}/orgs/{ORG}/profiles/new/")
    page.locator("input[name=name]").fill(f"Treatment plant {language}")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+/assess/$"))
    page.goto(page.url.removesuffix("assess/") + "derive/")
    page.locator("select[name=community]").select_option(label=name)
    page.locator("form.filter-form button").click()
    expect(page.locator("table.change-list")).to_contain_text("PR.AT-01")
    shoot(page, f"community-derive-{language}")
    page.locator("form.form-actions button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+/$"))
    page.goto(page.url.rstrip("/") + "/outcomes/PR.AT-01/")
    # The community's target for PR.AT-01 ("Baseline", read as chosen) is now the profile's.
    expect(page.locator("main")).to_contain_text(PARTIALLY[language])


def test_csf11_assessment_carried_over_with_one_proposal_changed(server_url, page, tmp_path):
    sign_in(page, server_url)
    choose_language(page, "en")
    sheet = tmp_path / "plant-2021.xlsx"
    sheet.write_bytes(csf11_assessment())
    page.goto(f"{server_url}/orgs/{ORG}/profiles/")
    page.get_by_role("link", name="Carry a CSF 1.1 assessment over").click()
    page.get_by_label("CSF 1.1 assessment").set_input_files(str(sheet))
    page.get_by_role("button", name="Upload").click()
    page.get_by_label("CSF 1.1 Subcategory id").select_option("Subcategory")
    page.get_by_label("Current rating").select_option("Current status")
    page.get_by_label("Target rating").select_option("Target status")
    page.get_by_label("Name of the new CSF 2.0 profile").fill("Plant carried over")
    page.get_by_role("button", name="Preview").click()
    row = page.locator("tr", has_text="GV.OC-01")
    expect(row).to_contain_text("weakest link of ID.BE-2 (incorporated into)")
    expect(row.locator("select").first).to_have_value("partially")
    shoot(page, "csf11-preview-en")
    row.locator("select").first.select_option("largely")
    page.get_by_role("button", name="Store the CSF 2.0 profile").click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+/$"))
    page.goto(page.url.rstrip("/") + "/outcomes/GV.OC-01/")
    expect(page.locator("main")).to_contain_text("Largely implemented")
