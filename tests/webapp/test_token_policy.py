"""API tokens and the account's credentials (issue #14, item 10).

A token never asks for a second factor, so: a new password or a factor added or removed
revokes every token of the account, and an account with a second factor creates tokens
only from a sign-in that used it.
"""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.test import Client, override_settings

from csfpilot.webapp.accounts.models import ApiToken
from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.config import settings as real_settings
from csfpilot.webapp.organizations.models import Membership, Organization
from tests.webapp.test_accounts import (
    PASSWORD,
    enrol_totp,
    make_user,
    sign_in,
    totp,
    wait_for_fresh_totp_window,
)
from tests.webapp.test_accounts import _fresh_throttles as _fresh_throttles

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a different horse, battery and staple 10"


@pytest.fixture
def ana():
    user = make_user()
    org = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(user=user, organization=org, role="owner")
    return user


def _token(user) -> str:
    return issue_token(user, "acme", "viewer", "nightly export")[1]


def _works(_signed_in_client, secret: str) -> bool:
    # A client of its own: the one signed in would be let in by its session cookie.
    answer = Client().get("/api/organizations", HTTP_AUTHORIZATION=f"Bearer {secret}")
    return answer.status_code == 200


def test_changing_the_password_revokes_every_token(client, ana):
    secret = _token(ana)
    sign_in(client, "ana@example.com")
    assert _works(client, secret)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _works(client, secret)
    token = ApiToken.objects.get(user=ana)
    assert token.revoked is not None
    # The audit trail says the system revoked it.
    assert AuditEvent.objects.filter(object_type="api_token", action="revoke").exists()


def test_a_password_reset_revokes_every_token(client, ana):
    secret = _token(ana)
    client.post("/accounts/password/reset/", {"email": "ana@example.com"})
    path = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)
    page = client.get(path, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert not _works(client, secret)


def test_a_password_set_outside_the_pages_revokes_them_but_a_hash_upgrade_does_not(client):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        user = make_user()
    org = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(user=user, organization=org, role="owner")
    secret = _token(user)
    # Signing in re-hashes the older hash with Argon2id, same password: nothing is revoked.
    with override_settings(PASSWORD_HASHERS=real_settings.PASSWORD_HASHERS):
        sign_in(client, "ana@example.com")
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert _works(client, secret)
    # An administrator (or a command, or the admin site) sets a new one: all revoked.
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not _works(client, secret)


def test_adding_a_second_factor_revokes_every_token(client, ana):
    secret = _token(ana)
    sign_in(client, "ana@example.com")
    enrol_totp(client)
    assert not _works(client, secret)


def test_removing_a_second_factor_revokes_every_token(client, ana):
    sign_in(client, "ana@example.com")
    enrol_totp(client)
    secret = _token(ana)
    assert _works(client, secret)
    Authenticator.objects.filter(user=ana, type="totp").delete()
    assert not _works(client, secret)


def test_an_account_with_a_second_factor_makes_tokens_only_after_using_it(client, ana):
    sign_in(client, "ana@example.com")
    secret = enrol_totp(client)
    # This session began with the password alone: it may not mint a token.
    wanted = {"organization": "acme", "role": "viewer", "name": "export", "days": 30}
    refused = client.post("/api/tokens", wanted, content_type="application/json")
    assert refused.status_code == 403
    assert "second factor" in refused.json()["detail"]
    page = client.post("/accounts/tokens/", {**wanted})
    assert page.status_code == 400
    assert "this sign-in has not used it" in page.content.decode()
    assert not ApiToken.objects.filter(user=ana).exists()
    # Confirming the factor lets it.
    wait_for_fresh_totp_window()
    confirmed = client.post("/accounts/2fa/reauthenticate/", {"code": totp(secret)})
    assert confirmed.status_code == 302
    made = client.post("/api/tokens", wanted, content_type="application/json")
    assert made.status_code == 201
    # So does signing in with it (a recovery code: the TOTP code of this window is used up).
    client.post("/accounts/logout/")
    sign_in(client, "ana@example.com")
    recovery = Authenticator.objects.get(user=ana, type="recovery_codes")
    code = RecoveryCodes(recovery).get_unused_codes()[0]
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.post("/accounts/tokens/", wanted).status_code == 200
    assert ApiToken.objects.filter(user=ana).count() == 2


def test_an_account_without_a_second_factor_makes_tokens_as_before(client, ana):
    sign_in(client, "ana@example.com")
    wanted = {"organization": "acme", "role": "viewer", "name": "export", "days": 30}
    assert client.post("/api/tokens", wanted, content_type="application/json").status_code == 201
