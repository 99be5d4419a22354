"""The "API access" section of an organization's home page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from csfpilot.webapp.accounts.models import ApiToken
from csfpilot.webapp.organizations.panels import Panel
from csfpilot.webapp.organizations.permissions import Access


def _context(request: HttpRequest, access: Access) -> dict[str, Any] | None:
    if access.via_token:
        return None
    active = ApiToken.objects.filter(
        user_id=access.membership.user_id,
        organization=access.organization,
        revoked__isnull=True,
        expires__gt=timezone.now(),
    ).count()
    return {"active_tokens": active, "org": access.organization}


API_ACCESS = Panel("api-access", "accounts/panels/api_access.html", _context, order=95)
