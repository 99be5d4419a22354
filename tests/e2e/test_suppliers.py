"""A supplier's contact answers a questionnaire through a guest link, in headless Chromium
against a real `csfpilot serve`, and the buyer's portfolio shows the result.

The server mails through the console backend, so the verification code is read from the
server's log. Expired and revoked links are refused, and the verified guest reaches no other
page or API route.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from tests.e2e.conftest import ARTIFACTS, running_server
from tests.prepared_data import prepare

ORG = DEMO_ORGANIZATION[1]

SEED = """
import json, django
django.setup()
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.suppliers import guest, services
from csfpilot.webapp.suppliers.models import GuestLink

owner = get_user_model().objects.get(email=DEMO_LOGIN[0])
access = require(owner, DEMO_ORGANIZATION[1], Permission.EDIT_PROFILES)
due = timezone.localdate() + timedelta(days=14)
out = {}
for name, key in (("Cloudy Hosting", "main"), ("Revoked Ltd", "revoked"),
                  ("Expired Ltd", "expired")):
    s = services.create_supplier(access, {
        "name": name, "services": "Hosting", "data_access": "personal",
        "system_access": "privileged", "service_dependency": "essential", "country": "TW",
        "requirements": "GV.SC-05 fully\\nPR.AA-03 fully\\nDE.CM-01 largely",
    }, contacts=[{"name": "Lin", "email": f"{key}@vendor.test"}])
    q = services.send_questionnaire(access, s.pk, due=due, guidance="Answer for the portal.")
    link, token = guest.issue_link(access, q.pk, f"{key}@vendor.test")
    out[key] = {"token": token, "supplier": s.pk, "questionnaire": q.pk, "link": link.pk}
guest.revoke_link(access, out["revoked"]["questionnaire"], out["revoked"]["link"])
GuestLink.objects.filter(pk=out["expired"]["link"]).update(
    expires_at=timezone.now() - timedelta(minutes=1))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("suppliers-server")
    with running_server(data_dir) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
            CSFPILOT_DATA_DIR=str(data_dir),
            CSFPILOT_SECRET_KEY="e2e-only-not-a-secret",
        )
        prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
        seeded = subprocess.run(
            [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=120
        )
        assert seeded.returncode == 0, seeded.stderr
        info = json.loads(seeded.stdout.strip().splitlines()[-1])
        yield {"url": url, "log": data_dir / "server.log", **info}


def code_from_log(log: Path, address: str) -> str:
    """The latest code the server mailed to ``address`` (console mail backend)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        # Each message's headers: its subject names the code, then "To:" the address.
        messages = re.findall(
            r"Subject: \[csfpilot\] Your code: (\d{6})\n(?:[^\n]*\n){0,6}?To: (\S+)", text
        )
        found = [code for code, to in messages if to == address]
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no code mailed to {address}")


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_login").fill(DEMO_LOGIN[0])
    page.locator("#id_password").fill(DEMO_LOGIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/orgs/"))


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"suppliers-{name}.png"), full_page=True)


def test_a_supplier_answers_through_the_link_and_the_portfolio_shows_it(browser, site):
    url, main = site["url"], site["main"]
    guest_ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    page = guest_ctx.new_page()
    link = f"{url}/guest/q/{main['token']}/"
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    expect(page.locator("li.guest-item")).to_have_count(0)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_text("A code is on its way")).to_be_visible()
    page.get_by_label("Code from the e-mail").fill(code_from_log(site["log"], "main@vendor.test"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("li.guest-item")).to_have_count(3)
    expect(page.get_by_text("Answer for the portal.")).to_be_visible()

    answers = {"GV.SC-05": "partially", "PR.AA-03": "fully", "DE.CM-01": "largely"}

    def saved(response) -> bool:
        return response.url.endswith("/answer/") and response.status == 200

    for code, level in answers.items():
        item = page.locator(f'li[id="{code}"]')
        with page.expect_response(saved):  # saved as given, as it changed
            item.locator(f'input[value="{level}"]').check()
        expect(item.locator(".saved")).to_be_visible()
    with page.expect_response(saved):
        page.locator('li[id="GV.SC-05"] textarea[name="evidence"]').fill("SOC 2 Type II report")
    page.reload()  # the answers were stored, not just shown
    expect(page.locator('li[id="PR.AA-03"] input[value="fully"]')).to_be_checked()
    shot(page, "guest-en")
    page.get_by_role("button", name="Submit the answers").click()
    expect(page.get_by_text("The answers below are read-only.")).to_be_visible()
    expect(page.locator("li.guest-item input[type=radio]")).to_have_count(0)

    # The verified guest is nobody anywhere else: pages ask to sign in, the API says 401.
    page.goto(f"{url}/orgs/{ORG}/suppliers/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{url}/orgs/{ORG}/suppliers/{main['supplier']}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    api = page.request.get(f"{url}/api/organizations/{ORG}/suppliers/{main['supplier']}")
    assert api.status == 401
    api = page.request.get(f"{url}/api/organizations/{ORG}/questionnaires/{main['questionnaire']}")
    assert api.status == 401
    page.goto(f"{link}?lang=zh-hant")
    expect(page.get_by_text("以下回答僅供檢視")).to_be_visible()
    shot(page, "guest-zh")
    guest_ctx.close()

    buyer = browser.new_context(viewport={"width": 1280, "height": 900})
    page = buyer.new_page()
    sign_in(page, url)
    page.goto(f"{url}/orgs/{ORG}/suppliers/portfolio/")
    highest = page.locator(".risk-list").first
    expect(highest).to_contain_text("Cloudy Hosting")
    expect(highest).to_contain_text("Medium risk · 25")
    row = page.locator(".heatmap tbody tr", has_text="Cloudy Hosting")
    expect(row.locator("td.heat-4")).to_have_text(["100", "100"])  # PR and DE as required
    expect(row.locator("td.heat-1")).to_have_text("33")  # GV: partially of fully
    shot(page, "portfolio-en")
    page.get_by_role("link", name="Cloudy Hosting").first.click()
    expect(page.locator(".answers-table")).to_contain_text("SOC 2 Type II report")
    expect(page.locator(".answers-table tr.short")).to_have_count(1)
    shot(page, "detail-en")
    page.locator("form.lang-switch").get_by_role("button", name="繁體中文").click()
    expect(page.get_by_role("heading", name="最新回答與要求目標的對照")).to_be_visible()
    shot(page, "detail-zh")
    page.goto(f"{url}/orgs/{ORG}/suppliers/portfolio/")
    expect(page.get_by_role("heading", name="供應商 × 功能")).to_be_visible()
    shot(page, "portfolio-zh")
    page.goto(f"{url}/orgs/{ORG}/questionnaires/{main['questionnaire']}/")
    shot(page, "questionnaire-zh")
    buyer.close()


@pytest.mark.parametrize(("key", "says"), [("revoked", "revoked"), ("expired", "expired")])
def test_revoked_and_expired_links_are_refused(page: Page, site, key, says):
    response = page.goto(f"{site['url']}/guest/q/{site[key]['token']}/")
    assert response is not None and response.status == 410
    expect(
        page.get_by_role("heading", name="This link does not open a questionnaire")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text(says)
    expect(page.locator("li.guest-item")).to_have_count(0)
