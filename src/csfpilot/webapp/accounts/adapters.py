"""Site policy hooks for django-allauth: who may create an account.

Sign-up follows ``CSFPILOT_ALLOW_SIGNUP`` (the ``CSFPILOT_SIGNUP`` setting):

- ``first`` (default): open only while nobody but the demo account has one, so a
  fresh install lets its administrator in, then closes;
- ``open``: anyone who can reach the site may create an account (they see
  nothing until an owner adds them to an organization);
- ``closed``: accounts come from ``csfpilot manage createaccount`` or single sign-on.

Single sign-on creates accounts on first sign-in unless ``CSFPILOT_OIDC_ALLOW_SIGNUP=0``:
the identity provider already decides who belongs.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from csfpilot.webapp.demo import DEMO_LOGIN


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
