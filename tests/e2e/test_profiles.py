"""Profiles in headless Chromium against the real `csfpilot serve` and its demo organization.

An assessor's path: sign in with the demo account, start a profile, answer the
first outcomes with the keyboard and see the answers still there after a
reload; two people saving the same outcome, the second shown the first one's
value; the demo profile's dashboard with its charts and live gap filters; an
action generated from a gap and edited in place. Every step waits for what the
page shows; nothing sleeps.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION

ORG = DEMO_ORGANIZATION[1]
ARTIFACTS_WIDTH = 390
DEMO_PROFILE = re.compile(r"^Whole company")


def sign_in(page: Page, server_url: str) -> None:
    page.goto(f"{server_url}/accounts/login/")
    page.locator("#id_login").fill(DEMO_LOGIN[0])
    page.locator("#id_password").fill(DEMO_LOGIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/orgs/"))


def start_profile(page: Page, server_url: str, name: str) -> str:
    """Create a blank profile through the form; return its questionnaire's address."""
    page.goto(f"{server_url}/orgs/{ORG}/profiles/new/")
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create the profile").click()
    expect(page).to_have_url(re.compile(r"/profiles/\d+/assess/$"))
    return page.url


@pytest.fixture(scope="module")
def questionnaire(server_url, browser):
    """A fresh profile of the demo organization, created once for this module."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, server_url)
    url = start_profile(page, server_url, "Plant 2 OT network")
    context.close()
    return url


def test_keyboard_answers_are_saved_as_given_and_survive_a_reload(server_url, page, questionnaire):
    sign_in(page, server_url)
    page.goto(questionnaire)
    # A new profile opens at its first outcome, NIST's statement as the question.
    card = page.locator("[data-outcome='GV.OC-01']")
    expect(card.locator(".nist-text")).to_have_text(
        "The organizational mission is understood and informs cybersecurity risk management"
    )
    status = page.locator("#status-GV-OC-01")
    expect(status).to_have_text("Saves as you answer")

    page.keyboard.press("l")  # Current: Largely implemented (the scale's own key)
    expect(card.locator("input[name='current'][value='largely']")).to_be_checked()
    expect(status).to_contain_text("Saved at")
    page.keyboard.press("Shift+KeyF")  # Target: Fully implemented
    expect(card.locator("input[name='target'][value='fully']")).to_be_checked()
    expect(page.locator("#mark-GV-OC-01")).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#fn-progress li").first).to_contain_text("1 · 1 of 31")

    # Words typed just before leaving are saved before the next outcome opens.
    card.get_by_label("Rationale").fill("The board reviews the mission yearly")
    page.get_by_role("link", name="Next outcome").click()
    expect(page).to_have_url(re.compile(r"outcome=GV\.OC-02$"))
    page.keyboard.press("j")
    expect(page).to_have_url(re.compile(r"outcome=GV\.OC-03$"))
    page.keyboard.press("k")
    expect(page).to_have_url(re.compile(r"outcome=GV\.OC-02$"))

    page.goto(questionnaire + "?outcome=GV.OC-01")
    card = page.locator("[data-outcome='GV.OC-01']")
    expect(card.locator("input[name='current'][value='largely']")).to_be_checked()
    expect(card.locator("input[name='target'][value='fully']")).to_be_checked()
    expect(card.get_by_label("Rationale")).to_have_value("The board reviews the mission yearly")
    # Resuming opens at the first outcome still unanswered.
    page.goto(questionnaire)
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "GV.OC-02")


def test_a_stale_save_shows_the_other_persons_value(server_url, browser, page, questionnaire):
    sign_in(page, server_url)
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(other, server_url)
    address = questionnaire + "?outcome=GV.OC-05"
    page.goto(address)
    other.goto(address)

    other.keyboard.press("p")  # someone else: Partially implemented
    expect(other.locator("#status-GV-OC-05")).to_contain_text("Saved at")

    page.keyboard.press("f")  # me, on the page opened before their save
    conflict = page.locator("#conflict-GV-OC-05")
    expect(conflict).to_contain_text("Someone else saved this outcome first")
    expect(conflict.locator("tbody tr").first).to_contain_text("Partially implemented")
    expect(conflict.locator("tbody tr").first).to_contain_text("Fully implemented")
    expect(page.locator("#status-GV-OC-05")).to_contain_text("Not saved")

    conflict.get_by_role("button", name="Keep mine").click()
    expect(page.locator("#status-GV-OC-05")).to_contain_text("Saved at")
    other.reload()
    expect(
        other.locator("[data-outcome='GV.OC-05'] input[name='current'][value='fully']")
    ).to_be_checked()
    other.context.close()


def test_the_dashboard_shows_charts_and_filters_gaps_in_place(server_url, page):
    sign_in(page, server_url)
    page.goto(f"{server_url}/orgs/{ORG}/profiles/")
    page.get_by_role("link", name=DEMO_PROFILE).click()
    page.get_by_role("navigation", name="Profile").get_by_role("link", name="Dashboard").click()
    charts = page.locator("svg.chart[role='img']")
    expect(charts.first).to_be_visible()
    titles = [t.strip() for t in page.locator("svg.chart > title").all_text_contents()]
    assert titles[:3] == [
        "Current and target score per Function",
        "Current and target score per Function, 0–100",
        "Current score of each Category",
    ]
    # The radar's axes are labelled with the Functions and their two scores.
    expect(page.locator("svg.chart-radar .axis-labels")).to_contain_text("GV Govern")

    rows = page.locator("#gap-list tbody tr")
    expect(rows.first).to_be_visible()
    page.get_by_role("combobox", name=re.compile(r"^Function")).select_option("DE")
    expect(page).to_have_url(re.compile(r"function=DE"))
    expect(page.locator("#gap-list .results-count")).to_contain_text("match the filters")
    codes = page.locator("#gap-list tbody td.code-cell a").all_text_contents()
    assert codes and all(c.startswith("DE.") for c in codes)

    # Drill down to one outcome: its data, history and NIST's references.
    page.locator("#gap-list tbody td.code-cell a").first.click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.locator(".nist-text")).to_be_visible()


def test_an_action_is_generated_from_a_gap_and_edited_in_place(server_url, page, questionnaire):
    sign_in(page, server_url)
    # GV.OC-03: not implemented, to be fully — the largest gap of this profile, so it leads
    # the plan whatever else the other tests answered.
    page.goto(questionnaire + "?outcome=GV.OC-03")
    page.keyboard.press("n")
    expect(page.locator("#status-GV-OC-03")).to_contain_text("Saved at")
    page.keyboard.press("Shift+KeyF")
    expect(page.locator("#mark-GV-OC-03")).to_have_class(re.compile(r"\bdone\b"))

    page.goto(questionnaire.replace("/assess/", "/plan/"))
    page.get_by_role("button", name=re.compile(r"Generate \d+ actions?")).click()
    row = page.locator("#action-A-001")
    expect(row).to_contain_text("Raise GV.OC-03 from Not implemented to Fully implemented")
    expect(row).to_contain_text("Open")

    row.get_by_role("link", name="Edit").click()
    editing = page.locator("tr#action-A-001.editing")
    expect(editing).to_be_visible()
    editing.get_by_label("Owner").fill("Plant 2 OT lead")
    editing.get_by_label("Due").fill("2024-01-31")
    editing.get_by_label("Status").select_option("in-progress")
    editing.get_by_role("button", name="Save").click()

    row = page.locator("tr#action-A-001:not(.editing)")
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text("Plant 2 OT lead")
    expect(row).to_have_class(re.compile(r"\boverdue\b"))
    expect(page.locator("#plan-summary")).to_contain_text("Overdue")
    page.reload()
    expect(page.locator("#action-A-001")).to_contain_text("Plant 2 OT lead")
    expect(page.locator("#action-A-001 .tag-overdue")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    [
        "",
        "assess/?outcome=GV.SC-04",
        "assess/?mode=category&category=PR.AA",
        "dashboard/",
        "outcomes/GV.SC-04/",
        "plan/",
        "history/",
        "compare/",
        "tiers/",
    ],
)
def test_profile_pages_fit_a_phone_screen(server_url, browser, path):
    """At a phone's width nothing runs off the side: tables stack, charts scroll in their box."""
    context = browser.new_context(viewport={"width": ARTIFACTS_WIDTH, "height": 800})
    page = context.new_page()
    sign_in(page, server_url)
    page.goto(f"{server_url}/orgs/{ORG}/profiles/")
    href = page.get_by_role("link", name=DEMO_PROFILE).get_attribute("href")
    page.goto(f"{server_url}{href}{path}")
    expect(page.locator("h1")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= ARTIFACTS_WIDTH, f"{path or 'overview'} is {width}px wide"
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", path or "overview").strip("-")
    page.screenshot(path=str(ARTIFACTS / f"profile-phone-{name}.png"), full_page=True)
    context.close()
