"""Sign-in: e-mail login, logout, throttling, MFA, password reset, hashing, SSO, sign-up policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import struct
import time
import uuid

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings

from csfpilot.webapp.accounts.sso import oidc_providers
from csfpilot.webapp.config import settings as real_settings
from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION, ensure_demo
from csfpilot.webapp.organizations.models import Membership, Organization

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 9"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Sign-in throttles live in the cache, which outlives a test's rolled-back transaction.
    cache.clear()
    yield
    cache.clear()


def make_user(email: str = "ana@example.com", password: str = PASSWORD, **extra):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=password, **extra
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 TOTP (SHA-1, 30 s, 6 digits), written here independently of allauth."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def wait_for_fresh_totp_window() -> None:
    # A code computed in the last second of its 30-second window may expire before the
    # server checks it; start the exchange at the beginning of a window instead.
    remaining = 30 - time.time() % 30
    if remaining < 2:
        time.sleep(remaining + 0.05)


# --- e-mail login and logout -------------------------------------------------------------


def test_sign_in_by_email_lands_on_the_organization_list(client):
    user = make_user()
    response = sign_in(client, "ANA@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/orgs/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    make_user()
    response = sign_in(client, "ana@example.com", "wrong password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )


def test_the_username_is_not_a_login(client):
    make_user()
    sign_in(client, "ana")
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client):
    make_user()
    sign_in(client, "ana@example.com")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/orgs/").status_code == 302


def test_login_page_is_drawn_in_the_site_layout(client):
    html = client.get(LOGIN).content.decode()
    assert 'class="site-header"' in html
    assert 'class="stack-form"' in html
    assert "accounts/accounts.css" in html
    assert 'name="login"' in html and 'name="password"' in html


def test_the_header_menu_signs_in_and_out(client):
    html = client.get("/").content.decode()
    assert '<a class="user-signin" href="/accounts/login/">Sign in</a>' in html
    make_user()
    sign_in(client, "ana@example.com")
    html = client.get("/").content.decode()
    assert "Signed in as <strong>ana@example.com</strong>" in html
    assert '<form method="post" action="/accounts/logout/">' in html
    assert 'href="/accounts/tokens/"' in html
    assert "user-signin" not in html


# --- throttling -----------------------------------------------------------------------------


def test_five_failed_sign_ins_lock_the_address_even_for_the_right_password(client):
    make_user()
    make_user("ben@example.com")
    for _ in range(5):
        assert sign_in(client, "ana@example.com", "wrong password").status_code == 200
    response = sign_in(client, "ana@example.com")
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    # The lock is per address: another person signs in from the same place.
    sign_in(client, "ben@example.com")
    assert client.session["_auth_user_id"]


def test_throttles_are_kept_in_redis_when_it_is_configured(client):
    # A prefix of its own: parallel runs share the Redis server, so nothing is flushed.
    prefix = f"csfpilot-test-{uuid.uuid4().hex}"
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        }
    }
    make_user()
    with override_settings(CACHES=redis_cache):
        from django.core.cache import caches

        redis = caches["default"]._cache.get_client()
        try:
            for _ in range(5):
                sign_in(client, "ana@example.com", "wrong password")
            refused = sign_in(client, "ana@example.com").content.decode()
            assert "Too many failed login attempts" in refused
            assert redis.keys(f"{prefix}:*")
        finally:
            for key in redis.keys(f"{prefix}:*"):
                redis.delete(key)


# --- MFA ------------------------------------------------------------------------------------


def reauthenticate(client) -> None:
    # Adding a second factor is a sensitive change: allauth asks for the password again.
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302


def enrol_totp(client) -> str:
    reauthenticate(client)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = response.context["form"].secret
    assert secret in response.content.decode()  # shown for manual entry next to the QR code
    wait_for_fresh_totp_window()
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def test_totp_enrolment_then_sign_in_needs_a_code(client):
    user = make_user()
    sign_in(client, "ana@example.com")
    # Adding a second factor asks for the password again, even right after signing in.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    # A wrong code does not enrol.
    reauthenticate(client)
    client.get("/accounts/2fa/totp/activate/")
    assert client.post("/accounts/2fa/totp/activate/", {"code": "000000"}).status_code == 200
    assert not Authenticator.objects.filter(user=user, type="totp").exists()

    secret = enrol_totp(client)
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {"totp", "recovery_codes"}

    client.post("/accounts/logout/")
    response = sign_in(client, "ana@example.com")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    assert client.post("/accounts/2fa/authenticate/", {"code": "123456"}).status_code == 200
    assert "_auth_user_id" not in client.session

    wait_for_fresh_totp_window()
    response = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_recovery_code_signs_in_once(client):
    user = make_user()
    sign_in(client, "ana@example.com")
    enrol_totp(client)
    codes = RecoveryCodes(
        Authenticator.objects.get(user=user, type="recovery_codes")
    ).get_unused_codes()
    assert len(codes) == 10
    for attempt in range(2):
        client.post("/accounts/logout/")
        sign_in(client, "ana@example.com")
        client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
        signed_in = "_auth_user_id" in client.session
        assert signed_in is (attempt == 0)


def test_security_keys_are_offered_as_a_second_factor(client):
    make_user()
    sign_in(client, "ana@example.com")
    html = client.get("/accounts/2fa/").content.decode()
    assert "/accounts/2fa/webauthn/add/" in html
    assert "/accounts/2fa/totp/activate/" in html


# --- password reset -------------------------------------------------------------------------


def test_password_reset_by_email(client):
    make_user()
    response = client.post("/accounts/password/reset/", {"email": "ana@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject.startswith("[csfpilot] ")
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body)
    assert link, message.body

    page = client.get(link.group(1), follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    new_password = "a brand new passphrase 42"
    done = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302

    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    sign_in(client, "ana@example.com", new_password)
    assert "_auth_user_id" in client.session


def test_password_reset_does_not_tell_whether_an_account_exists(client):
    make_user()
    known = client.post("/accounts/password/reset/", {"email": "ana@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_weak_passwords_are_refused_on_reset(client):
    make_user()
    client.post("/accounts/password/reset/", {"email": "ana@example.com"})
    path = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    page = client.get(path, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    response = client.post(form_url, {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too short. It must contain at least 12 characters." in html


# --- hashing --------------------------------------------------------------------------------


def test_argon2id_is_the_password_hasher():
    assert real_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=real_settings.PASSWORD_HASHERS):
        user = make_user()
        assert identify_hasher(user.password).algorithm == "argon2"
        assert user.password.startswith("argon2$argon2id$")
        assert user.check_password(PASSWORD)


def test_an_older_hash_is_upgraded_to_argon2_at_sign_in(client):
    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
    ):
        user = make_user()
    assert user.password.startswith("pbkdf2_sha256$")
    with override_settings(PASSWORD_HASHERS=real_settings.PASSWORD_HASHERS):
        sign_in(client, "ana@example.com")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


# --- single sign-on -------------------------------------------------------------------------

OIDC_ENV = {
    "CSFPILOT_OIDC_SERVER_URL": "https://login.example.com/realms/acme",
    "CSFPILOT_OIDC_CLIENT_ID": "csfpilot",
    "CSFPILOT_OIDC_CLIENT_SECRET": "s3cret",
    "CSFPILOT_OIDC_NAME": "Acme SSO",
    "CSFPILOT_OIDC_PROVIDER_ID": "acme",
}


def test_no_sso_provider_by_default(client):
    assert real_settings.SOCIALACCOUNT_PROVIDERS == {}
    assert "sso-providers" not in client.get(LOGIN).content.decode()


def test_oidc_provider_from_the_environment_appears_on_the_sign_in_page(client):
    providers = oidc_providers(OIDC_ENV)
    assert providers["openid_connect"]["APPS"] == [
        {
            "provider_id": "acme",
            "name": "Acme SSO",
            "client_id": "csfpilot",
            "secret": "s3cret",
            "settings": {"server_url": "https://login.example.com/realms/acme"},
        }
    ]
    assert providers["openid_connect"]["OAUTH_PKCE_ENABLED"] is True
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        html = client.get(LOGIN).content.decode()
    assert 'href="/accounts/oidc/acme/login/?process=login"' in html
    assert ">Acme SSO</a>" in html


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CSFPILOT_OIDC_SERVER_URL": "http://login.example.com"}, "must be an https:// URL"),
        ({"CSFPILOT_OIDC_SERVER_URL": "https://login.example.com"}, "CLIENT_ID is missing"),
        (
            {**OIDC_ENV, "CSFPILOT_OIDC_PROVIDER_ID": "Acme SSO"},
            "PROVIDER_ID must be lower-case",
        ),
    ],
)
def test_a_wrong_oidc_configuration_stops_the_start(env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        oidc_providers(env)


# --- sign-up policy -------------------------------------------------------------------------


def signup(client, email: str):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


@override_settings(CSFPILOT_SIGNUP="first")
def test_first_account_may_sign_up_then_sign_up_closes(client):
    ensure_demo()  # the demo account does not count
    html = client.get(LOGIN).content.decode()
    assert 'href="/accounts/signup/"' in html
    response = signup(client, "first@example.com")
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="first@example.com").exists()
    client.post("/accounts/logout/")

    assert 'href="/accounts/signup/"' not in client.get(LOGIN).content.decode()
    assert "Sign Up Closed" in signup(client, "second@example.com").content.decode()
    assert not get_user_model().objects.filter(email="second@example.com").exists()


@override_settings(CSFPILOT_SIGNUP="closed")
def test_closed_sign_up(client):
    assert "Sign Up Closed" in client.get("/accounts/signup/").content.decode()
    signup(client, "x@example.com")
    assert not get_user_model().objects.exists()


@override_settings(CSFPILOT_SIGNUP="open")
def test_open_sign_up_refuses_weak_passwords_and_taken_addresses(client):
    make_user()
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "password", "password2": "password"},
    )
    assert "This password is too common." in response.content.decode()
    assert signup(client, "new@example.com").status_code == 302
    client.post("/accounts/logout/")
    signup(client, "ANA@example.com")
    assert get_user_model().objects.filter(email__iexact="ana@example.com").count() == 1


# --- demo account and the account command ---------------------------------------------------


def test_demo_is_created_once():
    first = ensure_demo()
    again = ensure_demo()
    assert first == again
    assert (first.name, first.slug) == DEMO_ORGANIZATION
    user = get_user_model().objects.get(email=DEMO_LOGIN[0])
    assert user.check_password(DEMO_LOGIN[1])
    assert list(Membership.objects.values_list("user__email", "organization__slug", "role")) == [
        (DEMO_LOGIN[0], DEMO_ORGANIZATION[1], "owner")
    ]
    assert EmailAddress.objects.get(user=user).verified


def test_demo_is_not_created_on_an_instance_with_real_accounts():
    make_user()
    assert ensure_demo() is None
    assert not get_user_model().objects.filter(email=DEMO_LOGIN[0]).exists()
    assert not Organization.objects.exists()


def test_demo_login_signs_in(client):
    ensure_demo()
    sign_in(client, *DEMO_LOGIN)
    assert client.session["_auth_user_id"]
    assert "Example Manufacturing Co." in client.get("/orgs/").content.decode()


def test_createaccount_command(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    out = io.StringIO()
    call_command(
        "createaccount", "lee@example.com", "--name", "Lee Chen", "--password-stdin", stdout=out
    )
    assert out.getvalue().strip() == "Created the account lee@example.com."
    user = get_user_model().objects.get(email="lee@example.com")
    assert (user.first_name, user.last_name) == ("Lee", "Chen")
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="Password refused: This password is too short"):
        call_command("createaccount", "kim@example.com", "--password-stdin")
    with pytest.raises(CommandError, match="exists already"):
        call_command("createaccount", "LEE@example.com", "--password-stdin")
    assert not get_user_model().objects.filter(email="kim@example.com").exists()
