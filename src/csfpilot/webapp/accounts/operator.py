"""Accounts, organizations, members and API tokens, as the instance's operator.

``csfpilot accounts / org / tokens`` run on the machine that holds the
database (see :mod:`csfpilot.webapp.profiles.operator` for why the command line
acts as the operator, without signing in). They call the same use cases as the
web pages and the API, so every change is checked and audited as there; the
audit trail names the command line as the actor. A script can therefore make
an account, an organization and a token without a browser session.

Answers are JSON-ready dicts shaped like the API's answers.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.webapp.accounts import services as accounts
from csfpilot.webapp.accounts.models import ApiToken
from csfpilot.webapp.audit.services import CLI
from csfpilot.webapp.organizations import queries as org_queries
from csfpilot.webapp.organizations import services as orgs
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.profiles.operator import operator_access


def _account(email: str) -> Any:
    user = (
        get_user_model()
        .objects.filter(email__iexact=(email or "").strip(), is_active=True)
        .order_by("id")
        .first()
    )
    if user is None:
        raise NotFound(
            f"no active account uses {email!r} (create it with csfpilot accounts create)"
        )
    return user


def create_account(email: str, password: str, name: str = "") -> dict[str, Any]:
    user = accounts.create_account(email, password, name, who=CLI)
    return {"id": user.pk, "email": user.email, "name": user.get_full_name()}


def create_organization(name: str, owner: str, slug: str | None = None) -> dict[str, Any]:
    """A new organization with the account ``owner`` (an e-mail) as its first owner."""
    org = orgs.create_organization(_account(owner), name, slug, who=CLI)
    return {"slug": org.slug, "name": org.name, "created": org.created.isoformat(), "owner": owner}


def _member(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "email": m.user.email,
        "name": m.user.get_full_name(),
        "role": m.role,
        "since": m.created.isoformat(),
    }


def members(org_slug: str) -> list[dict[str, Any]]:
    """The organization's members, owners first (as ``GET .../members`` answers)."""
    access = operator_access(org_slug)
    return [_member(m) for m in org_queries.members(access.organization)]


def add_member(org_slug: str, email: str, role: str) -> dict[str, Any]:
    """Give an existing account a role in the organization (the member is told by e-mail)."""
    access = operator_access(org_slug)
    membership = orgs.add_member(access, email, role)
    return _member(membership)


def _token(token: ApiToken) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "user": token.user.email,
        "organization": token.organization.slug,
        "role": token.role,
        "created": iso(token.created),
        "expires": iso(token.expires),
        "last_used": iso(token.last_used),
        "revoked": iso(token.revoked),
        "state": token.state(),
    }


def create_token(email: str, org_slug: str, role: str, name: str, days: int) -> dict[str, Any]:
    """Issue a token for the account ``email`` in one of its organizations; with the secret.

    The role may grant nothing the person's own role lacks, exactly as when they
    make the token themselves.
    """
    user = _account(email)
    operator_access(org_slug)  # an unknown organization is named as such, not as "not a member"
    if not Membership.objects.filter(user=user, organization__slug=org_slug.strip()).exists():
        raise InputRefused(f"{email} is not a member of {org_slug}", field="user")
    token, secret = accounts.issue_token(user, org_slug.strip(), role, name, days, who=CLI)
    return {**_token(token), "token": secret}


def tokens(org_slug: str | None = None, email: str | None = None) -> list[dict[str, Any]]:
    """Every token (or one organization's, or one person's), newest first; never a secret."""
    rows: QuerySet[ApiToken] = ApiToken.objects.select_related("user", "organization")
    if org_slug is not None:
        rows = rows.filter(organization=operator_access(org_slug).organization)
    if email is not None:
        rows = rows.filter(user=_account(email))
    return [_token(t) for t in rows.order_by("-created", "-id")]


def revoke_token(token_id: int) -> dict[str, Any]:
    """Revoke anyone's token (revoking a revoked one changes nothing and records nothing)."""
    try:
        token = accounts.revoke_token(None, token_id, who=CLI)
    except ApiToken.DoesNotExist:
        raise NotFound(f"no API token {token_id}") from None
    return _token(token)
