"""The organization the person is working in, for the header's user menu.

It is the organization of the page being shown, or else the last one the
person opened (remembered in their session); the membership is re-checked,
so a removed member never sees the name again.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from csfpilot.webapp.organizations.permissions import find_access

SESSION_KEY = "csfpilot_current_org"


def remember(request: HttpRequest, slug: str) -> None:
    if hasattr(request, "session") and request.session.get(SESSION_KEY) != slug:
        request.session[SESSION_KEY] = slug


def current_organization(request: HttpRequest) -> dict[str, Any]:
    def _current() -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return None
        slug = request.session.get(SESSION_KEY)
        if not slug:
            return None
        access = find_access(request, slug)
        return access.organization if access else None

    return {"current_organization": SimpleLazyObject(_current)}
