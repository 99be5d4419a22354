"""``/api/organizations/{slug}/benchmark``: the sector benchmark, and the owner's choices.

Numbers about the sector come back as ``null`` with ``hidden: true`` when fewer
than ``min_orgs`` organizations contribute (``CSFPILOT_SECTOR_MIN_ORGS``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from csfpilot.webapp.accounts.api_auth import api_auth, require_session
from csfpilot.webapp.organizations.permissions import ACCOUNT, STEWARD, needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.organizations.sectors import Sector
from csfpilot.webapp.sectors import queries, services, stewardship
from csfpilot.webapp.sectors import schemas as s
from csfpilot.webapp.sectors.models import MemberStatus

router = Router(tags=["sectors"], auth=api_auth)
BASE = "/organizations/{slug}"


@router.get(
    "/sectors",
    response=list[s.SectorOut],
    summary="The sectors an organization can choose",
    openapi_extra=needs(ACCOUNT),
)
def sectors(request: HttpRequest) -> Any:
    return [s.SectorOut(key=k, label=str(label)) for k, label in Sector.choices]


@router.get(
    BASE + "/benchmark",
    response=s.BenchmarkOut,
    summary="The organization beside its sector",
    openapi_extra=needs(Permission.VIEW),
)
def benchmark(request: HttpRequest, slug: str) -> Any:
    access = require(request, slug, Permission.VIEW)
    return s.benchmark_out(queries.benchmark(access))


@router.put(
    BASE + "/sector",
    response=s.BenchmarkOut,
    summary="Choose the organization's sector",
    openapi_extra=needs(Permission.EDIT_SETTINGS),
)
def set_sector(request: HttpRequest, slug: str, payload: s.SectorIn) -> Any:
    access = require(request, slug, Permission.EDIT_SETTINGS)
    services.set_sector(access, payload.sector)
    return s.benchmark_out(queries.benchmark(access))


@router.put(
    BASE + "/benchmark/profile",
    response=s.BenchmarkOut,
    summary="Choose the profile that counts in the sector benchmark",
    openapi_extra=needs(Permission.EDIT_SETTINGS),
)
def set_counted_profile(request: HttpRequest, slug: str, payload: s.CountedProfileIn) -> Any:
    access = require(request, slug, Permission.EDIT_SETTINGS)
    services.designate_profile(access, payload.profile)
    return s.benchmark_out(queries.benchmark(access))


# -- the sector's steward (or the operator): which organizations count ------------------------


@router.get(
    "/sectors/{sector}/members",
    response=list[s.SectorMemberOut],
    summary="Organizations that asked to count in the sector, and the steward's decisions",
    openapi_extra=needs(STEWARD),
)
def sector_members(request: HttpRequest, sector: str, status: str | None = None) -> Any:
    sector = stewardship.require_steward(require_session(request), sector)
    if status and status not in MemberStatus.values:
        status = None
    return [s.member_out(r) for r in stewardship.members(sector, status=status)]


def _decide(request: HttpRequest, sector: str, slug: str, status: str) -> Any:
    user = require_session(request)
    sector = stewardship.require_steward(user, sector)
    decided = stewardship.decide(user, sector, slug, status)
    row = next(
        r for r in stewardship.members(sector) if r.organization.pk == decided.organization_id
    )
    return s.member_out(row)


@router.post(
    "/sectors/{sector}/members/{slug}/approve",
    response=s.SectorMemberOut,
    summary="Approve an organization: its scores count in the sector",
    openapi_extra=needs(STEWARD),
)
def approve_member(request: HttpRequest, sector: str, slug: str) -> Any:
    return _decide(request, sector, slug, MemberStatus.APPROVED)


@router.post(
    "/sectors/{sector}/members/{slug}/revoke",
    response=s.SectorMemberOut,
    summary="Revoke an organization: its scores no longer count in the sector",
    openapi_extra=needs(STEWARD),
)
def revoke_member(request: HttpRequest, sector: str, slug: str) -> Any:
    return _decide(request, sector, slug, MemberStatus.REVOKED)
