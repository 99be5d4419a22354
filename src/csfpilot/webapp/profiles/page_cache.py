"""A profile's overview, dashboard and questionnaire kept whole for the reader who saw them.

The outcome-wide parts of these pages are kept already (:mod:`.fragments`); what is left of
a repeat view is the page around them, drawn for each reader. This keeps the whole page,
keyed by everything it shows and everyone it is drawn for:

- the state of what the profile's pages and reports are made from, read in one statement
  (:func:`csfpilot.webapp.reports.report_key.state`: the profile and its release, outcome
  rows, Tiers, action plan, snapshots, evidence and their reviews, scan tallies, the
  organization's row and the last change in its and the instance's audit trails; for the
  questionnaire, whose help follows them, also the loaded releases and crosswalks);
- the identity generation (:mod:`csfpilot.webapp.accounts.identity_cache`), which moves with
  every change to users, sessions, memberships and tokens: the page's header names the
  reader and their organizations;
- the reader (user and role), the address, the language, the day and time
  zone, and a digest of csfpilot's code, templates and translations.

The page is drawn with a placeholder where its forms carry the CSRF token, and the reader's
token is put in when it is served. Pages asked for with a query string, pages with messages
waiting (shown once), HTMX requests and requests outside the identity generation's reach
are drawn as before and not kept.
Kept pages live in the ``pages`` cache: 150 per process (or Redis, where configured).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from csfpilot.webapp.accounts import identity_cache
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.reports import report_key

# Different in every process, so that no text a user typed can stand for it.
_PLACEHOLDER = f"csfpilot-csrf-{secrets.token_hex(16)}"
_DRAWING = "_csfpilot_page_drawing"
ALIAS = "pages"


def csrf_placeholder(request: HttpRequest) -> dict[str, Any]:
    """Context processor: while a page is drawn to be kept, its forms get the placeholder."""
    return {"csrf_token": _PLACEHOLDER} if getattr(request, _DRAWING, False) else {}


def _key(
    request: HttpRequest, access: Access, profile_id: Any, page: str, catalog: bool
) -> str | None:
    # A query string is the reader's to choose: pages asked for with one (a filtered gap
    # list, an outcome or Category of the questionnaire) are drawn each time, so that made-up
    # queries cannot fill the cache.
    if request.GET or request.headers.get("HX-Request") or len(get_messages(request)):
        return None
    generation = identity_cache.generation()
    if generation is None:
        return None
    state = report_key.state(access, profile_id, transfers=catalog)
    if state is None:
        return None
    parts = (
        page,
        report_key.code_digest(),
        request.path,
        request.user.pk,
        access.membership.role,
        sorted(p.value for p in access.permissions),
        access.via_token,
        generation,
        get_language() or "en",
        timezone.localdate().isoformat(),
        timezone.get_current_timezone_name(),
        state,
    )
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _served(request: HttpRequest, html: str, headers: list[tuple[str, str]]) -> HttpResponse:
    response = HttpResponse(html.replace(_PLACEHOLDER, get_token(request)))
    for name, value in headers:
        response[name] = value
    return response


def kept_page(
    page: str, *, catalog: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """For a profile page's view ``(request, access, pk, ...)`` under ``@profile_page``;
    ``catalog``: the page also shows NIST's help, which follows the loaded releases and
    crosswalks (part of the key then)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, access: Access, pk: Any, *args: Any, **kwargs: Any):
            key = _key(request, access, pk, page, catalog)
            if key is None:
                return view(request, access, pk, *args, **kwargs)
            kept = caches[ALIAS].get(key)
            if kept is not None:
                return _served(request, *kept)
            setattr(request, _DRAWING, True)
            try:
                response = view(request, access, pk, *args, **kwargs)
            finally:
                setattr(request, _DRAWING, False)
            if response.streaming:
                return response
            html = response.content.decode(response.charset)
            if response.status_code == 200 and not response.cookies:
                headers = [(k, v) for k, v in response.items() if k.lower() != "content-length"]
                caches[ALIAS].set(key, (html, headers))
            response.content = html.replace(_PLACEHOLDER, get_token(request))
            return response

        return wrapper

    return decorate
