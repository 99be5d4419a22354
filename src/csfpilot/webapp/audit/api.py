"""``/api/organizations/{slug}/audit``: the audit trail for owners and auditors.

Through ``permissions.require`` like every endpoint: another tenant answers
404, a role without ``audit.view`` 403.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError

from csfpilot.webapp.accounts.api_auth import api_auth
from csfpilot.webapp.audit import exports, queries
from csfpilot.webapp.audit.schemas import ChainOut, EventPage, EventQuery
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission

router = Router(tags=["audit"], auth=api_auth)
MAX_LIMIT = 500


@router.get(
    "/organizations/{slug}/audit/events",
    response=EventPage,
    summary="Audit events, newest first (owner, auditor)",
    openapi_extra=needs(Permission.VIEW_AUDIT_TRAIL),
)
def list_events(request: HttpRequest, slug: str, params: Query[EventQuery]) -> dict:
    access = require(request, slug, Permission.VIEW_AUDIT_TRAIL)
    if not 1 <= params.limit <= MAX_LIMIT or params.offset < 0:
        raise HttpError(400, f"limit is 1 to {MAX_LIMIT} and offset at least 0")
    filters = queries.Filters(params.type, params.actor, params.since, params.until)
    qs = queries.events(access.organization, filters)
    rows = list(qs[params.offset : params.offset + params.limit])
    return {
        "count": qs.count(),
        "offset": params.offset,
        "limit": params.limit,
        "events": [exports.event_json(e) for e in rows],
    }


@router.get(
    "/organizations/{slug}/audit/verify",
    response=ChainOut,
    summary="Check the audit trail's hash chain (owner, auditor)",
    openapi_extra=needs(Permission.VIEW_AUDIT_TRAIL),
)
def verify_chain(request: HttpRequest, slug: str) -> dict:
    access = require(request, slug, Permission.VIEW_AUDIT_TRAIL)
    verdict = queries.verify_organization(access.organization)
    broken = verdict.broken
    return {
        "organization": access.organization.slug,
        "checked": verdict.checked,
        "ok": verdict.ok,
        "head": verdict.head,
        "broken_seq": broken.seq if broken else None,
        "broken_id": broken.entry_id if broken else None,
        "problem": broken.problem if broken else "",
    }
