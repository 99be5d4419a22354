"""First steps and the page layout in headless Chromium, against `csfpilot serve` and its demo.

Where sign-in lands, the header on one row, which tab each page marks, the profile's
export menu, an empty profile's dashboard, the Save button only without JavaScript, and
the sector benchmark with the demo's peers. Every page checked here is also kept as a
screenshot in English and Traditional Chinese under test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from tests.e2e.conftest import ARTIFACTS

ORG = DEMO_ORGANIZATION[1]
LANGUAGES = {"en": "English", "zh-hant": "繁體中文"}


def sign_in(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/accounts/login/")
    page.locator("#id_login").fill(DEMO_LOGIN[0])
    page.locator("#id_password").fill(DEMO_LOGIN[1])
    page.get_by_role("button", name="Sign in").click()


def choose_language(page: Page, language: str) -> None:
    page.locator(f".lang-switch button[value='{language}']").click()
    expect(page.locator(f".lang-switch button[value='{language}']")).to_have_attribute(
        "aria-pressed", "true"
    )


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"first-steps-{name}.png"), full_page=True)


def demo_profile_url(page: Page, server_url: str) -> str:
    """The demo profile's address, read from where sign-in landed."""
    found = re.search(r"/profiles/(\d+)/", page.url)
    assert found, page.url
    return f"{server_url}/orgs/{ORG}/profiles/{found.group(1)}"


