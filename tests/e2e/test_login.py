"""Signing in with the demo account in headless Chromium against the real server."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION


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

    # Signing out asks for confirmation with a POST form, then the pages are closed again.
    page.goto(f"{server_url}/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.goto(f"{server_url}/orgs/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
