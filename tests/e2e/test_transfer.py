"""An assessment transferred to SP 800-53 in headless Chromium: preview, accept some, edit one,
write a new draft, and see the result, in English and in Traditional Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import running_server
from tests.e2e.test_first_steps import choose_language
from tests.e2e.test_profiles import DEMO_PROFILE, ORG, sign_in

SHOTS = Path("/tmp/shots-transfer")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of this module's own: the drafts it writes must not change other walks."""
    with running_server(tmp_path_factory.mktemp("transfer-server")) as url:
        yield url


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_transfer_the_demo_assessment_to_sp800_53(server_url, page, language):
    sign_in(page, server_url)
    choose_language(page, language)
    page.goto(f"{server_url}/orgs/{ORG}/profiles/")
    page.get_by_role("link", name=DEMO_PROFILE).first.click()
    page.locator("a[href$='/transfer/']").click()
    page.locator("select[name=to]").select_option("sp800-53r5")
    page.locator("form.transfer-form button[type=submit]").click()
    table = page.locator("table.transfer-table")
    expect(table).to_be_visible()
    assert "olir-sp800-53r5-5.2.0" in page.locator(".transfer-preview dl").inner_text()
    shoot(page, f"preview-{language}")

    ticked = page.locator("input[name=accept]:checked")
    count = ticked.count()
    assert count > 10
    # Leave one proposal out, and edit another before writing.
    first, second = ticked.nth(0), ticked.nth(1)
    left_out = first.get_attribute("value")
    edited = second.get_attribute("value")
    first.uncheck()
    page.locator(f"select[name='current-{edited}']").select_option("not")
    page.locator("input[name=name]").fill(f"Controls {language}")
    page.locator(".transfer-preview button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/profiles/\d+/$"))
    expect(page.locator("h1")).to_contain_text(f"Controls {language}")
    assert str(count - 1) in page.locator(".messages, [role=status], .message").first.inner_text()
    shoot(page, f"written-{language}")
    base = page.url
    page.goto(base + f"outcomes/{edited}/")
    expect(page.locator("body")).to_contain_text(
        {"en": "Not implemented", "zh-hant": "未實施"}[language]
    )
    page.goto(base + f"outcomes/{left_out}/")
    assert "olir-sp800-53r5-5.2.0" not in page.locator("main").inner_text()
