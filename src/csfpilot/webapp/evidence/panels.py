"""The "Evidence" card on an organization's home page: what waits for the member."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from csfpilot.webapp.evidence import page_queries, queries
from csfpilot.webapp.organizations.panels import Panel
from csfpilot.webapp.organizations.permissions import Access


def _context(request: HttpRequest, access: Access) -> dict[str, Any] | None:
    today = timezone.localdate()
    return {
        "org": access.organization,
        "mine": page_queries.open_requests_for(access),
        "expiring": queries.expiring_counts(access.organization, today=today)[30],
    }


EVIDENCE = Panel("evidence", "evidence/panels/evidence.html", _context, order=60)
