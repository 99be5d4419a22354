"""``/api/organizations/{slug}/profiles/{id}/reports/{kind}``: a report as a file.

``kind`` is ``brief`` or ``workpaper``; ``format`` is ``html``, ``pdf``,
``xlsx``, ``md`` or ``docx`` (the brief only). The caller needs the export
permission (owners, assessors, auditors); the organization's own template is
applied as on the web page. ``Accept-Language`` (or the ``lang`` parameter)
chooses the language of the report's own words. ``disposition=inline`` serves an HTML
report to be read in the browser (under the report's own Content-Security-Policy)
instead of as a download. A template error or render limit is a 400 problem; too many
reports being made at once a 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Query, Router

from csfpilot.reports.render import FORMATS, check_format
from csfpilot.webapp.accounts.api_auth import api_auth
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.permissions import needs, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.reports import rendering
from csfpilot.webapp.reports.responses import check_disposition, report_response

router = Router(tags=["reports"], auth=api_auth)

CONTENT = {spec.media_type.split(";")[0]: {} for spec in FORMATS.values()}


@router.get(
    "/organizations/{slug}/profiles/{int:profile_id}/reports/{kind}",
    response={200: str},
    summary="A board brief or a detailed workpaper as HTML, PDF, XLSX, Markdown or DOCX",
    openapi_extra={
        "responses": {
            200: {"description": "The report file", "content": CONTENT},
            429: {
                "description": "Too many reports are being made at once (for the caller or "
                "the installation); Retry-After says when to ask again",
                "content": {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                },
            },
        },
        **needs(Permission.EXPORT),
    },
)
def report_file(
    request: HttpRequest,
    slug: str,
    profile_id: int,
    kind: Literal["brief", "workpaper"],
    format: Literal["html", "pdf", "xlsx", "md", "docx"] = "pdf",
    lang: Literal["en", "zh-hant"] | None = None,
    disposition: Literal["attachment", "inline"] = "attachment",
    transfer_to: str = Query(
        "",
        description="Comma-separated framework keys (at most 5) whose sections show the "
        "results transferred to them, e.g. sp800-53r5,cis-v8.1",
    ),
) -> HttpResponse:
    access = require(request, slug, Permission.EXPORT)
    spec = check_format(kind, format)
    check_disposition(disposition, format)
    with translation.override(lang or translation.get_language()):
        name, data = rendering.made_file(
            access, profile_id, kind, format, [k for k in transfer_to.split(",") if k]
        )
    audit.record_download(
        access, "report", profile_id, label=name, filename=name, size=len(data), fmt=format
    )
    return report_response(data, spec, name, disposition)
