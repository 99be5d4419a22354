"""How the REST API knows who is calling: a personal token or the browser session.

- **Personal API token**, only in the ``Authorization: Bearer csfp_…`` header.
  A token in a URL ends up in server logs, browser history and proxies, so a
  token in the query string is never looked at.
- **Browser session**, for the app's own pages calling the API: the session
  cookie plus Django's CSRF token on every unsafe method.

Both produce an :class:`~csfpilot.webapp.organizations.permissions.Actor` in
``request.auth``; endpoints then ask ``permissions.require(request, …)``.
Routers of every app use :data:`api_auth`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from csfpilot.webapp.accounts import services
from csfpilot.webapp.organizations.permissions import (
    Actor,
    TokenScope,
    actor_of,
    is_operator,
    require,
)
from csfpilot.webapp.organizations.roles import Permission, Role


def _slug(request: HttpRequest) -> str:
    match = request.resolver_match
    return str(match.kwargs.get("slug", "")) if match is not None else ""


class ApiTokenAuth(HttpBearer):
    def __init__(self, body_permission: Permission | None = None) -> None:
        super().__init__()
        # See upload_auth(): checked here, before the API framework parses the body.
        self.body_permission = body_permission

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        found = services.authenticate(token.strip())
        if found is None:
            return None
        # Pages and logging read request.user; the token's owner is the caller.
        request.user = found.user
        actor = Actor(found.user, TokenScope(found.pk, found.organization_id, Role(found.role)))
        if self.body_permission is not None:
            require(actor, _slug(request), self.body_permission)
        return actor


class BrowserSessionAuth(APIKeyCookie):
    """The signed-in session, with CSRF checked on unsafe methods."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self, body_permission: Permission | None = None) -> None:
        super().__init__()
        self.body_permission = body_permission

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if not key:
            # No session at all: "not signed in" (401), not a CSRF failure.
            return None
        user = getattr(request, "user", None)
        if self.body_permission is not None and user is not None and user.is_authenticated:
            # Before the CSRF check: it reads a form body to look for the token in it.
            require(Actor(user), _slug(request), self.body_permission)
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header.")
        return key

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated:
            return Actor(user)
        return None


api_auth = [ApiTokenAuth(), BrowserSessionAuth()]


def upload_auth(permission: Permission) -> list[Any]:
    """:data:`api_auth` that also checks ``permission`` in the path's organization.

    For endpoints that take a file: the API framework authenticates before it
    parses the body, so a caller without the permission gets its 403 (or 404)
    before the upload is read or written anywhere (``site/request_limits.py``).
    """
    return [ApiTokenAuth(permission), BrowserSessionAuth(permission)]


OPERATOR_ONLY = "Only the instance's operator may do this."


class OperatorTokenAuth(ApiTokenAuth):
    """An API token of the instance's operator, with the owner role.

    A token is limited to one organization and a role within it; what only the operator
    may do is instance-wide, so only the operator's token with the highest role may.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        actor = super().authenticate(request, token)
        if actor is None:
            return None
        if not is_operator(actor.user) or actor.scope is None or actor.scope.role != Role.OWNER:
            raise HttpError(403, OPERATOR_ONLY)
        return actor


class OperatorSessionAuth(BrowserSessionAuth):
    """The operator's signed-in session; anyone else's is refused before the body is read."""

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if request.COOKIES.get(self.param_name) and signed_in and not is_operator(user):
            raise HttpError(403, OPERATOR_ONLY)
        return super()._get_key(request)


# The API framework authenticates before it parses a body, so an upload from anyone else
# is refused before it is read (as with upload_auth).
operator_auth = [OperatorTokenAuth(), OperatorSessionAuth()]


def require_session(request: HttpRequest) -> Any:
    """The signed-in user, refusing API tokens (403) for account-level actions.

    Tokens are limited to one organization; creating organizations or minting
    more tokens with a token would let a leaked token outlive its expiry.
    """
    actor = actor_of(request)
    if actor.scope is not None:
        raise HttpError(403, "API tokens cannot do this; sign in to the web app (session) instead.")
    return actor.user
