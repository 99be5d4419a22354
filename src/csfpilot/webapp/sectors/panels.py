"""The "Sector benchmark" card on an organization's home page (no aggregate is computed here)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from csfpilot.webapp.organizations.panels import Panel
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.organizations.sectors import Sector


def _context(request: HttpRequest, access: Access) -> dict[str, Any] | None:
    sector = access.organization.sector
    return {
        "org": access.organization,
        "sector_label": Sector(sector).label if sector else "",
        "can_edit": access.can(Permission.EDIT_SETTINGS),
    }


SECTOR = Panel("sector", "sectors/panels/sector.html", _context, order=70)
