"""The "Crosswalk reviews" card on an organization's home page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from csfpilot.webapp.mapping.models import MappingProject
from csfpilot.webapp.organizations.panels import Panel
from csfpilot.webapp.organizations.permissions import Access


def _context(request: HttpRequest, access: Access) -> dict[str, Any] | None:
    recent = list(
        MappingProject.objects.filter(organization=access.organization)
        .select_related("source_framework", "target_framework")
        .order_by("-created_at", "-id")[:3]
    )
    return {"org": access.organization, "recent": recent}


CROSSWALKS = Panel("mapping", "mapping/panels/projects.html", _context, order=70)
