"""``/api/tokens``: your personal API tokens (session only: a token cannot mint tokens)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.accounts import queries, services
from csfpilot.webapp.accounts.api_auth import api_auth, require_session
from csfpilot.webapp.accounts.models import ApiToken
from csfpilot.webapp.accounts.schemas import TokenCreated, TokenIn, TokenOut
from csfpilot.webapp.accounts.token_policy import second_factor_missing
from csfpilot.webapp.organizations.permissions import SESSION, needs

router = Router(tags=["tokens"], auth=api_auth)


def _out(token: ApiToken) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "organization": token.organization.slug,
        "role": token.role,
        "created": token.created,
        "expires": token.expires,
        "last_used": token.last_used,
        "revoked": token.revoked,
        "state": token.state(),
    }


@router.get(
    "/tokens", response=list[TokenOut], summary="Your API tokens", openapi_extra=needs(SESSION)
)
def list_tokens(request: HttpRequest) -> list[dict]:
    user = require_session(request)
    return [_out(t) for t in queries.tokens_of(user)]


@router.post(
    "/tokens",
    response={201: TokenCreated},
    summary="Create an API token",
    openapi_extra=needs(SESSION),
)
def create_token(
    request: HttpRequest, payload: TokenIn, response: HttpResponse
) -> tuple[int, dict]:
    user = require_session(request)
    # The answer holds the secret: no cache may keep a copy.
    response["Cache-Control"] = "no-store"
    refusal = second_factor_missing(request)
    if refusal:
        raise HttpError(403, refusal)
    try:
        token, secret = services.issue_token(
            user, payload.organization, payload.role, payload.name, payload.days
        )
    except InputRefused as exc:
        raise HttpError(400, str(exc)) from exc
    except services.TokenScopeRefused as exc:
        raise HttpError(403, str(exc)) from exc
    return 201, {**_out(token), "token": secret}


@router.post(
    "/tokens/{token_id}/revoke",
    response=TokenOut,
    summary="Revoke an API token",
    openapi_extra=needs(SESSION),
)
def revoke_token(request: HttpRequest, token_id: int) -> dict:
    user = require_session(request)
    try:
        token = services.revoke_token(user, token_id)
    except ApiToken.DoesNotExist as exc:
        raise HttpError(404, "No such token.") from exc
    return _out(token)
