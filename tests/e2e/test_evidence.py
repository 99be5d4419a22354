"""Evidence in headless Chromium against the real `csfpilot serve` and its demo organization.

The owner uploads a policy, links it to outcomes of two profiles and reviews a link; an
attestation past its validity is flagged as expired in the library and on the due page; a
contributor answers an evidence request with an upload and the owner accepts it. Every
step waits for what the page shows; nothing sleeps.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from tests.e2e.conftest import running_server
from tests.prepared_data import prepare

ORG = DEMO_ORGANIZATION[1]
PASSWORD = "a long and fine passphrase 7"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"

# A contributor assigned GV.OC-01, a second profile, and the owner's request to the contributor.
SEED = """
import json, django
django.setup()
from datetime import date
from django.contrib.auth import get_user_model
from allauth.account.models import EmailAddress
from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import services
from csfpilot.webapp.profiles.models import Profile

org = Organization.objects.get(slug=DEMO_ORGANIZATION[1])
email = "contributor@evidence.test"
user = get_user_model().objects.create_user(
    username="contributor-evidence", email=email, password=%(password)r)
EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
Membership.objects.create(user=user, organization=org, role="contributor")
owner = get_user_model().objects.get(email=DEMO_LOGIN[0])
access = require(owner, org.slug, Permission.EDIT_PROFILES)
profile = Profile.objects.filter(organization=org, name__startswith="Whole company").get()
services.assign_outcomes(access, profile.pk, ["GV.OC-01"], user.pk)
# The scan walk: the owner claims PR.PS-02 is fully implemented.
ps02 = profile.outcomes.get(code="PR.PS-02")
services.update_outcome(access, profile.pk, "PR.PS-02", {"current": "fully"},
                        expected_version=ps02.version)
plant = services.create_profile(access, name="Plant 2 OT network")
request = evidence.ask(access, profile.pk, ["GV.OC-01"], assignee_id=user.pk,
                       due=date(2030, 1, 1), note="The mission statement, as approved")
