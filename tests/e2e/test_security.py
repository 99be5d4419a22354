"""Security in headless Chromium against the real ``csfpilot serve``: the Content-Security-
Policy holds on every main page with zero violations, blocks an injected inline script, and
stored script comes out as text; a cross-origin form post is refused; sign-in with a TOTP
second factor; a contributor edits only the outcomes assigned to them; a viewer sees no edit
controls and the API answers 403 when they try anyway; an owner's invitation sent from the
members page is accepted by the invitee through the e-mailed link.

The server has a data folder of its own, so that people in other roles can be added to the
demo organization by a separate process writing to the same SQLite database.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from tests.e2e.conftest import running_server
from tests.prepared_data import prepare

ORG = DEMO_ORGANIZATION[1]
# Members of the demo organization land on the dashboard of its profile changed last.
SIGNED_IN = re.compile(rf"/orgs/{ORG}/profiles/\d+/dashboard/$")
PASSWORD = "a long and fine passphrase 7"
SECRET_KEY = "e2e-only-not-a-secret"

# Added to the demo organization by SEED; the contributor is assigned GV.OC-01 only.
SEED = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from allauth.account.models import EmailAddress
from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import services
from csfpilot.webapp.profiles.models import Profile

org = Organization.objects.get(slug=DEMO_ORGANIZATION[1])
users = {}
for role in ("contributor", "viewer", "owner"):
    email = f"{role}@security.test"
    user = get_user_model().objects.create_user(
        username=f"{role}-security", email=email, password=%(password)r)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    Membership.objects.create(user=user, organization=org, role=role)
    users[role] = user
# An account in no organization yet, to be invited.
newcomer = get_user_model().objects.create_user(
    username="newcomer-security", email="newcomer@security.test", password=%(password)r)
EmailAddress.objects.create(user=newcomer, email=newcomer.email, primary=True, verified=True)
owner = get_user_model().objects.get(email=DEMO_LOGIN[0])
access = require(owner, org.slug, Permission.EDIT_PROFILES)
profile = Profile.objects.filter(organization=org, name__startswith="Whole company").get()
services.assign_outcomes(access, profile.pk, ["GV.OC-01"], users["contributor"].pk)
print(json.dumps({"profile": profile.pk}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    data_dir = tmp_path_factory.mktemp("security-server")
    with running_server(data_dir) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="csfpilot.webapp.config.settings",
            CSFPILOT_DATA_DIR=str(data_dir),
            CSFPILOT_SECRET_KEY=SECRET_KEY,
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
        yield {"url": url, "profile": info["profile"], "log": data_dir / "server.log"}


# Installed before any page script runs (DevTools injection, which CSP does not govern).
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push({directive: e.effectiveDirective, blocked: e.blockedURI,
                     sample: e.sample, source: e.sourceFile});
});
"""


@contextlib.contextmanager
def watched(page: Page) -> Iterator[list[str]]:
    """Collect CSP violations, console errors and uncaught exceptions of every page loaded."""
    problems: list[str] = []
    page.add_init_script(WATCH_CSP)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"exception: {e}"))
    yield problems


def violations(page: Page) -> list[dict]:
    return page.evaluate("window.__csp")


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Sign in").click()


# --- the policy, page by page -----------------------------------------------------------------


def main_pages(url: str, profile: int) -> list[str]:
    p = f"/orgs/{ORG}/profiles/{profile}"
    return [
        "/",
        "/frameworks/",
        "/frameworks/csf-2.0/",
        "/frameworks/csf-2.0/GV.OC-01",
        "/crosswalks/",
        "/search?q=incident",
        f"/orgs/{ORG}/",
        f"/orgs/{ORG}/members/",
        f"/orgs/{ORG}/settings/",
        f"/orgs/{ORG}/profiles/",
        f"{p}/",
        f"{p}/dashboard/",
        f"{p}/assess/",
        f"{p}/outcomes/GV.OC-01/",
        f"{p}/tiers/",
        f"{p}/plan/",
        f"{p}/history/",
        f"{p}/settings/",
        f"{p}/reports/",
        f"/orgs/{ORG}/profiles/new/",
        f"/orgs/{ORG}/audit/",
        f"/orgs/{ORG}/jobs/",
        f"/orgs/{ORG}/benchmark/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/tokens/",
        "/api/docs",
    ]


