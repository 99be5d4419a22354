"""Site policy hooks for django-allauth: who may create an account.

Sign-up follows ``CSFPILOT_ALLOW_SIGNUP`` (the ``CSFPILOT_SIGNUP`` setting):

- ``first`` (default): open only while nobody but the demo account has one, so a
  fresh install lets its administrator in, then closes;
- ``open``: anyone who can reach the site may create an account (they see
  nothing until an owner adds them to an organization);
- ``closed``: accounts come from ``csfpilot manage createaccount`` or single sign-on.

Single sign-on creates accounts on first sign-in unless ``CSFPILOT_OIDC_ALLOW_SIGNUP=0``:
the identity provider already decides who belongs.

Failed sign-ins are throttled per client and per account (docs/accounts.md):

- per client address (the real one behind trusted proxies, see ``client_address.py``):
  ``ACCOUNT_RATE_LIMITS["login_failed"]``'s per-IP rate, 10 a minute over every account;
- per client *and* account: its per-key rate, 5 in 5 minutes, so one client guessing one
  account's password is stopped without touching anyone else;
- per account from every client: :data:`ACCOUNT_FAILURES`, 20 in 5 minutes, looser than
  the per-client rate so that one client can never reach it (its own limit stops it at 5):
  locking an account out for everyone takes at least four addresses, while a guess spread
  over many addresses still gets no more than 20 tries in 5 minutes.

A failure refused by a tighter limit is not counted against the looser ones, so the
attacker's refused attempts do not add up toward the account's limit.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from csfpilot.webapp.accounts.client_address import request_client_address
from csfpilot.webapp.demo import DEMO_LOGIN

APP = "allauth.account"
ACCOUNT_FAILURES = {"login_failed_account": "20/300s/key"}
"""Failed sign-ins into one account from all clients together (see the module's docstring)."""


def signup_open() -> bool:
    policy = getattr(settings, "CSFPILOT_SIGNUP", "first")
    if policy == "open":
        return True
    if policy == "closed":
        return False
    return not get_user_model().objects.exclude(email__iexact=DEMO_LOGIN[0]).exists()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return signup_open()

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Only when the sign-in names no page to return to (allauth honours ?next= first).
        from csfpilot.webapp.profiles.landing import landing_url

        return landing_url(request.user)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's address through the trusted proxies: what the throttles count."""
        address = request_client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address")
        return address

    def _client_account_key(self, request: HttpRequest, **credentials: Any) -> str:
        account = self._get_login_attempts_cache_key(request, **credentials)
        return f"{self.get_client_ip(request)}|{account}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        account = self._get_login_attempts_cache_key(request, **credentials)
        # Per client, then per client and account: both keyed on the client, so refusing
        # here touches nobody else. Only then the account's limit over every client.
        per_client = ratelimit.consume(
            request,
            app=APP,
            action="login_failed",
            key=self._client_account_key(request, **credentials),
        )
        per_account = (
            ratelimit.consume(
                request,
                app=APP,
                action="login_failed_account",
                config=ACCOUNT_FAILURES,
                key=account,
            )
            if per_client
            else None
        )
        if per_client and not per_account:
            per_client.rollback()  # refused: it was no try at the password
        # A successful sign-in takes back what this attempt counted (allauth calls it).
        self._login_failed_rl_usage = (
            ratelimit.RateLimitUsage(usage=[*per_client.usage, *per_account.usage])
            if per_client and per_account
            else None
        )
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        # After a password reset by e-mail, the account's counts start again: the resetting
        # client's and the one over every client (allauth's own key is not used here).
        ratelimit.clear(
            request,
            app=APP,
            action="login_failed",
            key=self._client_account_key(request, **credentials),
        )
        ratelimit.clear(
            request,
            app=APP,
            action="login_failed_account",
            config=ACCOUNT_FAILURES,
            key=self._get_login_attempts_cache_key(request, **credentials),
        )

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # The one account "first" lets in is the instance's administrator: it may create
        # organizations under CSFPILOT_ORG_CREATORS=operator, where nobody else could yet.
        administrator = getattr(settings, "CSFPILOT_SIGNUP", "first") == "first" and signup_open()
        user = super().save_user(request, user, form, commit=commit)
        if administrator and commit:
            from csfpilot.webapp.organizations import creators

            creators.allow(user)
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return bool(getattr(settings, "CSFPILOT_SSO_SIGNUP", True))
