"""Reads of jobs: an organization's, one of them, or (for the operator) all of them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from csfpilot.core.errors import NotFound
from csfpilot.webapp.jobs.models import ACTIVE, Job
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles.lookups import ensure

LIST_LIMIT = 100

# The upload can be megabytes; lists and pages never need it.
_LIGHT = ("upload",)


def _jobs() -> QuerySet[Job]:
    return Job.objects.select_related("created_by", "organization").defer(*_LIGHT)


def organization_jobs(access: Access, *, limit: int = LIST_LIMIT) -> list[Job]:
    """The organization's most recent jobs, newest first (one query)."""
    ensure(access, Permission.VIEW)
    return list(_jobs().filter(organization=access.organization)[:limit])


def job(access: Access, job_id: Any) -> Job:
    """One of the organization's jobs, or NotFound (also for another organization's job)."""
    ensure(access, Permission.VIEW)
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        raise NotFound(f"no job {job_id!r} in {access.organization.slug}") from None
    found = _jobs().filter(organization=access.organization, pk=pk).first()
    if found is None:
        raise NotFound(f"no job {pk} in {access.organization.slug}")
    return found


def any_active(jobs: list[Job]) -> bool:
    return any(j.status in ACTIVE for j in jobs)


def all_jobs(*, organization: str | None = None, limit: int = LIST_LIMIT) -> list[Job]:
    """Every job of the instance (the operator's view from the command line)."""
    qs = _jobs()
    if organization:
        qs = qs.filter(organization__slug=organization)
    return list(qs[:limit])


def job_by_id(job_id: int) -> Job:
    found = _jobs().filter(pk=job_id).first()
    if found is None:
        raise NotFound(f"no job {job_id}")
    return found