def test_sign_in_lands_on_the_last_changed_profiles_dashboard(server_url, page):
    # On a new server that is the demo's profile; other tests on this server may have
    # changed another one of the organization's since (profiles/landing.py).
    sign_in(page, server_url)
    expect(page).to_have_url(re.compile(rf"/orgs/{ORG}/profiles/\d+/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"\S"))
    current = page.get_by_role("navigation", name="Profile").locator("[aria-current='page']")
    expect(current).to_have_text("Dashboard")


@pytest.mark.parametrize("width", [1440, 1280])
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_header_is_one_row(server_url, browser, width, language):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, server_url)
    choose_language(page, language)
    for path in ("/", f"/orgs/{ORG}/", f"/orgs/{ORG}/benchmark/"):
        page.goto(server_url + path)
        boxes = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                  '.header-inner > *, .header-tools > *')).map(e => {
                    const r = e.getBoundingClientRect();
                    return {name: e.className, top: r.top, bottom: r.bottom};
                  })"""
        )
        names = [b["name"] for b in boxes]
        assert any("user-menu" in n for n in names) and any("header-search" in n for n in names)
        # One row: every part of the header overlaps every other one vertically.
        lowest_top = max(b["top"] for b in boxes)
        highest_bottom = min(b["bottom"] for b in boxes)
        assert lowest_top < highest_bottom, (path, boxes)
        height = page.locator(".site-header").bounding_box()["height"]
        assert height < 80, (path, height)
    shoot(page, f"header-{language}-{width}")
    context.close()


ORG_PAGES = [
    ("", "Overview"),
    ("profiles/", "Profiles"),
    ("profiles/import/", "Profiles"),
    ("benchmark/", "Benchmark"),
    ("members/", "Members"),
    ("jobs/", "Jobs"),
    ("audit/", "Audit trail"),
    ("settings/", "Settings"),
]


@pytest.mark.parametrize(("path", "tab"), ORG_PAGES)
def test_each_organization_page_highlights_its_own_tab(server_url, page, path, tab):
    sign_in(page, server_url)
    page.goto(f"{server_url}/orgs/{ORG}/{path}")
    tabs = page.get_by_role("navigation", name="Organization")
    current = tabs.locator("[aria-current='page']")
    expect(current).to_have_count(1)
    expect(current).to_have_text(tab)
    # The mark is drawn, not only in the markup: the current tab looks unlike the others.
    weights = tabs.locator("a").evaluate_all(
        "links => links.map(a => [a.textContent.trim(), getComputedStyle(a).fontWeight])"
    )
    bold = [name for name, weight in weights if int(weight) >= 600]
    assert bold == [tab]


@pytest.mark.parametrize("page_name", ["settings", "exchange/import", "derive"])
def test_a_profiles_own_pages_highlight_no_tab(server_url, page, page_name):
    sign_in(page, server_url)
    base = demo_profile_url(page, server_url)
    page.goto(f"{base}/{page_name}/")
    tabs = page.get_by_role("navigation", name="Profile")
    expect(tabs.locator("a").first).to_be_visible()
    expect(tabs.locator("[aria-current]")).to_have_count(0)


def test_exports_and_imports_are_one_menu(server_url, page):
    sign_in(page, server_url)
    page.goto(demo_profile_url(page, server_url) + "/")
    toolbar = page.locator(".profile-head .toolbar")
    menu = toolbar.locator("details.action-menu")
    links = menu.get_by_role("link")
    expect(links.first).to_be_hidden()
    # The toolbar is one row: the main action, Settings and the menu.
    tops = toolbar.locator(":scope > *").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
    )
    assert len(tops) == 3 and len(set(tops)) == 1, tops
    menu.locator("summary").click()
    expect(menu.get_by_role("link", name="Excel (NIST template)")).to_be_visible()
    expect(menu.get_by_role("link", name="Import from Excel/OSCAL")).to_be_visible()
    shoot(page, "export-menu")
    page.keyboard.press("Escape")
    expect(links.first).to_be_hidden()
    menu.locator("summary").click()
    page.get_by_role("heading", level=1).click()  # a click elsewhere closes it too
    expect(links.first).to_be_hidden()


def test_an_empty_profiles_dashboard_starts_the_questionnaire(server_url, page):
    sign_in(page, server_url)
    page.goto(f"{server_url}/orgs/{ORG}/profiles/new/")
    page.get_by_label("Name").fill("Empty one")
    page.get_by_role("button", name="Create the profile").click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+/assess/$"))
    page.goto(page.url.replace("/assess/", "/dashboard/"))
    expect(page.get_by_role("heading", name="Nothing is rated yet")).to_be_visible()
    expect(page.get_by_text("outcomes are below target")).to_have_count(0)
    shoot(page, "empty-dashboard-en")
    page.get_by_role("link", name="Start the questionnaire").click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+/assess/$"))


def test_the_save_button_shows_only_without_javascript(server_url, browser):
    with_js = browser.new_context(viewport={"width": 1280, "height": 900})
    page = with_js.new_page()
    sign_in(page, server_url)
    questionnaire = demo_profile_url(page, server_url) + "/assess/?outcome=GV.OC-01"
    page.goto(questionnaire)
    foot = page.locator("[data-outcome='GV.OC-01'] .answer-foot")
    expect(foot.get_by_text("Saves as you answer")).to_be_visible()
    expect(foot.get_by_role("button", name="Save")).to_be_hidden()
    # The outcome list names each outcome, not just its id.
    expect(page.locator(".assess-nav a[aria-current] .nav-title")).to_have_text(
        re.compile(r"^The organizational mission is understood")
    )
    shoot(page, "questionnaire-en")
    with_js.close()

    without_js = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = without_js.new_page()
    sign_in(page, server_url)
    page.goto(questionnaire)
    foot = page.locator("[data-outcome='GV.OC-01'] .answer-foot")
    expect(foot.get_by_role("button", name="Save")).to_be_visible()
    expect(foot.get_by_text("Saves as you answer")).to_be_hidden()
    without_js.close()


def test_the_benchmark_shows_the_demo_sectors_numbers(server_url, page):
    sign_in(page, server_url)
    page.goto(f"{server_url}/orgs/{ORG}/benchmark/")
    expect(page.locator(".facts")).to_contain_text("Critical manufacturing")
    expect(page.locator(".facts")).to_contain_text("at least 5 organizations contributing")
    expect(page.locator(".bench-table tbody tr")).to_have_count(7)
    expect(page.locator(".bench-hidden")).to_have_count(0)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_screenshots_of_the_changed_pages(server_url, browser, language):
    """Kept for people to look at; each page must also render without a server error."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, server_url)
    base = demo_profile_url(page, server_url)
    choose_language(page, language)
    pages = {
        "dashboard": base + "/dashboard/",
        "overview": base + "/",
        "settings": base + "/settings/",
        "questionnaire": base + "/assess/?outcome=GV.OC-01",
        "benchmark": f"{server_url}/orgs/{ORG}/benchmark/",
        "jobs": f"{server_url}/orgs/{ORG}/jobs/",
        "organization": f"{server_url}/orgs/{ORG}/",
    }
    for name, address in pages.items():
        response = page.goto(address)
        assert response is not None and response.status == 200, (name, address)
        shoot(page, f"{name}-{language}")
    context.close()
