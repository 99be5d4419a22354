"""Reports in headless Chromium against the real `csfpilot serve` and its demo organization:
the Reports tab, a download, the downloaded HTML opened from disk (offline, nothing fetched,
nothing run), the HTML opened in the browser from the tab, and a template upload refused with
its reason."""

from __future__ import annotations

import re

import pypdf
from playwright.sync_api import expect

from csfpilot.webapp.demo import DEMO_ORGANIZATION

from .conftest import ARTIFACTS
from .test_profiles import DEMO_PROFILE, sign_in

ORG = DEMO_ORGANIZATION[1]


def open_reports(page, server_url) -> None:
    sign_in(page, server_url)
    page.goto(f"{server_url}/orgs/{ORG}/profiles/")
    page.get_by_role("link", name=DEMO_PROFILE).click()
    page.get_by_role("navigation", name="Profile").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Board brief")).to_be_visible()


def test_the_reports_tab_downloads_a_brief_that_renders_offline(server_url, page, tmp_path):
    open_reports(page, server_url)
    buttons = page.locator("a[data-format]")
    assert buttons.all_text_contents() == [
        "HTML",
        "PDF",
        "Excel",
        "Markdown",
        "Word",
        "HTML",
        "PDF",
        "Excel",
        "Markdown",
    ]
    with page.expect_download() as info:
        page.locator("#rep-brief ~ p.toolbar a[data-format='HTML']").click()
    download = info.value
    assert re.fullmatch(
        r"whole-company-csf-2-0-brief-\d{4}-\d{2}-\d{2}\.html", download.suggested_filename
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with page.expect_download() as info:
        page.locator("#rep-brief ~ p.toolbar a[data-format='PDF']").click()
    pdf = tmp_path / "brief.pdf"
    info.value.save_as(pdf)
    assert "CSF Tiers" in pypdf.PdfReader(pdf).pages[0].extract_text()

    # Opened from disk with the network cut: the page is whole (styles and charts inline),
    # asks for nothing, and runs nothing.
    requests: list[str] = []
    page.context.set_offline(True)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(saved.as_uri())
    expect(page.get_by_role("heading", name="CSF Tiers")).to_be_visible()
    chart = page.locator("svg.chart-bars")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 150
    assert page.evaluate("document.scripts.length") == 0
    assert requests == [saved.as_uri()]
    heading_colour = page.eval_on_selector("h2", "e => getComputedStyle(e).color")
    assert heading_colour == "rgb(31, 56, 100)"  # the stylesheet is inline and applied
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-brief.png"), full_page=True)
    page.context.set_offline(False)


def test_the_html_brief_opens_in_the_browser_styled_and_inert(server_url, page):
    open_reports(page, server_url)
    with page.context.expect_page() as info:
        page.locator("#rep-brief ~ p.toolbar a[data-view='html']").click()
    report = info.value
    report.wait_for_load_state()
    assert "/reports/brief.html?disposition=inline" in report.url
    expect(report.get_by_role("heading", name="CSF Tiers")).to_be_visible()
    # Styled: the report's own policy allows its inline stylesheet (the app's would not).
    colour = report.eval_on_selector("h2", "e => getComputedStyle(e).color")
    assert colour == "rgb(31, 56, 100)"
    assert report.locator("svg.chart-bars").bounding_box()["width"] > 200
    # Sandboxed: an opaque origin, so the page cannot read the app's cookies or call its API.
    assert report.evaluate("window.origin") == "null"
    assert report.evaluate("document.scripts.length") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    report.screenshot(path=str(ARTIFACTS / "report-brief-inline.png"), full_page=True)
    # The reports tab is still there, with its downloads.
    expect(page.locator("a[data-format='HTML']").first).to_have_attribute("download", "")


def test_a_template_with_a_script_is_refused_on_the_page(server_url, page, tmp_path):
    open_reports(page, server_url)
    evil = tmp_path / "evil.html"
    evil.write_text(
        '{% extends "brief.html" %}{% block intro %}<script>alert(1)</script>{% endblock %}'
    )
    page.get_by_label("Template (HTML with Jinja2 tags)").set_input_files(str(evil))
    page.get_by_role("button", name="Save the template").click()
    alert = page.get_by_role("alert").filter(has_text="runs script")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("evil.html")
    expect(page.get_by_text("Reports use csfpilot's own template.")).to_be_visible()
