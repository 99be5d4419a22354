"""The sector benchmark between instances in headless Chromium against a real
`csfpilot serve`: a member prepares and downloads its signed contribution, the sector's
steward puts the member's key on the list and uploads it (an altered copy is refused,
with the reason), publishes the signed aggregate, and the member imports it and sees its
position beside the published figures. Screenshots in English and Traditional Chinese.

One instance plays both sides here (the demo company, and the sector body's organization
whose steward is the same account); tests/cli/test_sector_exchange_cli.py runs two.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from csfpilot.formats.packages.container import read_package
from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from tests.e2e.conftest import ARTIFACTS, running_server

ORG = DEMO_ORGANIZATION[1]
SECTOR = "critical-manufacturing"
# The sector body: an organization of the demo account, which is the sector's steward. Four
# generated peers send their contributions first (signed and imported by the same code the
# pages call), so that the aggregate has numbers to show.
SEED = """
import json, django
django.setup()
from csfpilot.webapp.demo import DEMO_LOGIN
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.profiles.operator import operator_access
from csfpilot.webapp.sectors import exchange, stewardship
stewardship.appoint("critical-manufacturing", DEMO_LOGIN[0])
isac = Organization.objects.create(name="Manufacturing ISAC", slug="mfg-isac")
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(email=DEMO_LOGIN[0])
Membership.objects.create(user=user, organization=isac, role="owner")
for peer in Organization.objects.filter(slug__startswith="demo-peer-").order_by("slug")[:4]:
    access = operator_access(peer.slug)
    signed = exchange.contribution_package(access, "critical-manufacturing")
    exchange.add_member("critical-manufacturing", peer.name, signed.fingerprint)
    exchange.import_contribution(signed.data, "critical-manufacturing")
print(json.dumps({"ok": True}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("sector-exchange-server")
    with running_server(data_dir) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
            CSFPILOT_DATA_DIR=str(data_dir),
            CSFPILOT_SECRET_KEY="e2e-only-not-a-secret",
        )
        seeded = subprocess.run(
            [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=300
        )
        assert seeded.returncode == 0, seeded.stderr
        yield {"url": url, "dir": data_dir}


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_login").fill(DEMO_LOGIN[0])
    page.locator("#id_password").fill(DEMO_LOGIN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/orgs/"))


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"sector-exchange-{name}.png"), full_page=True)


def both_languages(page: Page, name: str) -> None:
    """Screenshots in English, then in Traditional Chinese through the header's switch."""
    shot(page, f"{name}-en")
    page.locator("form.lang-switch button[value='zh-hant']").click()
    expect(page.locator("html")).to_have_attribute("lang", re.compile("zh"))
    shot(page, f"{name}-zh")
    page.locator("form.lang-switch button[value='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_contribute_verify_publish_and_import_in_the_browser(browser, site, tmp_path: Path):
    url = site["url"]
    ctx = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    sign_in(page, url)

    # The member: what leaves, then the signed file.
    page.goto(f"{url}/orgs/{ORG}/benchmark/")
    page.get_by_role("link", name="Prepare a contribution").click()
    page.get_by_role("button", name="Show what leaves").click()
    expect(page.locator("table.package-listing")).to_contain_text("scores.json")
    both_languages(page, "contribution")
    with page.expect_download() as got:
        page.get_by_role("button", name="Download the signed contribution").click()
    contribution = tmp_path / "contribution.json"
    got.value.save_as(contribution)
    data = contribution.read_bytes()
    fingerprint = read_package(data, {}).fingerprint
    altered = tmp_path / "altered.json"
    altered.write_bytes(data.replace(b'"sector":"critical-manufacturing"', b'"sector":"dams"', 1))

    # The sector body: the member's key on the list, then both files.
    page.goto(f"{url}/sectors/")
    page.get_by_role("row", name=re.compile("Critical manufacturing")).get_by_role(
        "link", name="Keys, contributions, aggregate"
    ).click()
    page.get_by_label("Member organization").fill("Example Manufacturing")
    page.get_by_label("Key fingerprint").fill(fingerprint)
    page.get_by_role("button", name="Add to the list").click()
    expect(page.get_by_text("is on the member list")).to_be_visible()
    page.get_by_label("Contribution files").set_input_files([str(contribution), str(altered)])
    page.get_by_role("button", name="Verify and import").click()
    received = page.locator(
        "section", has=page.get_by_role("heading", name="Contributions received")
    )
    expect(received.get_by_role("row", name=re.compile(r"^contribution\.json"))).to_contain_text(
        "Counted"
    )
    expect(received.get_by_role("row", name=re.compile(r"^altered\.json"))).to_contain_text(
        "Refused"
    )
    shot(page, "sector-body-received-en")
    page.goto(f"{url}/sectors/{SECTOR}/exchange/")
    both_languages(page, "sector-body")
    page.get_by_label("Sign as").select_option("mfg-isac")
    with page.expect_download() as got:
        page.get_by_role("button", name="Download the signed aggregate").click()
    aggregate = tmp_path / "aggregate.json"
    got.value.save_as(aggregate)
    body_key = read_package(aggregate.read_bytes(), {}).fingerprint

    # The member: an untrusted aggregate is refused naming its key; trusted, it shows.
    page.goto(f"{url}/orgs/{ORG}/benchmark/")
    page.get_by_label("Aggregate package from the sector body").set_input_files(str(aggregate))
    page.get_by_role("button", name="Verify and import").click()
    expect(page.get_by_text(re.compile(f"Refused: .*{body_key}"))).to_be_visible()
    page.goto(f"{url}/orgs/{ORG}/keys/")
    page.get_by_label("Fingerprint").fill(body_key)
    page.get_by_label("Partner's name").fill("Manufacturing ISAC")
    page.get_by_role("button", name=re.compile("Trust")).click()
    page.goto(f"{url}/orgs/{ORG}/benchmark/")
    page.get_by_label("Aggregate package from the sector body").set_input_files(str(aggregate))
    page.get_by_role("button", name="Verify and import").click()
    expect(page.get_by_role("heading", name="Published by the sector body")).to_be_visible()
    expect(page.locator(".bench-published")).to_contain_text("Manufacturing ISAC")
    page.locator(".bench-published").scroll_into_view_if_needed()
    both_languages(page, "benchmark")
    ctx.close()
