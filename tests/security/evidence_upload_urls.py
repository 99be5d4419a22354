"""The project's URLs plus an evidence upload and a download route that exist only in tests.

The upload view does what the evidence pages and API do with a file: receive it
with ``uploads.spool_upload`` and store it with ``services.add_item``; the download
view serves a version through ``downloads.file_response``. Both sit under the
evidence prefix, so the request limits and the upload handler treat them as the
real routes.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.config.urls import urlpatterns as site_urlpatterns
from csfpilot.webapp.evidence import downloads, services, uploads
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.organizations.decorators import org_view
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission

UPLOAD = "/orgs/{slug}/evidence/test-upload/"
API_UPLOAD = "/api/organizations/{slug}/evidence/test-upload"
DOWNLOAD = "/orgs/{slug}/evidence/test-download/{version}/"


@org_view(Permission.ADD_EVIDENCE)
def upload(request: HttpRequest, access: Access) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        spooled, name = uploads.spool_upload(request, "file", access.organization)
        row = services.add_item(
            access,
            services.ItemFields(title=request.POST.get("title") or name, kind="record"),
            services.Content(spooled=spooled, filename=name),
        )
    except InputRefused as exc:
        return HttpResponse(
            str(exc), status=getattr(exc, "http_status", 400), content_type="text/plain"
        )
    version = row.versions.get()
    return JsonResponse(
        {"item": row.pk, "version": version.pk, "sha256": version.stored_file.sha256},
        status=201,
    )


@csrf_exempt
@org_view(Permission.ADD_EVIDENCE)
def api_upload(request: HttpRequest, access: Access) -> HttpResponse:
    """As an API operation with a required file field: a missing one is a 422."""
    if "file" not in request.FILES:
        return JsonResponse({"detail": "file: field required"}, status=422)
    return upload.__wrapped__(request, access)


@org_view(Permission.VIEW)
def download(request: HttpRequest, access: Access, version: int) -> HttpResponse:
    found = get_object_or_404(m.EvidenceVersion, pk=version, item__organization=access.organization)
    return downloads.file_response(access, found)


urlpatterns = [
    path("orgs/<slug:slug>/evidence/test-upload/", upload),
    path("api/organizations/<slug:slug>/evidence/test-upload", api_upload),
    path("orgs/<slug:slug>/evidence/test-download/<int:version>/", download),
    *site_urlpatterns,
]
