"""The one permission layer: every page, API endpoint and command asks here.

A request (or a user, or an :class:`Actor` built by the API's token check) asks
``require(who, org_slug, permission)`` and gets an :class:`Access` back, or:

- :class:`OrganizationNotFound` (HTTP 404) when the organization does not
  exist, the caller is not a member, or an API token is scoped elsewhere. The
  answer is the same in all three cases so that nobody learns which
  organizations exist (OWASP ASVS V8: no enumeration of other tenants);
- :class:`PermissionMissing` (HTTP 403) when the caller is a member whose role
  lacks the permission.

An API token carries a role no higher than its owner's. The permissions in
force are those both the token's role and the owner's *current* role grant, so
demoting or removing a member takes effect on their tokens at once.

Object-level rules live here too: :func:`can_edit_outcome` says whether an
access may change one outcome, which is how contributors are limited to the
outcomes assigned to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from csfpilot.webapp.accounts import identity_cache
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.roles import Permission, Role, permissions_of


class OrganizationNotFound(Http404):
    """No such organization, as far as this caller may know."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"No organization {slug!r}.")


class PermissionMissing(PermissionDenied):
    """A member asked for something their role does not allow."""

    def __init__(self, permission: Permission, role: str) -> None:
        self.permission = permission
        self.role = role
        super().__init__(f"Your role ({role}) does not allow {permission.value}.")


@dataclass(frozen=True)
class TokenScope:
    """What an API token limits its bearer to: one organization, one role."""

    token_id: int
    organization_id: int
    role: Role


@dataclass(frozen=True)
class Actor:
    """Who is asking: a user, optionally limited by the API token they presented."""

    user: Any  # the user model, or AnonymousUser
    scope: TokenScope | None = None

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user.is_authenticated and self.user.is_active)


@dataclass(frozen=True)
class Access:
    """What one actor may do in one organization, as decided by :func:`require`."""

    organization: Organization
    membership: Membership
    permissions: frozenset[Permission]
    via_token: bool = False

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    @property
    def user(self) -> Any:
        # The operator's access (the CLI) has an unsaved membership without a user.
        return self.membership.user if self.membership.user_id is not None else None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


def actor_of(who: HttpRequest | Actor | Any) -> Actor:
    """The actor behind a request, a user, or an actor already built."""
    if isinstance(who, Actor):
        return who
    if isinstance(who, HttpRequest):
        auth = getattr(who, "auth", None)
        if isinstance(auth, Actor):
            return auth
        return Actor(getattr(who, "user", None) or AnonymousUser())
    return Actor(who if who is not None else AnonymousUser())


def find_access(who: HttpRequest | Actor | Any, org_slug: str) -> Access | None:
    """The caller's access to an organization, or None if they have none.

    The membership comes from the identity cache (accounts/identity_cache.py), or one
    indexed query; repeated asks in the same request are answered from the request.
    """
    cache = _request_cache(who)
    if cache is not None and org_slug in cache:
        return cache[org_slug]
    actor = actor_of(who)
    result: Access | None = None
    if actor.is_authenticated:
        user = actor.user
        # From the identity cache: any change of a membership, an organization or a user
        # moves the generation, so a removed member or a new role is seen at once.
        membership = identity_cache.cached(
            "membership",
            f"{user.pk}:{org_slug}",
            lambda: (
                Membership.objects.select_related("organization", "user")
                .filter(user=user, organization__slug=org_slug)
                .first()
            ),
        )
        if membership is not None:
            granted = permissions_of(membership.role)
            scope = actor.scope
            if scope is None:
                result = Access(membership.organization, membership, granted)
            elif scope.organization_id == membership.organization_id:
                result = Access(
                    membership.organization,
                    membership,
                    granted & permissions_of(scope.role),
                    via_token=True,
                )
    if cache is not None:
        cache[org_slug] = result
    return result


def require(who: HttpRequest | Actor | Any, org_slug: str, permission: Permission) -> Access:
    """The caller's access to ``org_slug`` if it includes ``permission``; else 404 or 403."""
    access = find_access(who, org_slug)
    if access is None:
        raise OrganizationNotFound(org_slug)
    if not access.can(permission):
        raise PermissionMissing(permission, access.role.value)
    return access


def forget_access(who: HttpRequest | Actor | Any, org_slug: str) -> None:
    """Drop a cached answer, after the caller's own role in ``org_slug`` changed."""
    cache = _request_cache(who)
    if cache is not None:
        cache.pop(org_slug, None)
    identity_cache.changed()


def outcome_edit_scope(access: Access) -> str:
    """Which outcomes this access may change: ``"all"``, ``"own-<user id>"`` or ``"none"``.

    Assessors and owners edit any outcome; a contributor only those assigned to
    them. Answers cached per caller are keyed by this, not by the role.
    """
    if access.can(Permission.EDIT_PROFILES):
        return "all"
    if access.can(Permission.EDIT_ASSIGNED_OUTCOMES):
        return f"own-{access.membership.user_id}"
    return "none"


def can_edit_outcome(access: Access, outcome_owner_id: int | None) -> bool:
    """Whether this access may change one outcome of a profile.

    See :func:`outcome_edit_scope`; ``outcome_owner_id`` is the assigned user's
    id, None when unassigned.
    """
    scope = outcome_edit_scope(access)
    return scope == "all" or (outcome_owner_id is not None and scope == f"own-{outcome_owner_id}")


def require_outcome_edit(access: Access, outcome_owner_id: int | None) -> None:
    """Raise 403 unless :func:`can_edit_outcome` allows it."""
    if not can_edit_outcome(access, outcome_owner_id):
        raise PermissionMissing(Permission.EDIT_ASSIGNED_OUTCOMES, access.role.value)


def _request_cache(who: object) -> dict[str, Access | None] | None:
    if not isinstance(who, HttpRequest):
        return None
    cache = getattr(who, "_csfpilot_org_access", None)
    if cache is None:
        cache = {}
        who._csfpilot_org_access = cache  # type: ignore[attr-defined]
    return cache


# -- what each API operation needs, declared on the operation -----------------------------------

OPENAPI_KEY = "x-permission"
PUBLIC = "public"  # anyone, signed in or not
ACCOUNT = "account"  # any signed-in person (session or API token); no organization involved
SESSION = "session"  # a signed-in browser session; an API token is refused
# A signed-in browser session of an account that may create organizations
# (CSFPILOT_ORG_CREATORS: by default the operator and the accounts they allow).
CREATOR = "creator"
# The instance's operator (an active superuser): their browser session, or an API token of
# theirs with the owner role. Framework releases are shared by every organization, so no
# organization role is enough.
OPERATOR = "operator"


def is_operator(user: Any) -> bool:
    """The instance's operator: an active superuser account."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


# A signed-in browser session of a sector's steward (named by the operator) or a superuser.
STEWARD = "steward"


_NAMED_NEEDS = (PUBLIC, ACCOUNT, SESSION, CREATOR, OPERATOR, STEWARD)


def needs(need: Permission | str) -> dict[str, Any]:
    """``openapi_extra`` for an operation: the permission its body asks :func:`require` for
    (``org.view``, ``profiles.edit``...), or ``public``, ``account``, ``session``,
    ``creator``, ``operator`` or ``steward``.

    The schema carries it so that the API reference can name it, and the authorization
    grid checks that each declaration matches what the operation really enforces.
    """
    value = need.value if isinstance(need, Permission) else need
    if not isinstance(need, Permission) and value not in _NAMED_NEEDS:
        raise ValueError(f"unknown need {need!r}")
    return {OPENAPI_KEY: value}
