"""``/api/organizations/{slug}/jobs``: an organization's background jobs, and starting them.

A started job answers 202 with the job; poll ``GET .../jobs/{id}`` for its
progress. Jobs of other organizations answer 404 like everything else there.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router
from ninja.errors import HttpError
from ninja.files import UploadedFile

from csfpilot.webapp.accounts.api_auth import api_auth, upload_auth
from csfpilot.webapp.jobs import queries, services
from csfpilot.webapp.jobs.profile_import import import_profile
from csfpilot.webapp.jobs.schemas import JobOut, job_out
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles.uploads import import_limit
from csfpilot.webapp.sectors.jobs import recompute_sector

router = Router(tags=["jobs"], auth=api_auth)
BASE = "/organizations/{slug}/jobs"


@router.get(
    BASE,
    response=list[JobOut],
    summary="The organization's recent jobs, newest first",
    openapi_extra=needs(Permission.VIEW),
)
def job_list(request: HttpRequest, slug: str) -> Any:
    access = require(request, slug, Permission.VIEW)
    return [job_out(j) for j in queries.organization_jobs(access)]


@router.get(
    BASE + "/{int:job_id}",
    response=JobOut,
    summary="One job: status, progress, error",
    openapi_extra=needs(Permission.VIEW),
)
def job_detail(request: HttpRequest, slug: str, job_id: int) -> Any:
    access = require(request, slug, Permission.VIEW)
    return job_out(queries.job(access, job_id))


@router.post(
    BASE + "/profile-import",
    response={202: JobOut},
    summary="Import a profile file in the background (YAML or JSON, within the import limit)",
    openapi_extra=needs(Permission.EDIT_PROFILES),
    auth=upload_auth(Permission.EDIT_PROFILES),
)
def start_import(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    name: Form[str] = "",
    replace: Form[bool] = False,
) -> Any:
    access = require(request, slug, Permission.EDIT_PROFILES)
    if file.size is not None and file.size > import_limit():
        raise HttpError(413, f"{file.name}: a profile file has at most {import_limit()} bytes")
    data = file.read(import_limit() + 1)
    if len(data) > import_limit():
        raise HttpError(413, f"{file.name}: a profile file has at most {import_limit()} bytes")
    job = services.enqueue(
        import_profile,
        access=access,
        label=f"Import {file.name}",
        upload=data,
        upload_name=file.name or "upload.yaml",
        name=name or None,
        replace=replace,
    )
    return 202, job_out(queries.job(access, job.pk))


@router.post(
    BASE + "/sector-recompute",
    response={202: JobOut},
    summary="Recompute the stored scores of the organization's sector in the background",
    openapi_extra=needs(Permission.EDIT_SETTINGS),
)
def start_recompute(request: HttpRequest, slug: str) -> Any:
    access = require(request, slug, Permission.EDIT_SETTINGS)
    # One at a time per organization: asking again while it is queued or running answers
    # with that job instead of queueing the same heavy work again.
    job = services.enqueue_once(
        recompute_sector,
        access=access,
        label="Recompute sector scores",
        dedupe_key=f"sector-recompute:org:{access.organization.pk}",
    )
    return 202, job_out(queries.job(access, job.pk))