def test_every_main_page_runs_under_the_policy_without_a_violation(page: Page, site):
    url = site["url"]
    with watched(page) as problems:
        sign_in(page, url, *DEMO_LOGIN)
        expect(page).to_have_url(re.compile(r"/orgs/"))
        seen = {}
        pages = main_pages(url, site["profile"])
        for path in pages:
            response = page.goto(url + path)
            assert response is not None and response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            seen[path] = violations(page)
        # The scripts really ran under the policy: HTMX is loaded, Swagger UI drew the API.
        page.goto(f"{url}/frameworks/")
        assert page.evaluate("typeof window.htmx") == "object"
        page.goto(f"{url}/api/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("csfpilot API")
        seen["/api/docs (drawn)"] = violations(page)
    assert {path: v for path, v in seen.items() if v} == {}
    assert problems == []
    print(f"\n[figure] csp: {len(pages)} pages, 0 violations, 0 console errors")


def test_stored_script_is_text_and_an_injected_script_does_not_run(page: Page, site):
    url = site["url"]
    payload = '<script>window.__xss = 1</script><img src="x" onerror="window.__xss = 2">'
    with watched(page):
        sign_in(page, url, *DEMO_LOGIN)
        page.goto(f"{url}/orgs/{ORG}/profiles/new/")
        page.get_by_label("Name").fill(payload)
        page.get_by_role("button", name="Create the profile").click()
        expect(page).to_have_url(re.compile(r"/profiles/\d+/assess/$"))
        page.goto(f"{url}/orgs/{ORG}/profiles/")
        # Escaped: the payload is shown as the text it is, and created no element.
        expect(page.get_by_role("link", name=payload)).to_be_visible()
        assert page.evaluate("window.__xss") is None
        assert page.locator("img[src='x']").count() == 0

        # Even markup that got into the page past escaping would not run: an inline script
        # element and an inline event handler, added to the live document.
        page.evaluate(
            """() => {
              const s = document.createElement('script');
              s.textContent = 'window.__injected = 1';
              document.body.append(s);
              const d = document.createElement('div');
              d.innerHTML = '<img src="data:," onload="window.__injected = 2">';
              document.body.append(d);
            }"""
        )
        page.wait_for_function("window.__csp.length >= 2")
        assert page.evaluate("window.__injected") is None
        directives = sorted({v["directive"] for v in violations(page)})
        assert directives == ["script-src-attr", "script-src-elem"]


class _Attacker(http.server.BaseHTTPRequestHandler):
    """Another origin serving a form that posts into csfpilot (no CSRF token to send)."""

    target = ""

    def do_GET(self):
        body = (
            f'<form method="post" action="{self.target}">'
            '<input name="name" value="Planted by another site">'
            '<button type="submit">Win a prize</button></form>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_cross_origin_form_post_is_refused(page: Page, site):
    url = site["url"]
    sign_in(page, url, *DEMO_LOGIN)
    expect(page).to_have_url(re.compile(r"/orgs/"))
    _Attacker.target = f"{url}/orgs/{ORG}/profiles/new/"
    attacker = http.server.HTTPServer(("127.0.0.1", 0), _Attacker)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{attacker.server_port}/")
        with page.expect_response(_Attacker.target) as answer:
            page.get_by_role("button", name="Win a prize").click()
        assert answer.value.status == 403
        expect(page.get_by_text("CSRF verification failed")).to_be_visible()
    finally:
        attacker.shutdown()
    page.goto(f"{url}/orgs/{ORG}/profiles/")
    expect(page.get_by_text("Planted by another site")).to_have_count(0)


def current_totp(secret: str) -> str:
    # A code from the last second of its window may expire in transit: start a fresh one.
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(period - time.time() % period + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def test_sign_in_with_a_totp_second_factor(page: Page, site):
    url = site["url"]
    email = "owner@security.test"
    sign_in(page, url, email, PASSWORD)
    expect(page).to_have_url(SIGNED_IN)

    page.goto(f"{url}/accounts/2fa/totp/activate/")
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{url}/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Authenticator code").fill(current_totp(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/"))

    page.context.clear_cookies()
    sign_in(page, url, email, PASSWORD)
    # The password alone no longer signs in; a wrong code is refused, the right one works.
    expect(page).to_have_url(f"{url}/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    page.get_by_label("Code").fill(current_totp(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(SIGNED_IN)
    expect(page.get_by_role("link", name=DEMO_ORGANIZATION[0])).to_be_visible()


# --- roles in the browser -------------------------------------------------------------------


def api_patch(page: Page, path: str, body: dict) -> dict:
    """A PATCH from the page itself, with the session cookie and the CSRF token, as a
    script on the page would send it."""
    return page.evaluate(
        """async ([path, body]) => {
          const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken='))
                                       .split('=')[1];
          const r = await fetch(path, {method: 'PATCH', body: JSON.stringify(body),
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}});
          return {status: r.status, body: await r.json()};
        }""",
        [path, body],
    )


def outcome_version(page: Page, profile: int, code: str) -> int:
    return page.evaluate(
        "async (p) => (await (await fetch(p)).json()).version",
        f"/api/organizations/{ORG}/profiles/{profile}/outcomes/{code}",
    )


def test_a_contributor_edits_only_the_outcomes_assigned_to_them(page: Page, site):
    url, profile = site["url"], site["profile"]
    sign_in(page, url, "contributor@security.test", PASSWORD)
    expect(page).to_have_url(SIGNED_IN)
    assess = f"{url}/orgs/{ORG}/profiles/{profile}/assess/"

    page.goto(assess + "?outcome=GV.OC-02")
    card = page.locator("[data-outcome='GV.OC-02']")
    expect(card.get_by_text("this one is not assigned to you")).to_be_visible()
    expect(card.get_by_role("button", name="Save")).to_have_count(0)
    expect(card.locator("input[name='current']").first).to_be_disabled()

    page.goto(assess + "?outcome=GV.OC-01")
    card = page.locator("[data-outcome='GV.OC-01']")
    expect(card.locator("input[name='current']").first).to_be_enabled()
    # The demo has it "largely" implemented; the contributor raises it.
    expect(card.locator("input[name='current'][value='largely']")).to_be_checked()
    card.locator("input[name='current'][value='fully']").check()
    expect(page.locator("#status-GV-OC-01")).to_contain_text("Saved at")

    api = f"/api/organizations/{ORG}/profiles/{profile}/outcomes"
    mine = api_patch(
        page,
        f"{api}/GV.OC-01",
        {"version": outcome_version(page, profile, "GV.OC-01"), "notes": "checked"},
    )
    assert mine["status"] == 200 and mine["body"]["current"] == "fully"
    other = api_patch(
        page,
        f"{api}/GV.OC-02",
        {"version": outcome_version(page, profile, "GV.OC-02"), "current": "fully"},
    )
    assert other["status"] == 403


def test_a_viewer_sees_no_edit_controls_and_the_api_refuses_them(page: Page, site):
    url, profile = site["url"], site["profile"]
    sign_in(page, url, "viewer@security.test", PASSWORD)
    expect(page).to_have_url(SIGNED_IN)
    base = f"{url}/orgs/{ORG}/profiles/{profile}"

    page.goto(f"{base}/assess/?outcome=GV.OC-01")
    card = page.locator("[data-outcome='GV.OC-01']")
    expect(card.get_by_text("Your role can read this profile but not change it.")).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    assert page.locator("form[hx-post]").count() == 0
    enabled = page.locator(
        "[data-outcome] input:enabled:not([type=hidden]), [data-outcome] textarea:enabled,"
        " [data-outcome] select:enabled"
    )
    expect(page.locator("[data-outcome] input[name='current']").first).to_be_disabled()
    assert enabled.count() == 0
    page.goto(f"{base}/")
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.goto(f"{url}/orgs/{ORG}/profiles/")
    expect(page.get_by_role("link", name="Start a profile")).to_have_count(0)

    answer = api_patch(
        page,
        f"/api/organizations/{ORG}/profiles/{profile}/outcomes/GV.OC-01",
        {"version": outcome_version(page, profile, "GV.OC-01"), "current": "fully"},
    )
    assert answer["status"] == 403
    assert answer["body"]["title"] == "Forbidden"
    response = page.goto(f"{base}/settings/")
    assert response is not None and response.status == 403


def test_an_invitation_from_the_members_page_to_accepting_it(page: Page, site):
    """The owner invites in the browser; the e-mail (printed by the console mail backend into
    the server's log) carries the link; the invitee sees nothing of the organization until
    they accept it, all under the Content-Security-Policy."""
    url = site["url"]
    with watched(page) as problems:
        sign_in(page, url, *DEMO_LOGIN)
        page.goto(f"{url}/orgs/{ORG}/members/")
        page.get_by_label("E-mail address").fill("newcomer@security.test")
        page.get_by_label("Role", exact=True).select_option("assessor")
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_text("An invitation to join as Assessor is sent")).to_be_visible()
        expect(page.locator("section", has_text="Pending invitations")).to_contain_text(
            "newcomer@security.test"
        )
        links = []
        for _ in range(50):
            links = re.findall(
                r"http://[^\s]+/invitations/[A-Za-z0-9_-]{43}/", site["log"].read_text()
            )
            if links:
                break
            page.wait_for_timeout(100)
        assert links, "no invitation e-mail in the server log"
        page.context.clear_cookies()
        sign_in(page, url, "newcomer@security.test", PASSWORD)
        # Not yet a member: the organization answers as one that does not exist.
        assert page.request.get(f"{url}/orgs/{ORG}/").status == 404
        page.goto(links[-1])
        expect(page.get_by_role("heading", name=re.compile("^Join "))).to_be_visible()
        page.get_by_role("button", name="Accept").click()
        expect(page).to_have_url(re.compile(rf"/orgs/{ORG}/$"))
        expect(page.get_by_text("You are now a member of")).to_be_visible()
        assert violations(page) == []
    assert problems == []
