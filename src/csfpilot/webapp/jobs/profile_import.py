"""A profile file imported in the background: for files too big to wait for on a page."""

from __future__ import annotations

from typing import Any

from csfpilot.core.errors import NotFound
from csfpilot.webapp.jobs.registry import job_function
from csfpilot.webapp.jobs.runs import JobRun
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import exchange


@job_function(permission=Permission.EDIT_PROFILES)
def import_profile(
    run: JobRun, *, name: str | None = None, replace: bool = False
) -> dict[str, Any]:
    """Store the uploaded profile file in the organization, as the import page would.

    The import is all or nothing (one transaction): a refused file stores
    nothing and fails the job with the reader's message naming file, line and
    field. The organization's sector scores are brought up to date after it.
    """
    if run.access is None:
        raise NotFound("a profile import belongs to an organization")
    run.progress(0, 2, "Reading and storing the file")
    result = exchange.import_profile_file(
        run.access,
        run.upload,
        filename=run.upload_name or "upload.yaml",
        name=name,
        replace_existing=replace,
    )
    run.progress(1, 2, "Updating the sector scores")
    from csfpilot.webapp.sectors.services import refresh

    refresh([run.access.organization.pk])
    run.progress(2, 2, "Done")
    return {
        "profile_id": result.profile.pk,
        "profile": result.profile.name,
        "created": result.created,
        "warnings": list(result.warnings),
    }
