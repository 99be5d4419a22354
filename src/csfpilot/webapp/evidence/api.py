"""``/api/organizations/{slug}/evidence…``: the evidence library over the REST API.

Every route first asks the permission layer (``permissions.require``): an
organization the caller is not in answers 404, a role without the permission
403, another organization's item, link or request id 404. The services then
apply the finer rules: a contributor links only to outcomes assigned to them
and changes only items they added or own; only owners and assessors review.

Files come as ``multipart/form-data`` to the two ``…/files`` operations (a new
item, a new version); links and written attestations as JSON. A file is
streamed to a temporary file, checked (size, quota, type read from the
content) and only then stored; a refused file answers 400 and nothing is kept.
Downloads are attachments, never rendered, and recorded in the audit trail.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.webapp.accounts.api_auth import api_auth, upload_auth
from csfpilot.webapp.evidence import downloads, queries, services, uploads
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import schemas as s
from csfpilot.webapp.organizations.permissions import Access, needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups

router = Router(tags=["evidence"], auth=api_auth)

BASE = "/organizations/{slug}/evidence"
ITEM = BASE + "/{int:item_id}"
LINK = BASE + "/links/{int:link_id}"
REQUESTS = BASE + "/requests"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
DOWNLOAD = {
    "responses": {
        200: {
            "description": "The file, as an attachment, with the media type read from its "
            "content when it was stored (PDF, an office document, an image, text, CSV, JSON "
            "or XML).",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _today() -> date:
    return timezone.localdate()


def _detail(access: Access, item_id: int) -> s.ItemDetailOut:
    row = queries.item_detail(access.organization, item_id)
    if row is None:
        raise NotFound(f"no evidence item {item_id} in {access.organization.slug}")
    return s.item_detail_out(row, today=_today())


def _fields(payload: s.ItemFieldsIn) -> services.ItemFields:
    values = payload.model_dump(include=set(s.ItemFieldsIn.model_fields))
    return services.ItemFields(**values)


# -- the library ---------------------------------------------------------------------------


class ItemQuery(Schema):
    q: s.Text = Field("", max_length=200, description="Words in the title, description or source.")
    kind: s.Kind | None = None  # type: ignore[valid-type]
    retired: bool = Field(False, description="List retired items instead of live ones.")
    expiring_within: int | None = Field(
        None, ge=0, le=3660, description="Only items whose validity ends within this many days."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")


@router.get(
    BASE,
    response=s.ItemPage,
    summary="The evidence library, by title (filters: q, kind, retired, expiring_within)",
    openapi_extra=needs(Permission.VIEW),
)
def list_items(request: HttpRequest, slug: str, params: Query[ItemQuery]) -> s.ItemPage:
    access = require(request, slug, Permission.VIEW)
    today = _today()
    qs = queries.library(
        access.organization,
        today=today,
        text=params.q,
        kind=params.kind or "",
        retired=params.retired,
        expiring_within=params.expiring_within,
    )
    rows = list(qs[params.offset : params.offset + params.limit])
    return s.ItemPage(
        count=qs.count(),
        offset=params.offset,
        limit=params.limit,
        items=[s.item_out(r, today=today, latest=r.latest) for r in rows],
    )


@router.post(
    BASE,
    response={201: s.ItemDetailOut},
    summary="Add a link or a written attestation (files: POST …/evidence/files)",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
)
def create_item(request: HttpRequest, slug: str, payload: s.ItemIn) -> Any:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    content = services.Content(url=payload.url, statement=payload.statement, note=payload.note)
    row = services.add_item(access, _fields(payload), content)
    return 201, _detail(access, row.pk)


@router.post(
    BASE + "/files",
    response={201: s.ItemDetailOut},
    summary="Upload a file as a new item (multipart: file plus the item's fields)",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
    auth=upload_auth(Permission.ADD_EVIDENCE),
)
def upload_item(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    fields: Form[s.ItemUploadIn],
) -> Any:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    spooled, name = uploads.spool_upload(request, "file", access.organization)
    content = services.Content(spooled=spooled, filename=name, note=fields.note)
    row = services.add_item(access, _fields(fields), content)
    return 201, _detail(access, row.pk)


@router.get(
    ITEM,
    response=s.ItemDetailOut,
    summary="One item with its versions (SHA-256) and links (reviews)",
    openapi_extra=needs(Permission.VIEW),
)
def get_item(request: HttpRequest, slug: str, item_id: int) -> s.ItemDetailOut:
    access = require(request, slug, Permission.VIEW)
    return _detail(access, item_id)


@router.patch(
    ITEM,
    response=s.ItemDetailOut,
    summary="Change an item's description (send the version you read)",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
)
def update_item(
    request: HttpRequest, slug: str, item_id: int, payload: s.ItemPatch
) -> s.ItemDetailOut:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    stored = services.item(access, item_id)
    # Fields left out keep their stored values; the service checks the whole description.
    values = {name: getattr(stored, name) for name in s.ItemFieldsIn.model_fields}
    values.update(payload.model_dump(exclude_unset=True, exclude={"version"}))
    services.update_item(access, item_id, services.ItemFields(**values), version=payload.version)
    return _detail(access, item_id)


@router.post(
    ITEM + "/retire",
    response=s.ItemDetailOut,
    summary="Retire an item: it stops supporting any rating, and is kept",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
)
def retire_item(request: HttpRequest, slug: str, item_id: int) -> s.ItemDetailOut:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    services.retire(access, item_id)
    return _detail(access, item_id)


@router.post(
    ITEM + "/restore",
    response=s.ItemDetailOut,
    summary="Bring a retired item back",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
)
def restore_item(request: HttpRequest, slug: str, item_id: int) -> s.ItemDetailOut:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    services.retire(access, item_id, restore=True)
    return _detail(access, item_id)


@router.delete(
    ITEM,
    response={204: None},
    summary="Remove an item and its files (409 when a snapshot or a scan import cites it)",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
)
def delete_item(request: HttpRequest, slug: str, item_id: int) -> tuple[int, None]:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    services.remove(access, item_id)
    return 204, None


# -- versions ------------------------------------------------------------------------------


@router.get(
    ITEM + "/versions",
    response=list[s.VersionOut],
    summary="Every version of an item, newest first",
    openapi_extra=needs(Permission.VIEW),
)
def list_versions(request: HttpRequest, slug: str, item_id: int) -> list[s.VersionOut]:
    access = require(request, slug, Permission.VIEW)
    row = services.item(access, item_id)
    return [s.version_out(v) for v in queries.versions_of(row)]


def _version_answer(access: Access, item_id: int, number: int) -> tuple[int, s.VersionOut]:
    version = queries.version_of(services.item(access, item_id), number)
    assert version is not None  # just added
    return 201, s.version_out(version)


@router.post(
    ITEM + "/versions",
    response={201: s.VersionOut},
    summary="Add a version to a link or attestation item",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
)
def add_version(request: HttpRequest, slug: str, item_id: int, payload: s.VersionIn) -> Any:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    content = services.Content(url=payload.url, statement=payload.statement, note=payload.note)
    version = services.add_version(access, item_id, content)
    return _version_answer(access, item_id, version.number)


@router.post(
    ITEM + "/versions/files",
    response={201: s.VersionOut},
    summary="Upload a new version of a file item (multipart); earlier versions are kept",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
    auth=upload_auth(Permission.ADD_EVIDENCE),
)
def upload_version(
    request: HttpRequest,
    slug: str,
    item_id: int,
    file: File[UploadedFile],
    note: Form[str] = "",
) -> Any:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    # Looked up first: another organization's id is refused before a byte is stored.
    services.item(access, item_id)
    spooled, name = uploads.spool_upload(request, "file", access.organization)
    content = services.Content(spooled=spooled, filename=name, note=note)
    version = services.add_version(access, item_id, content)
    return _version_answer(access, item_id, version.number)


@router.get(
    ITEM + "/versions/{int:number}/download",
    response={200: None},
    summary="Download one version's file (an attachment; recorded in the audit trail)",
    openapi_extra={**DOWNLOAD, **needs(Permission.VIEW)},
)
def download_version(request: HttpRequest, slug: str, item_id: int, number: int) -> HttpResponse:
    access = require(request, slug, Permission.VIEW)
    row = services.item(access, item_id)
    version = queries.version_of(row, number)
    if version is None:
        raise NotFound(f"{row.title} has no version {number}")
    if version.stored_file is None:
        raise NotFound(f"version {number} of {row.title} is a {row.form}; it has no file")
    return downloads.file_response(access, version)


# -- links and reviews ---------------------------------------------------------------------


@router.get(
    ITEM + "/links",
    response=list[s.LinkOut],
    summary="The outcomes an item is linked to, with their reviews",
    openapi_extra=needs(Permission.VIEW),
)
def list_links(request: HttpRequest, slug: str, item_id: int) -> list[s.LinkOut]:
    access = require(request, slug, Permission.VIEW)
    row = services.item(access, item_id)
    return [s.link_out(x) for x in queries.links_of_item(row)]


@router.post(
    ITEM + "/links",
    response={201: s.LinkOut},
    summary="Link an item to an outcome of a profile (contributors: outcomes assigned to them)",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
)
def create_link(request: HttpRequest, slug: str, item_id: int, payload: s.LinkIn) -> Any:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    made = services.link(
        access,
        item_id,
        payload.profile,
        payload.outcome,
        side=payload.side,
        statement=payload.statement,
    )
    return 201, s.link_out(_link(access, made.pk))


def _link(access: Access, link_id: int) -> m.EvidenceLink:
    found = queries.link_detail(access.organization, link_id)
    if found is None:
        raise NotFound(f"no evidence link {link_id}")
    return found


@router.delete(
    LINK,
    response={204: None},
    summary="Remove a link (a reviewed one: owners and assessors only)",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
)
def delete_link(request: HttpRequest, slug: str, link_id: int) -> tuple[int, None]:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    services.unlink(access, link_id)
    return 204, None


@router.post(
    LINK + "/review",
    response=s.LinkOut,
    summary="Review what an item shows for one outcome (owners, assessors)",
    openapi_extra=needs(Permission.REVIEW_EVIDENCE),
)
def review_link(request: HttpRequest, slug: str, link_id: int, payload: s.ReviewIn) -> s.LinkOut:
    access = require(request, slug, Permission.REVIEW_EVIDENCE)
    services.review(access, link_id, payload.state, payload.comment)
    return s.link_out(_link(access, link_id))


# -- states, coverage, what expires --------------------------------------------------------


@router.get(
    "/organizations/{slug}/profiles/{int:profile_id}/evidence",
    response=s.ProfileEvidenceOut,
    summary="Each outcome's evidence state, and coverage per Function",
    openapi_extra=needs(Permission.VIEW),
)
def profile_evidence(request: HttpRequest, slug: str, profile_id: int) -> s.ProfileEvidenceOut:
    access = require(request, slug, Permission.VIEW)
    profile = lookups.profile(access, profile_id)
    today = _today()
    cov = queries.coverage(profile, today=today)
    expiring = queries.expiring_counts(access.organization, today=today)
    return s.profile_evidence_out(profile.pk, cov, expiring)


class DueQuery(Schema):
    days: int = Field(30, ge=0, le=3660, description="How far ahead to look.")


@router.get(
    BASE + "/due",
    response=list[s.DueOut],
    summary="Items that expire within `days`, and those already expired, soonest first",
    openapi_extra=needs(Permission.VIEW),
)
def due(request: HttpRequest, slug: str, params: Query[DueQuery]) -> list[s.DueOut]:
    access = require(request, slug, Permission.VIEW)
    today = _today()
    rows = queries.due(access.organization, days=params.days, today=today)
    return [s.due_out(r, today=today) for r in rows]


# -- evidence requests ---------------------------------------------------------------------


class RequestQuery(Schema):
    state: s.RequestStateName | None = None  # type: ignore[valid-type]
    mine: bool = Field(False, description="Only requests addressed to the caller.")


def _request(access: Access, request_id: int) -> s.RequestOut:
    row = queries.request_list(access.organization, today=_today()).filter(pk=request_id).first()
    if row is None:
        raise NotFound(f"no evidence request {request_id}")
    return s.request_out(row, today=_today())


@router.get(
    REQUESTS,
    response=list[s.RequestOut],
    summary="Evidence requests (filters: state, mine)",
    openapi_extra=needs(Permission.VIEW),
)
def list_requests(request: HttpRequest, slug: str, params: Query[RequestQuery]) -> Any:
    access = require(request, slug, Permission.VIEW)
    today = _today()
    rows = queries.request_list(
        access.organization,
        today=today,
        state=params.state or "",
        assignee_id=access.membership.user_id if params.mine else None,
    )
    return [s.request_out(r, today=today) for r in rows]


@router.post(
    REQUESTS,
    response={201: s.RequestOut},
    summary="Ask a member for evidence on outcomes of a profile (owners, assessors)",
    openapi_extra=needs(Permission.REVIEW_EVIDENCE),
)
def create_request(request: HttpRequest, slug: str, payload: s.RequestIn) -> Any:
    access = require(request, slug, Permission.REVIEW_EVIDENCE)
    assignee = payload.assignee
    if assignee is None:
        owners = queries.outcome_owners(access.organization, payload.profile, payload.outcomes)
        if len(owners) != 1 or None in owners:
            raise InputRefused(
                "these outcomes are not all assigned to one member; name the assignee",
                field="assignee",
            )
        assignee = owners.pop()
    row = services.ask(
        access,
        payload.profile,
        payload.outcomes,
        assignee_id=assignee,
        due=payload.due,
        note=payload.note,
    )
    return 201, _request(access, row.pk)


@router.get(
    REQUESTS + "/{int:request_id}",
    response=s.RequestOut,
    summary="One evidence request",
    openapi_extra=needs(Permission.VIEW),
)
def get_request(request: HttpRequest, slug: str, request_id: int) -> s.RequestOut:
    access = require(request, slug, Permission.VIEW)
    return _request(access, request_id)


@router.post(
    REQUESTS + "/{int:request_id}/submit",
    response=s.RequestOut,
    summary="Answer a request with items, linked to each of its outcomes (the member asked)",
    openapi_extra=needs(Permission.ADD_EVIDENCE),
)
def submit_request(
    request: HttpRequest, slug: str, request_id: int, payload: s.SubmitIn
) -> s.RequestOut:
    access = require(request, slug, Permission.ADD_EVIDENCE)
    services.submit(
        access, request_id, payload.items, response=payload.response, statement=payload.statement
    )
    return _request(access, request_id)


@router.post(
    REQUESTS + "/{int:request_id}/decide",
    response=s.RequestOut,
    summary="Accept or reject a submitted request (owners, assessors)",
    openapi_extra=needs(Permission.REVIEW_EVIDENCE),
)
def decide_request(
    request: HttpRequest, slug: str, request_id: int, payload: s.DecideIn
) -> s.RequestOut:
    access = require(request, slug, Permission.REVIEW_EVIDENCE)
    services.decide(access, request_id, accept=payload.accept, comment=payload.comment)
    return _request(access, request_id)


# Scanner results (``POST …/evidence/scans``) are added beside these routes by the
# scan import; they share this router and its base path.
