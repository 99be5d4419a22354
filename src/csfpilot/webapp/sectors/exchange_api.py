"""The sector benchmark between instances in the REST API, over :mod:`.exchange`.

- ``GET /organizations/{slug}/benchmark/contribution/preview`` and
  ``GET …/benchmark/contribution`` — a member's signed, scores-only contribution;
- ``POST /organizations/{slug}/benchmark/aggregate`` — import the sector body's aggregate;
- ``GET|POST /sectors/{sector}/member-keys``, ``DELETE …/member-keys/{fingerprint}`` — the
  sector body's member list (steward or operator, signed-in session);
- ``POST /sectors/{sector}/contributions`` — upload contributions, each verified on its own;
- ``GET /sectors/{sector}/aggregate?org=`` — the signed aggregate, signed with ``org``'s key.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from csfpilot.webapp.accounts.api_auth import (
    ApiTokenAuth,
    BrowserSessionAuth,
    api_auth,
    require_session,
    upload_auth,
)
from csfpilot.webapp.organizations.permissions import STEWARD, needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.packages.api import PACKAGE_FILE, _read
from csfpilot.webapp.profiles import schemas as ps
from csfpilot.webapp.profiles.api import ANSWERS, answers
from csfpilot.webapp.sectors import exchange, stewardship
from csfpilot.webapp.sectors import exchange_schemas as s
from csfpilot.webapp.sectors.exchange_views import MAX_UPLOADS

router = Router(tags=["sectors"], auth=api_auth)
BASE = "/organizations/{slug}"


class StewardSessionAuth(BrowserSessionAuth):
    """The signed-in session of the sector's steward or the operator; anyone else's upload
    is refused (403) before its body is read."""

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        sector = (match.kwargs.get("sector") if match else None) or ""
        if request.COOKIES.get(self.param_name) and user is not None and user.is_authenticated:
            stewardship.require_steward(user, sector)
        return super()._get_key(request)


steward_upload_auth = [ApiTokenAuth(), StewardSessionAuth()]


def _steward(request: HttpRequest, sector: str) -> str:
    return stewardship.require_steward(require_session(request), sector)


# -- a member organization ----------------------------------------------------------------------


@router.get(
    BASE + "/benchmark/contribution/preview",
    response={200: list[s.ContributionFieldOut], **ANSWERS},
    summary="Every field a signed contribution to a sector body would hold",
    openapi_extra=needs(Permission.EXPORT),
)
@answers
def contribution_preview(
    request: HttpRequest, slug: str, sector: str, profile: int | None = None
) -> Any:
    access = require(request, slug, Permission.EXPORT)
    rows = exchange.contribution_preview(access, sector, profile)
    return [s.ContributionFieldOut(member=m, field=f, value=v) for m, f, v in rows]


@router.get(
    BASE + "/benchmark/contribution",
    response={200: str, **ANSWERS},
    summary="A signed, scores-only contribution to a sector body on another instance",
    openapi_extra={**PACKAGE_FILE, **needs(Permission.EXPORT)},
)
@answers
def contribution(request: HttpRequest, slug: str, sector: str, profile: int | None = None) -> Any:
    access = require(request, slug, Permission.EXPORT)
    signed = exchange.contribution_package(access, sector, profile)
    response = HttpResponse(signed.data, content_type="application/json")
    filename = f"{access.organization.slug}-{sector}.contribution.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.post(
    BASE + "/benchmark/aggregate",
    response={201: s.ReceivedAggregateOut, **ANSWERS, 413: ps.RefusedOut},
    summary="Import a sector body's signed aggregate (its key must be trusted)",
    openapi_extra=needs(Permission.EDIT_SETTINGS),
    auth=upload_auth(Permission.EDIT_SETTINGS),
)
@answers
def import_aggregate(request: HttpRequest, slug: str, file: File[UploadedFile]) -> Any:
    access = require(request, slug, Permission.EDIT_SETTINGS)
    row = exchange.import_aggregate(access, _read(file), filename=file.name or "package")
    return 201, s.aggregate_out(row)


# -- the sector body: its steward or the operator -------------------------------------------


@router.get(
    "/sectors/{sector}/member-keys",
    response=list[s.RemoteMemberOut],
    summary="The sector body's member list: members on other instances, by key",
    openapi_extra=needs(STEWARD),
)
def member_keys(request: HttpRequest, sector: str) -> Any:
    return [s.remote_member_out(r) for r in exchange.remote_members(_steward(request, sector))]


@router.post(
    "/sectors/{sector}/member-keys",
    response={201: s.RemoteMemberOut, **ANSWERS},
    summary="Add a member on another instance by its key's fingerprint",
    openapi_extra=needs(STEWARD),
)
@answers
def add_member_key(request: HttpRequest, sector: str, payload: s.RemoteMemberIn) -> Any:
    sector = _steward(request, sector)
    row = exchange.add_member(sector, payload.name, payload.fingerprint, request.user)
    row = next(r for r in exchange.remote_members(sector) if r.pk == row.pk)
    return 201, s.remote_member_out(row)


@router.delete(
    "/sectors/{sector}/member-keys/{fingerprint}",
    response=s.RemoteMemberOut,
    summary="Take a member off the list: its contribution no longer counts",
    openapi_extra=needs(STEWARD),
)
def remove_member_key(request: HttpRequest, sector: str, fingerprint: str) -> Any:
    sector = _steward(request, sector)
    row = exchange.revoke_member(sector, fingerprint, request.user)
    row = next(r for r in exchange.remote_members(sector) if r.pk == row.pk)
    return s.remote_member_out(row)


@router.post(
    "/sectors/{sector}/contributions",
    response={200: list[s.ReceivedContributionOut], **ANSWERS, 413: ps.RefusedOut},
    summary="Upload members' signed contributions; each is verified and kept or refused",
    openapi_extra=needs(STEWARD),
    auth=steward_upload_auth,
)
@answers
def upload_contributions(request: HttpRequest, sector: str, file: File[list[UploadedFile]]) -> Any:
    sector = _steward(request, sector)
    if len(file) > MAX_UPLOADS:
        raise HttpError(413, f"at most {MAX_UPLOADS} files at a time; {len(file)} were sent")
    batch = [(_read(f), f.name or "package") for f in file]
    received = exchange.import_contributions(batch, sector, user=request.user)
    return [s.received_out(r) for r in received]


@router.get(
    "/sectors/{sector}/aggregate",
    response={200: str, **ANSWERS},
    summary="The sector's signed aggregate, signed with the key of the organization org",
    openapi_extra={**PACKAGE_FILE, **needs(STEWARD)},
)
@answers
def aggregate(request: HttpRequest, sector: str, org: str) -> Any:
    sector = _steward(request, sector)
    access = require(request, org, Permission.EXPORT)
    signed = exchange.aggregate_package(access, sector)
    response = HttpResponse(signed.data, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{sector}.aggregate.json"'
    return response
