"""The questionnaire package pages in headless Chromium against a real ``csfpilot serve``.

One person is owner of two organizations on one instance: the demo organization (the
buyer, with a supplier and an open questionnaire) and Globex Taiwan (the supplier, with a
profile of its own). In the browser the supplier imports the buyer's signed questionnaire,
takes the answers from its profile, answers by hand the outcome its profile lacks, looks at
what leaves at "no free text" and downloads the signed answer; the buyer imports that answer
and sees it against its targets. Screenshots in English and Traditional Chinese.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from csfpilot.webapp.demo import DEMO_ORGANIZATION
from tests.e2e.conftest import ARTIFACTS, running_server
from tests.e2e.test_suppliers import sign_in

BUYER = DEMO_ORGANIZATION[1]
SUPPLIER = "globex-tw"
COMMENT = "browser-private-comment-9031"

SEED = """
import json, django
django.setup()
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.profiles import services as profiles
from csfpilot.webapp.profiles.models import ProfileOutcome
from csfpilot.webapp.suppliers import exchange, services

owner = get_user_model().objects.get(email=DEMO_LOGIN[0])
buyer = require(owner, DEMO_ORGANIZATION[1], Permission.EDIT_PROFILES)
org = Organization.objects.create(name="Globex Taiwan", slug="globex-tw")
Membership.objects.create(user=owner, organization=org, role="owner")
seller = require(owner, "globex-tw", Permission.EDIT_PROFILES)
s = services.create_supplier(buyer, {
    "name": "Globex Taiwan", "data_access": "confidential", "system_access": "user",
    "service_dependency": "essential", "country": "TW",
    "requirements": "GV.SC-05 fully\\nPR.AA-03 fully\\nDE.CM-01 largely",
})
q = services.send_questionnaire(buyer, s.pk, due=timezone.localdate() + timedelta(days=14),
                                guidance="Answer for the plant network.")
package = exchange.questionnaire_package(buyer, q.pk)
row = profiles.create_profile(seller, name="Plant baseline")
for code, level in (("GV.SC-05", "largely"), ("PR.AA-03", "fully")):
    version = ProfileOutcome.objects.get(profile=row, code=code).version
    profiles.update_outcome(seller, row.pk, code, {"current": level}, expected_version=version)
ProfileOutcome.objects.filter(profile=row, code="DE.CM-01").update(included=False, current=None)
packages.trust(seller, packages.active_key(buyer).fingerprint, "Demo buyer")
print(json.dumps({"questionnaire": q.pk, "supplier": s.pk, "package": package.data.decode()}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("questionnaire-pages")
    with running_server(data_dir) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
            CSFPILOT_DATA_DIR=str(data_dir),
            CSFPILOT_SECRET_KEY="e2e-only-not-a-secret",
        )
        seeded = subprocess.run(
            [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=120
        )
        assert seeded.returncode == 0, seeded.stderr
        info = json.loads(seeded.stdout.strip().splitlines()[-1])
        package = data_dir / "questionnaire.csfpkg.json"
        package.write_text(info.pop("package"), encoding="utf-8")
        yield {"url": url, "package": package, "dir": data_dir, **info}


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"qpackages-{name}.png"), full_page=True)


def _import(page: Page, url: str, org: str, file: Path) -> None:
    page.goto(f"{url}/orgs/{org}/packages/import/")
    page.locator('input[type="file"]').set_input_files(str(file))
    page.get_by_role("button", name="Check the package").click()


def test_a_questionnaire_answered_in_the_browser_and_imported_by_the_buyer(page: Page, site):
    url = site["url"]
    sign_in(page, url)

    # The supplier imports the questionnaire: checked first, signed by a trusted key.
    _import(page, url, SUPPLIER, site["package"])
    expect(page.get_by_role("heading", name="Intact, signed by a trusted key")).to_be_visible()
    page.get_by_role("button", name="Import the questionnaire to answer it").click()
    expect(page.locator(".facts")).to_contain_text("Demo buyer")

    # Answers from the profile, the differences shown, the missing one answered by hand.
    page.get_by_role("button", name="Take the answers from it").click()
    table = page.locator(".received-table")
    expect(table.locator("tr", has_text="DE.CM-01")).to_contain_text("not in the profile")
    expect(table.locator("tr.short")).to_have_count(2)  # GV.SC-05 below; DE.CM-01 unanswered
    page.locator("#a-DE\\.CM-01").select_option("largely")
    page.locator("#c-DE\\.CM-01").fill(COMMENT)
    page.get_by_role("button", name="Save the answers").click()
    expect(page.locator(".notice", has_text="Still without an answer")).to_have_count(0)
    expect(table.locator("tr", has_text="DE.CM-01")).to_contain_text("changed from the profile")

    # What leaves at "no free text": the listing holds no comment.
    page.get_by_label("No free text: answers only").check()
    page.get_by_role("button", name="Show what leaves").click()
    listing = page.locator(".package-listing")
    expect(listing).to_contain_text("answers[2].answer")
    expect(listing).not_to_contain_text(COMMENT)
    shot(page, "received-en")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the signed answer").click()
    answer = site["dir"] / "answer.csfpkg.json"
    download.value.save_as(answer)
    assert COMMENT.encode() not in answer.read_bytes()
    page.locator("form.lang-switch").get_by_role("button", name="繁體中文").click()
    expect(page.get_by_role("heading", name="回傳已簽署的回覆")).to_be_visible()
    shot(page, "received-zh")
    page.goto(f"{url}/orgs/{SUPPLIER}/received-questionnaires/")
    shot(page, "received-list-zh")
    page.locator("form.lang-switch").get_by_role("button", name="English").click()

    # The buyer: the supplier's key is not trusted, so the import needs confirming.
    _import(page, url, BUYER, answer)
    expect(
        page.get_by_role("heading", name="Intact, but signed by a key you do not trust")
    ).to_be_visible()
    shot(page, "answer-check-en")
    page.get_by_label("Import even though the signer is not trusted").check()
    page.get_by_role("button", name="Import the answers into the questionnaire").click()
    expect(page).to_have_url(f"{url}/orgs/{BUYER}/questionnaires/{site['questionnaire']}/")
    expect(page.locator(".facts")).to_contain_text("signed package, untrusted")
    expect(page.locator(".answers-table tr.short")).to_have_count(1)  # GV.SC-05: largely
    shot(page, "buyer-questionnaire-en")
    page.goto(f"{url}/orgs/{BUYER}/suppliers/portfolio/")
    expect(page.locator(".heatmap tbody tr", has_text="Globex Taiwan")).to_be_visible()
