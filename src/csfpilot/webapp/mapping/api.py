"""``/api/organizations/{slug}/mapping-projects…``: crosswalk reviews over the REST API.

Reading needs ``org.view``; creating a project, making proposals and reviewing
need ``profiles.edit`` (owners and assessors); the OSCAL export needs
``data.export``. Another organization's project or pair id answers 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from csfpilot.webapp.accounts.api_auth import api_auth
from csfpilot.webapp.mapping import exports, queries, services
from csfpilot.webapp.mapping import schemas as s
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission

router = Router(tags=["crosswalk reviews"], auth=api_auth)

BASE = "/organizations/{slug}/mapping-projects"
PROJECT = BASE + "/{int:project_id}"
OSCAL_FILE = {
    "responses": {
        200: {
            "description": "The reviewed crosswalk as an OSCAL 1.2 mapping collection "
            "(method hybrid, status, the assistant's score as confidence), as an attachment.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }
}


def _out(access: Any, project_id: int) -> s.ProjectOut:
    p = queries.project(access.organization, project_id)
    return s.project_out(p, queries.state_counts(p))


@router.get(
    BASE,
    response=list[s.ProjectOut],
    summary="The organization's mapping projects, newest first",
    openapi_extra=needs(Permission.VIEW),
)
def list_projects(request: HttpRequest, slug: str) -> list[s.ProjectOut]:
    access = require(request, slug, Permission.VIEW)
    out = []
    for p in queries.projects(access.organization):
        counts = {state: getattr(p, f"n_{state}") for state in ("proposed", "accepted")}
        counts.update(rejected=p.n_rejected, changed=p.n_changed, requirements=p.n_requirements)
        counts["in_crosswalk"] = p.n_accepted + p.n_changed
        out.append(s.project_out(p, counts))
    return out


@router.post(
    BASE,
    response={201: s.ProjectOut},
    summary="Create a project: a framework's requirements to map onto another framework",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
def create_project(request: HttpRequest, slug: str, payload: s.ProjectIn) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    p = services.create_project(
        access,
        name=payload.name,
        source_key=payload.source_framework,
        target_key=payload.target_framework,
        top=payload.top,
        method=payload.method,
    )
    return 201, _out(access, p.pk)


@router.get(
    PROJECT,
    response=s.ProjectOut,
    summary="One project with its pairs counted by state",
    openapi_extra=needs(Permission.VIEW),
)
def get_project(request: HttpRequest, slug: str, project_id: int) -> s.ProjectOut:
    access = require(request, slug, Permission.VIEW)
    return _out(access, project_id)


@router.delete(
    PROJECT,
    response={204: None},
    summary="Delete a project with its proposals and reviews",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
def delete_project(request: HttpRequest, slug: str, project_id: int) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    services.delete_project(access, project_id)
    return 204, None


@router.post(
    PROJECT + "/proposals",
    response={200: s.ProjectOut, 202: s.ProjectOut},
    summary="Make the assistant's proposals (202: queued as a background job, see job_id)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
def make_proposals(request: HttpRequest, slug: str, project_id: int) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    p = services.request_proposals(access, project_id)
    return (202 if p.run_state == "queued" else 200), _out(access, p.pk)


class ProposalQuery(Schema):
    show: s.Filter = "all"  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=100_000)


@router.get(
    PROJECT + "/proposals",
    response=s.ProposalPage,
    summary="The requirements with their proposals, 25 a page (filter: show)",
    openapi_extra=needs(Permission.VIEW),
)
def list_proposals(
    request: HttpRequest, slug: str, project_id: int, params: Query[ProposalQuery]
) -> s.ProposalPage:
    access = require(request, slug, Permission.VIEW)
    p = queries.project(access.organization, project_id)
    rows, _texts, page, pages = queries.review_page(p, params.show, params.page)
    return s.ProposalPage(
        count=queries.filter_counts(p)[params.show],
        page=page,
        pages=pages,
        requirements=[
            s.RequirementOut(
                code=r.requirement.code,
                title=r.title,
                text=r.text,
                state=r.state,
                pairs=[s.pair_out(pair) for pair in r.pairs],
            )
            for r in rows
        ],
    )


@router.post(
    PROJECT + "/pairs/{int:pair_id}/review",
    response=s.PairOut,
    summary="Accept, reject, change (another target or relationship) or reset one pair",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
def review_pair(
    request: HttpRequest, slug: str, project_id: int, pair_id: int, payload: s.PairReviewIn
) -> s.PairOut:
    access = require(request, slug, Permission.EDIT_PROFILES)
    decision = services.Decision(
        payload.action, payload.relationship or "", payload.target, payload.note
    )
    pair = services.review(access, project_id, pair_id, decision, version=payload.version)
    return s.pair_out(pair)


class BulkQuery(Schema):
    threshold: float = Field(..., ge=0, le=1)
    best_only: bool = True


@router.get(
    PROJECT + "/bulk-accept",
    response=s.BulkPreviewOut,
    summary="How many unreviewed proposals a bulk accept at this score would accept",
    openapi_extra=needs(Permission.VIEW),
)
def preview_bulk(
    request: HttpRequest, slug: str, project_id: int, params: Query[BulkQuery]
) -> s.BulkPreviewOut:
    access = require(request, slug, Permission.VIEW)
    found = services.bulk_preview(access, project_id, params.threshold, best_only=params.best_only)
    return s.BulkPreviewOut(**found.__dict__)


@router.post(
    PROJECT + "/bulk-accept",
    response=s.BulkOut,
    summary="Accept every unreviewed proposal scoring at least the threshold",
    openapi_extra=needs(Permission.EDIT_PROFILES),
)
def bulk_accept(request: HttpRequest, slug: str, project_id: int, payload: s.BulkIn) -> s.BulkOut:
    access = require(request, slug, Permission.EDIT_PROFILES)
    done = services.bulk_accept(
        access,
        project_id,
        payload.threshold,
        best_only=payload.best_only,
        expected=payload.expected,
        relationship=payload.relationship,
    )
    return s.BulkOut(accepted=done)


@router.get(
    PROJECT + "/oscal",
    response={200: str},
    summary="The reviewed crosswalk as an OSCAL 1.2 mapping collection",
    openapi_extra={**OSCAL_FILE, **needs(Permission.EXPORT)},
)
def export_oscal(request: HttpRequest, slug: str, project_id: int) -> HttpResponse:
    access = require(request, slug, Permission.EXPORT)
    file = exports.export(access, project_id, "oscal-mapping")
    response = HttpResponse(file.content, content_type=file.media_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response
