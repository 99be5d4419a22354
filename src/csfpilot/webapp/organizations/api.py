"""``/api/organizations``: the caller's organizations and, for owners, their members.

Every endpoint goes through ``permissions.require``: an organization the caller
does not belong to (or that their token is not scoped to) answers 404, a role
without the permission answers 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.webapp.accounts.api_auth import api_auth, require_session
from csfpilot.webapp.organizations import creators, invitations, queries, services
from csfpilot.webapp.organizations.invitations import InvitationLimit
from csfpilot.webapp.organizations.models import Invitation, Membership
from csfpilot.webapp.organizations.permissions import (
    ACCOUNT,
    CREATOR,
    Access,
    actor_of,
    needs,
    require,
)
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.organizations.schemas import (
    InvitationOut,
    MemberIn,
    MemberOut,
    MemberPatch,
    OrganizationDetail,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
)

router = Router(tags=["organizations"], auth=api_auth)


@contextmanager
def _refusals() -> Iterator[None]:
    """Domain refusals as HTTP answers: 400 bad input, 409 conflict, 404 unknown member."""
    try:
        yield
    except InputRefused as exc:
        raise HttpError(400, str(exc)) from exc
    except InvitationLimit as exc:
        raise HttpError(429, str(exc)) from exc
    except ConflictError as exc:
        raise HttpError(409, str(exc)) from exc
    except Membership.DoesNotExist as exc:
        raise HttpError(404, "No such member in this organization.") from exc
    except Invitation.DoesNotExist as exc:
        raise HttpError(404, "No such invitation in this organization.") from exc


def _out(membership: Membership, member_count: int) -> dict:
    org = membership.organization
    return {
        "slug": org.slug,
        "name": org.name,
        "created": org.created,
        "role": membership.role,
        "member_count": member_count,
    }


def _detail(access: Access) -> dict:
    count = access.organization.memberships.count()
    return {
        **_out(access.membership, count),
        "permissions": sorted(p.value for p in access.permissions),
    }


def _invitation(i: Invitation) -> dict:
    return {
        "id": i.pk,
        "email": i.email,
        "role": i.role,
        "invited_by": getattr(i.invited_by, "email", "") or "",
        "created": i.created,
        "expires": i.expires,
    }


def _member(m: Membership) -> dict:
    return {
        "id": m.pk,
        "email": m.user.email,
        "name": m.user.get_full_name(),
        "role": m.role,
        "since": m.created,
    }


@router.get(
    "/organizations",
    response=list[OrganizationOut],
    summary="Your organizations",
    openapi_extra=needs(ACCOUNT),
)
def list_organizations(request: HttpRequest) -> list[dict]:
    actor = actor_of(request)
    memberships = queries.memberships_of(actor.user)
    if actor.scope is not None:
        memberships = memberships.filter(organization_id=actor.scope.organization_id)
    return [_out(m, m.member_count) for m in memberships]


@router.post(
    "/organizations",
    response={201: OrganizationDetail},
    summary="Create an organization",
    openapi_extra=needs(CREATOR),
    description="Who may is the instance's CSFPILOT_ORG_CREATORS setting: by default the "
    "operator and the accounts they allow; others get 403.",
)
def create_organization(request: HttpRequest, payload: OrganizationIn) -> tuple[int, dict]:
    user = require_session(request)
    if not creators.may_create(user):
        raise HttpError(403, creators.REFUSAL)
    with _refusals():
        org = services.create_organization(user, payload.name, payload.slug)
    return 201, _detail(require(request, org.slug, Permission.VIEW))


@router.get(
    "/organizations/{slug}",
    response=OrganizationDetail,
    summary="One of your organizations",
    openapi_extra=needs(Permission.VIEW),
)
def get_organization(request: HttpRequest, slug: str) -> dict:
    return _detail(require(request, slug, Permission.VIEW))


@router.patch(
    "/organizations/{slug}",
    response=OrganizationDetail,
    summary="Rename (owner)",
    openapi_extra=needs(Permission.EDIT_SETTINGS),
)
def rename_organization(request: HttpRequest, slug: str, payload: OrganizationPatch) -> dict:
    access = require(request, slug, Permission.EDIT_SETTINGS)
    with _refusals():
        services.rename_organization(access, payload.name)
    return _detail(access)


@router.get(
    "/organizations/{slug}/members",
    response=list[MemberOut],
    summary="Members",
    openapi_extra=needs(Permission.VIEW),
)
def list_members(request: HttpRequest, slug: str) -> list[dict]:
    access = require(request, slug, Permission.VIEW)
    return [_member(m) for m in queries.members(access.organization)]


@router.post(
    "/organizations/{slug}/members",
    response={202: InvitationOut},
    summary="Invite a person by e-mail (owner)",
    description="Sends an invitation; the person becomes a member only when they accept it. "
    "The answer is the same whether or not an account uses the address. At most "
    "CSFPILOT_INVITATIONS_PER_DAY invitations per organization in 24 hours (429 beyond).",
    openapi_extra=needs(Permission.MANAGE_MEMBERS),
)
def add_member(request: HttpRequest, slug: str, payload: MemberIn) -> tuple[int, dict]:
    access = require(request, slug, Permission.MANAGE_MEMBERS)
    with _refusals():
        invitation = invitations.invite(
            access, payload.email, payload.role, absolute=request.build_absolute_uri
        )
    return 202, _invitation(invitation)


@router.get(
    "/organizations/{slug}/invitations",
    response=list[InvitationOut],
    summary="Pending invitations (owner)",
    openapi_extra=needs(Permission.MANAGE_MEMBERS),
)
def list_invitations(request: HttpRequest, slug: str) -> list[dict]:
    access = require(request, slug, Permission.MANAGE_MEMBERS)
    return [_invitation(i) for i in invitations.pending(access.organization)]


@router.delete(
    "/organizations/{slug}/invitations/{invitation_id}",
    response={204: None},
    summary="Revoke a pending invitation (owner)",
    openapi_extra=needs(Permission.MANAGE_MEMBERS),
)
def revoke_invitation(request: HttpRequest, slug: str, invitation_id: int) -> tuple[int, None]:
    access = require(request, slug, Permission.MANAGE_MEMBERS)
    with _refusals():
        invitations.revoke(access, invitation_id)
    return 204, None


@router.patch(
    "/organizations/{slug}/members/{member_id}",
    response=MemberOut,
    summary="Change a member's role (owner)",
    openapi_extra=needs(Permission.MANAGE_MEMBERS),
)
def change_member(request: HttpRequest, slug: str, member_id: int, payload: MemberPatch) -> dict:
    access = require(request, slug, Permission.MANAGE_MEMBERS)
    with _refusals():
        membership = services.change_role(access, member_id, payload.role)
    return _member(membership)


@router.delete(
    "/organizations/{slug}/members/{member_id}",
    response={204: None},
    summary="Remove a member (owner)",
    openapi_extra=needs(Permission.MANAGE_MEMBERS),
)
def remove_member(request: HttpRequest, slug: str, member_id: int) -> tuple[int, None]:
    access = require(request, slug, Permission.MANAGE_MEMBERS)
    with _refusals():
        services.remove_member(access, member_id)
    return 204, None