print(json.dumps({"profile": profile.pk, "profile_name": profile.name, "plant": plant.pk,
                  "request": request.pk}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("evidence-server")
    with running_server(data_dir) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
            CSFPILOT_DATA_DIR=str(data_dir),
            CSFPILOT_SECRET_KEY="e2e-only-not-a-secret",
        )
        prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
        seeded = subprocess.run(
            [sys.executable, "-c", SEED % {"password": PASSWORD}],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert seeded.returncode == 0, seeded.stderr
        info = json.loads(seeded.stdout.strip().splitlines()[-1])
        yield {"url": url, **info}


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/orgs/"))


def upload_policy(page: Page, url: str, tmp_path) -> str:
    """Upload a PDF through the "Add evidence" page; return the item's address."""
    policy = tmp_path / "access-control-policy.pdf"
    policy.write_bytes(PDF)
    page.goto(f"{url}/orgs/{ORG}/evidence/")
    page.get_by_role("link", name="Add evidence").first.click()
    form = page.locator("form", has=page.get_by_role("button", name="Upload and add"))
    form.locator("input[type=file]").set_input_files(str(policy))
    form.get_by_label("Title").fill("Access control policy")
    form.get_by_label("Kind").select_option("policy")
    form.get_by_label("Effective from").fill("2026-01-01")
    form.get_by_label("Review interval (days)").fill("365")
    form.get_by_role("button", name="Upload and add").click()
    expect(page).to_have_url(re.compile(rf"/orgs/{ORG}/evidence/\d+/$"))
    expect(page.locator(".flash")).to_contain_text("Access control policy is added to the library.")
    return page.url


def link(page: Page, profile_name: str, outcomes: str) -> None:
    page.get_by_text("Link to outcomes").click()
    form = page.locator("form", has=page.get_by_role("button", name="Link", exact=True))
    form.get_by_label("Profile").select_option(label=profile_name)
    form.get_by_label("Outcomes", exact=True).fill(outcomes)
    form.get_by_label("What it shows for these outcomes").fill("Approved by the board in January")
    form.get_by_role("button", name="Link", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Linked to")


def test_upload_link_in_two_profiles_review_and_see_it_on_the_outcome(page: Page, site, tmp_path):
    url = site["url"]
    sign_in(page, url, *DEMO_LOGIN)
    item_url = upload_policy(page, url, tmp_path)
    sha = page.locator("code.sha").first
    expect(sha).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    link(page, site["profile_name"], "GV.PO-01, GV.PO-02")
    link(page, "Plant 2 OT network", "GV.PO-01")
    rows = page.locator(".links-table tbody tr")
    expect(rows).to_have_count(3)
    first = rows.filter(has_text="Plant 2 OT network")
    first.get_by_role("button", name="Accept").click()
    expect(page.locator(".flash")).to_contain_text("The review of GV.PO-01 is saved.")
    expect(page.locator(".links-table .review-accepted")).to_have_count(1)

    # The download is the file as uploaded, as an attachment.
    with page.expect_download() as caught:
        page.locator(".versions-table a[download]").first.click()
    assert caught.value.suggested_filename == "access-control-policy.pdf"
    assert Path(caught.value.path()).read_bytes() == PDF

    # On the questionnaire of the second profile, the outcome shows the accepted item.
    page.goto(f"{url}/orgs/{ORG}/profiles/{site['plant']}/assess/?outcome=GV.PO-01")
    panel = page.locator(".outcome-evidence")
    expect(panel).to_contain_text("Access control policy")
    expect(panel.locator(".review-accepted")).to_have_count(1)
    expect(panel.locator(".ev-state")).to_have_text("Supported")
    page.goto(item_url)


def test_an_expired_attestation_is_flagged(page: Page, site):
    url = site["url"]
    sign_in(page, url, *DEMO_LOGIN)
    page.goto(f"{url}/orgs/{ORG}/evidence/new/?form=attestation")
    form = page.locator("form", has=page.get_by_role("button", name="Add the attestation"))
    form.get_by_label("Written attestation", exact=True).fill("Backups were restored in a drill.")
    form.get_by_label("Title").fill("Restore drill 2025")
    form.get_by_label("Valid until").fill((date.today() - timedelta(days=3)).isoformat())
    form.get_by_role("button", name="Add the attestation").click()
    expect(page.locator(".notice-warn")).to_contain_text("this item no longer supports any rating")
    page.goto(f"{url}/orgs/{ORG}/evidence/")
    row = page.locator(".evidence-table tbody tr", has_text="Restore drill 2025")
    expect(row.locator(".fresh-expired")).to_have_text("Expired")
    page.goto(f"{url}/orgs/{ORG}/evidence/due/")
    expired = page.locator("section", has=page.locator("#expired-h"))
    expect(expired).to_contain_text("Restore drill 2025")


def test_a_contributor_answers_a_request_and_the_owner_accepts(page: Page, site, tmp_path):
    url = site["url"]
    sign_in(page, url, "contributor@evidence.test", PASSWORD)
    page.goto(f"{url}/orgs/{ORG}/")
    page.get_by_role("link", name="1 evidence request waits for your answer").click()
    page.locator(".evidence-table a").first.click()
    expect(page.locator("h1")).to_have_text(f"Request {site['request']}")
    statement = tmp_path / "mission.pdf"
    statement.write_bytes(PDF.replace(b"Catalog", b"Catalog /Lang (en)"))
    form = page.locator("form", has=page.get_by_role("button", name="Submit the answer"))
    form.locator("input[type=file]").set_input_files(str(statement))
    form.get_by_label("Title of the uploaded file").fill("Mission statement 2026")
    form.get_by_label("Message to the assessor").fill("Approved by the board")
    form.get_by_role("button", name="Submit the answer").click()
    expect(page.locator(".flash")).to_contain_text("Your answer is sent to the assessor.")
    expect(page.locator(".page-head .tag")).to_have_text("Submitted")
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)  # not theirs to decide

    page.context.clear_cookies()
    sign_in(page, url, *DEMO_LOGIN)
    page.goto(f"{url}/orgs/{ORG}/evidence/requests/{site['request']}/")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".page-head .tag")).to_have_text("Accepted")
    page.get_by_role("link", name="Mission statement 2026").click()
    expect(page.locator(".links-table .review-accepted")).to_have_count(1)


def test_a_scan_import_shows_its_contradiction_on_the_dashboard(page: Page, site):
    """The owner imports Trivy's results into the company profile; the failing critical
    findings on PR.PS-02, which the seed rates fully implemented, are flagged on the import's
    page and counted on the dashboard's evidence panel, which lists them."""
    url = site["url"]
    sign_in(page, url, *DEMO_LOGIN)
    page.goto(f"{url}/orgs/{ORG}/evidence/scans/")
    form = page.locator("form", has=page.get_by_role("button", name="Import", exact=True))
    trivy = Path(__file__).parents[1] / "data" / "scanners" / "trivy-image.json"
    form.locator("input[type=file]").set_input_files(str(trivy))
    form.get_by_label("Link the findings' outcomes in").select_option(label=site["profile_name"])
    form.get_by_role("button", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/orgs/{ORG}/evidence/scans/\d+/$"))
    expect(page.locator(".flash")).to_contain_text("Imported 7 findings, 7 mapped to outcomes.")
    notice = page.locator(".notice", has_text="Contradicted outcomes")
    expect(notice).to_contain_text("PR.PS-02")
    page.goto(f"{url}/orgs/{ORG}/profiles/{site['profile']}/dashboard/")
    contradicted = page.locator(".evidence-panel .evidence-stats li", has_text="Contradicted")
    # The demo's own cloud scan contradicts PR.DS-02 and PR.DS-10; Trivy adds PR.PS-02.
    expect(contradicted.locator("strong")).to_have_text("3")
    contradicted.get_by_role("link").click()
    expect(page.get_by_role("link", name="PR.PS-02", exact=True)).to_be_visible()
