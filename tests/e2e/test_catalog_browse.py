"""Browsing the catalog in headless Chromium against the real `csfpilot serve`.

One reader's path: open the Core, search as they type, open an outcome,
follow a crosswalk to SP 800-53, then switch the interface to Traditional
Chinese. Every step waits for what the page shows; nothing sleeps.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_core_search_outcome_crosswalk_and_chinese(server_url, page):
    page.goto(f"{server_url}/frameworks/csf-2.0/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("NIST Cybersecurity Framework")
    expect(page.locator("#GV\\.OC-01 .outcome-text")).to_have_text(
        "The organizational mission is understood and informs cybersecurity risk management"
    )
    # The tree is collapsible; the buttons come from our own script.
    page.get_by_role("button", name="Collapse all").click()
    expect(page.locator("#GV\\.OC-01 .outcome-text")).to_be_hidden()
    page.get_by_role("button", name="Expand all").click()
    expect(page.locator("#GV\\.OC-01 .outcome-text")).to_be_visible()

    # Live search: results arrive over htmx while typing, and the address follows.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_role("searchbox", name="Words or an id").press_sequentially("incident")
    result = page.locator("#search-results a[href='/frameworks/csf-2.0/RS.MA-01']")
    expect(result).to_be_visible()
    expect(page.locator("#search-results mark").first).to_have_text(re.compile("incident", re.I))
    expect(page).to_have_url(re.compile(r"/search\?q=incident"))
    expect(page.locator("#search-status")).to_contain_text("matches")

    # The language switch follows the address that live search pushed.
    expect(page.locator(".lang-switch input[name='next']")).to_have_value(
        re.compile(r"^/search\?q=incident")
    )

    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("RS.MA-01")
    expect(page.locator(".nist-text")).to_contain_text("The incident response plan is executed")
    expect(page.locator("ol.examples > li")).to_have_count(4)

    group = page.locator("#ref-sp800-53r5")
    group.get_by_role("link", name="IR-8", exact=True).click()
    expect(page).to_have_url(f"{server_url}/frameworks/sp800-53r5/IR-8")
    expect(page.get_by_role("heading", level=1)).to_have_text("IR-8 Incident Response Plan")
    # The control page reads the same crosswalk from the other side.
    back = page.locator("#ref-csf-2\\.0-in").get_by_role("link", name="RS.MA-01")
    expect(back).to_have_attribute("href", "/frameworks/csf-2.0/RS.MA-01")

    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    expect(page).to_have_url(f"{server_url}/frameworks/sp800-53r5/IR-8")
    nav = page.get_by_role("navigation", name="主選單")
    expect(nav.get_by_role("link", name="框架", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="框架對照")).to_be_visible()
    expect(nav.get_by_role("link", name="搜尋")).to_be_visible()
    expect(page.get_by_role("button", name="繁體中文")).to_have_attribute("aria-pressed", "true")
    # NIST's own words stay as published.
    expect(page.get_by_role("heading", level=1)).to_have_text("IR-8 Incident Response Plan")


def test_keyboard_reaches_the_content_first_and_the_search_with_a_slash(server_url, page):
    page.goto(f"{server_url}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search all frameworks").first).to_be_focused()
    page.keyboard.type("GV.OC-01")
    page.keyboard.press("Enter")
    expect(page.locator("#search-results a[href='/frameworks/csf-2.0/GV.OC-01']")).to_be_visible()
