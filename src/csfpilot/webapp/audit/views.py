"""The audit trail page and its CSV and JSON downloads (owners and auditors only)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from csfpilot.webapp.audit import exports, queries, services
from csfpilot.webapp.audit.forms import FilterForm
from csfpilot.webapp.audit.presenting import present
from csfpilot.webapp.organizations.decorators import org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission

EVENTS_PER_PAGE = 50


def _form(request: HttpRequest, access: Access) -> FilterForm:
    org = access.organization
    return FilterForm(
        request.GET or None, types=queries.object_types(org), actors=queries.actors(org)
    )


@org_view(Permission.VIEW_AUDIT_TRAIL)
@require_http_methods(["GET"])
def event_list(request: HttpRequest, access: Access) -> HttpResponse:
    form = _form(request, access)
    events = queries.events(access.organization, form.filters())
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/events.html",
        {
            "access": access,
            "org": access.organization,
            "form": form,
            "page": page,
            "events": [present(e) for e in page],
            "query": query.urlencode(),
            "total": page.paginator.count,
        },
    )


def _download(access: Access, body: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Recorded after the export was read, so the file does not hold its own download.
    services.record_download(
        access,
        "audit_trail",
        access.organization.slug,
        label=filename,
        filename=filename,
        size=len(body),
        fmt=filename.rsplit(".", 1)[-1],
    )
    return response


@org_view(Permission.VIEW_AUDIT_TRAIL)
@require_http_methods(["GET"])
def export_csv(request: HttpRequest, access: Access) -> HttpResponse:
    events = queries.events(access.organization, _form(request, access).filters()).order_by("seq")
    return _download(
        access,
        exports.csv_export(events.iterator()),
        f"{access.organization.slug}-audit-trail.csv",
        "text/csv; charset=utf-8",
    )


@org_view(Permission.VIEW_AUDIT_TRAIL)
@require_http_methods(["GET"])
def export_json(request: HttpRequest, access: Access) -> HttpResponse:
    events = queries.events(access.organization, _form(request, access).filters()).order_by("seq")
    return _download(
        access,
        exports.json_export(access.organization.slug, events.iterator()),
        f"{access.organization.slug}-audit-trail.json",
        "application/json",
    )
