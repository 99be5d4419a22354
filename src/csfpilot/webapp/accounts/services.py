"""Use cases on accounts and API tokens: create an account; issue, revoke and check a token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.webapp.accounts import identity_cache, tokens
from csfpilot.webapp.accounts.models import ApiToken
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission, Role, role_within

DEFAULT_DAYS = 90
MAX_DAYS = 366
NAME_MAX = 100
# Writing last_used on every call would turn each API read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenScopeRefused(PermissionDenied):
    """A token was asked for with more rights than its owner has."""


class AccountExists(ConflictError):
    """An account with that e-mail address exists already."""


def create_account(email: str, password: str, name: str = "", *, who: audit.Who) -> Any:
    """Create a sign-in account (e-mail verified) for sign-up that is closed or scripted.

    The password passes the same validators as sign-up. The account belongs to no
    organization yet, so its creation is recorded in the instance's audit chain,
    naming who made it (the command line); never the password.
    """
    from allauth.account.models import EmailAddress

    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InputRefused(f"{email!r} is not an e-mail address.", field="email") from None
    users = get_user_model()
    if users.objects.filter(email__iexact=email).exists():
        raise AccountExists(f"An account with {email} exists already.")
    first, _, last = " ".join((name or "").split()).partition(" ")
    user = users(username=_username(email), email=email, first_name=first, last_name=last)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InputRefused(
            "Password refused: " + " ".join(exc.messages), field="password"
        ) from None
    try:
        with transaction.atomic():
            user.set_password(password)
            user.creation_audited = True  # recorded below with who made it, not by the signal
            user.save()
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
            audit.append(
                None,
                who,
                object_type="account",
                object_id=user.pk,
                action=audit.Action.CREATE,
                label=email,
                changes=audit.created({"email": email, "name": user.get_full_name()}),
            )
    except IntegrityError as exc:  # a concurrent sign-up took the address
        raise AccountExists(f"An account with {email} exists already.") from exc
    return user


def _username(email: str) -> str:
    """A unique internal username; people sign in with their e-mail address."""
    users = get_user_model()
    base = email.split("@", 1)[0][:120] or "user"
    name, n = base, 1
    while users.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


def issue_token(
    user: Any,
    org_slug: str,
    role: Role | str,
    name: str,
    days: int = DEFAULT_DAYS,
    *,
    who: audit.Who | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` in one of their organizations.

    Returns the stored token and the secret; the secret exists only in this
    return value and must be shown to the person once. The role must grant
    nothing the user's own role lacks (404 if they are not a member at all).
    ``who`` names another actor for the audit trail (the command line issuing
    a token for a person); by default the user issues it.
    """
    access = require(user, org_slug, Permission.VIEW)
    name = " ".join((name or "").split())
    if not name:
        raise InputRefused("Give the token a name that says where it is used.", field="name")
    if len(name) > NAME_MAX:
        raise InputRefused(f"The name is longer than {NAME_MAX} characters.", field="name")
    try:
        role = Role(role)
    except ValueError:
        raise InputRefused(
            f"Unknown role {role!r}; use one of {', '.join(Role.values)}.", field="role"
        ) from None
    if not role_within(role, access.role):
        raise TokenScopeRefused(
            f"A token cannot have the {role.label} role: it would allow more than your own "
            f"role ({access.role.label}) in {access.organization.name}."
        )
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InputRefused(f"A token lasts from 1 to {MAX_DAYS} days.", field="days")
    secret = tokens.new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            organization=access.organization,
            role=role,
            name=name,
            prefix=tokens.shown_prefix(secret),
            digest=tokens.digest(secret),
            expires=timezone.now() + timedelta(days=days),
        )
        _record_token(token, audit.Action.CREATE, who or audit.user_actor(user))
    return token, secret


def _record_token(token: ApiToken, action: str, who: audit.Who) -> None:
    """Record a token's creation or revocation: its name, prefix, role and expiry, never
    the secret or its digest."""
    values = {
        "name": token.name,
        "prefix": token.prefix,
        "role": token.role,
        "holder": token.user.email,
        "expires": token.expires,
    }
    changes = (
        audit.created(values)
        if action == audit.Action.CREATE
        else {"revoked": [None, audit.jsonable(token.revoked)]}
    )
    audit.append(
        token.organization,
        who,
        object_type="api_token",
        object_id=token.pk,
        action=action,
        label=f"{token.name} ({token.prefix}…)",
        changes=changes,
    )


def revoke_token(user: Any, token_id: int, *, who: audit.Who | None = None) -> ApiToken:
    """Revoke one of the user's own tokens (someone else's is as unknown as none).

    ``user=None`` with ``who`` given is the instance's operator, who may revoke
    anyone's token (a leaked one, or one of a person who left).
    """
    if user is None and who is None:
        raise ValueError("revoking without a user needs the actor who does it")
    with transaction.atomic():
        found = ApiToken.objects.select_for_update().select_related("user", "organization")
        token = found.get(pk=token_id) if user is None else found.get(pk=token_id, user=user)
        if token.revoked is None:
            token.revoked = timezone.now()
            token.save(update_fields=["revoked"])
            _record_token(token, audit.Action.REVOKE, who or audit.user_actor(user))
    return token


def revoke_tokens_of(user_id: int, organization_id: int | None = None) -> int:
    """Revoke a person's tokens in an organization (they left it), or in every organization
    (their password or second factor changed); the audit trail records each one as revoked
    by the system."""
    now = timezone.now()
    scope = {} if organization_id is None else {"organization_id": organization_id}
    with transaction.atomic():
        live = list(
            ApiToken.objects.select_for_update()
            .select_related("user", "organization")
            .filter(user_id=user_id, revoked__isnull=True, **scope)
        )
        ApiToken.objects.filter(pk__in=[t.pk for t in live]).update(revoked=now)
        for token in live:
            token.revoked = now
            _record_token(token, audit.Action.REVOKE, audit.SYSTEM)
    return len(live)


def authenticate(secret: str) -> ApiToken | None:
    """The live token matching ``secret``, or None (unknown, expired, revoked, user disabled)."""
    if not tokens.well_formed(secret):
        return None
    digest = tokens.digest(secret)
    # From the identity cache: a revocation, expiry change or role change of the token,
    # or a change of its user, moves the generation and the next call reads the row.
    token = identity_cache.cached(
        "token",
        digest,
        lambda: (
            ApiToken.objects.select_related("user", "organization").filter(digest=digest).first()
        ),
    )
    now = timezone.now()
    if token is None or token.state(now) != "active" or not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
        identity_cache.remember("token", digest, token)
    return token
