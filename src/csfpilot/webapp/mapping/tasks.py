"""Proposals for a large framework, made in the background by ``csfpilot worker``."""

from __future__ import annotations

from typing import Any

from csfpilot.core.errors import NotFound
from csfpilot.webapp.jobs.registry import job_function
from csfpilot.webapp.jobs.runs import JobRun
from csfpilot.webapp.organizations.roles import Permission


@job_function(permission=Permission.EDIT_PROFILES, max_attempts=2)
def suggest_for_project(run: JobRun, *, project_id: int) -> dict[str, Any]:
    """Ask the mapping assistant for every requirement of the project and store the proposals
    (one transaction: a failed run stores none and leaves the project's message)."""
    from csfpilot.webapp.mapping import services

    if run.access is None:
        raise NotFound("a mapping project belongs to an organization")
    made = services.make_proposals(run.access, project_id, progress=run.progress)
    run.progress(2, 2, "Done")
    return {"project_id": project_id, "pairs": made}
