"""The "Background jobs" card on an organization's home page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from csfpilot.webapp.jobs.models import ACTIVE, Job
from csfpilot.webapp.organizations.panels import Panel
from csfpilot.webapp.organizations.permissions import Access


def _context(request: HttpRequest, access: Access) -> dict[str, Any] | None:
    recent = list(
        Job.objects.filter(organization=access.organization)
        .only("id", "label", "status", "progress_done", "progress_total", "created_at")
        .order_by("-created_at", "-id")[:3]
    )
    active = sum(j.status in ACTIVE for j in recent)
    return {"org": access.organization, "recent": recent, "active": active}


JOBS = Panel("jobs", "jobs/panels/jobs.html", _context, order=80)
