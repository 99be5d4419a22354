"""The sign-in backend, with the signed-in user read through the identity cache.

Signing in is django-allauth's (by e-mail, with its throttles); only the per-request
"who is this session's user" is answered from the identity cache, which the database's
triggers invalidate when the account changes (password, active flag, e-mail...).
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend

from csfpilot.webapp.accounts import identity_cache


class CachedUserBackend(AuthenticationBackend):
    def get_user(self, user_id: Any) -> Any:
        return identity_cache.cached(
            "user", str(user_id), lambda: AuthenticationBackend.get_user(self, user_id)
        )
