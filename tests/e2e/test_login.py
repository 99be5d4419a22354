"""Signing in with the demo account in headless Chromium against the real server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from tests.e2e.conftest import running_server

# Signing in opens the dashboard of the demo profile (the profile changed last).
SIGNED_IN = re.compile(rf"/orgs/{DEMO_ORGANIZATION[1]}/profiles/\d+/dashboard/$")


def test_demo_account_signs_in_and_out(page, server_url):
    email, password = DEMO_LOGIN
    name, slug = DEMO_ORGANIZATION

    # An organization page sends an anonymous visitor to the sign-in page and back.
    page.goto(f"{server_url}/orgs/{slug}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/orgs/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()

    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server_url}/orgs/{slug}/")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("You: Owner")).to_be_visible()

    page.goto(f"{server_url}/orgs/")
    expect(page.get_by_role("link", name=name)).to_be_visible()

    # The header's menu names the organization one works in, and signs out (a POST).
    menu = page.locator(".user-menu")
    expect(menu.locator("summary")).to_contain_text(name)
    menu.locator("summary").click()
    expect(menu.get_by_text(f"Signed in as {email}")).to_be_visible()
    menu.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(f"{server_url}/orgs/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


@pytest.fixture(scope="module")
def localhost_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own, reached as http://localhost: a WebAuthn relying party must be a
    host name (never an IP address), and plain HTTP is allowed only for this local trial."""
    with running_server(
        tmp_path_factory.mktemp("webauthn-server"),
        host="localhost",
        extra_env={"CSFPILOT_WEBAUTHN_ALLOW_HTTP": "1"},
    ) as url:
        yield url


def _sign_in(page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email").fill(DEMO_LOGIN[0])
    page.get_by_label("Password").fill(DEMO_LOGIN[1])
    page.get_by_role("button", name="Sign in").click()


def test_a_security_key_becomes_the_second_factor(page, localhost_server):
    # Chromium's virtual authenticator stands in for a USB security key.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    key = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]
    url = localhost_server
    _sign_in(page, url)
    expect(page).to_have_url(SIGNED_IN)

    # Adding a key asks for the password again first.
    page.goto(f"{url}/accounts/2fa/webauthn/add/")
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(DEMO_LOGIN[1])
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{url}/accounts/2fa/webauthn/add/")
    page.get_by_label("Name").fill("Virtual key")
    page.get_by_role("button", name="Add").click()
    # The first factor also creates recovery codes, shown next.
    expect(page).to_have_url(f"{url}/accounts/2fa/recovery-codes/")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": key})["credentials"]
    assert [c["rpId"] for c in credentials] == ["localhost"]

    page.goto(f"{url}/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    _sign_in(page, url)
    # The password alone no longer signs in.
    expect(page).to_have_url(f"{url}/accounts/2fa/authenticate/")
    page.get_by_role("button", name="Use a security key").click()
    expect(page).to_have_url(SIGNED_IN)
    expect(page.get_by_role("link", name=DEMO_ORGANIZATION[0])).to_be_visible()
    used = cdp.send("WebAuthn.getCredentials", {"authenticatorId": key})["credentials"]
    assert used[0]["signCount"] == 2
