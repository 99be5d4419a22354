"""NIST's own template, filled in by a consultant, imported in headless Chromium: the
free-text values are shown with their proposals, two are changed, the import is applied."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, running_server
from tests.e2e.test_first_steps import choose_language
from tests.e2e.test_profiles import sign_in, start_profile
from tests.formats.nist_template_helpers import blank_template, fill


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of this module's own: the profiles these walks create must not become the
    profile that other walks land on after signing in."""
    with running_server(tmp_path_factory.mktemp("nist-template-server")) as url:
        yield url


SHOTS = ARTIFACTS / "nist-template"


def test_import_a_filled_nist_template_changing_two_proposals(server_url, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    sign_in(page, server_url)
    questionnaire = start_profile(page, server_url, "Consultant's workbook")
    profile_url = questionnaire.removesuffix("assess/")
    workbook = tmp_path / "consultant.xlsx"
    workbook.write_bytes(fill(blank_template()))

    page.goto(profile_url + "exchange/import/")
    page.get_by_label("Workbook (.xlsx) or OSCAL document (.json)").set_input_files(str(workbook))
    page.get_by_role("button", name="Preview the changes").click()
    choices = page.locator("#choices-form table tbody tr")
    expect(choices).to_have_count(8)
    in_progress = page.locator("select[data-text='In progress']")
    expect(in_progress).to_have_value("partially")
    expect(page.locator("select[data-text='H']")).to_have_value("high")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "preview-en.png"), full_page=True)

    # Two proposals changed: "In progress" is largely implemented here, "H" a medium.
    in_progress.select_option("largely")
    page.locator("select[data-text='H']").select_option("medium")
    page.get_by_role("button", name="Update the preview").click()
    expect(page.locator("select[data-text='In progress']")).to_have_value("largely")
    expect(page.locator("table.change-list")).to_contain_text("Largely implemented")
    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_text("The file is imported into this profile.")).to_be_visible()

    page.goto(profile_url + "outcomes/GV.OC-01/")
    expect(page.locator("body")).to_contain_text("Largely implemented")
    page.goto(profile_url + "outcomes/GV.OC-02/")
    expect(page.locator("body")).to_contain_text("Fully implemented")

    # The same preview in Traditional Chinese, for the record.
    choose_language(page, "zh-hant")
    page.goto(profile_url + "exchange/import/")
    page.locator("input[type=file]").set_input_files(str(workbook))
    page.locator("form.stack-form button[type=submit]").click()
    expect(page.locator("#choices-form")).to_contain_text("以自由文字填寫的值")
    page.screenshot(path=str(SHOTS / "preview-zh-hant.png"), full_page=True)
    choose_language(page, "en")
    context.close()
    assert re.search(r"/profiles/\d+/$", profile_url)
