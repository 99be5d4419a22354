"""Who may create an API token from the current sign-in.

A token is a credential that never asks for a second factor. So that it cannot
be used to get around one, an account with a second factor creates tokens only
from a session that proved that factor (signing in, or confirming it again at
``/accounts/2fa/reauthenticate/``). A session that began with the password alone and
added the factor later must prove it first. Tokens made before a factor was
added, or before a password change, are revoked (``signals.py``).
"""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest
from django.utils.translation import gettext as _


def second_factor_missing(request: HttpRequest) -> str | None:
    """Why this session may not create a token, or None when it may."""
    user = request.user
    if not user.is_authenticated or not is_mfa_enabled(user):
        return None
    if any(r.get("method") == "mfa" for r in get_authentication_records(request, user)):
        return None
    return _(
        "Your account has a second factor, but this sign-in has not used it. Confirm it at "
        "/accounts/2fa/reauthenticate/ (or sign in again), then create the token."
    )
