"""Downloads of a framework or a crosswalk: OSCAL JSON, CSV and Excel.

The links sit on the framework and crosswalk pages, and like those pages
they need no account: the frameworks are published reference data. Each
file is built by :mod:`csfpilot.formats.framework_export` from the stored
rows (:mod:`csfpilot.webapp.catalog.export_queries`), exactly as
``csfpilot export`` builds it, and is sent as an attachment.
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from csfpilot.core.errors import NotFound
from csfpilot.formats.framework_export import (
    CROSSWALK_FORMATS,
    FRAMEWORK_FORMATS,
    ExportFile,
    export_crosswalk,
    export_framework,
)
from csfpilot.webapp.catalog import export_queries


def _attachment(file: ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.media_type)
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", file.filename)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(file.content))
    return response


@require_safe
def framework_download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    if fmt not in FRAMEWORK_FORMATS:
        raise Http404(f"no download format {fmt!r}")
    try:
        catalog = export_queries.catalog(key)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return _attachment(export_framework(catalog, fmt))


@require_safe
def crosswalk_download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    if fmt not in CROSSWALK_FORMATS:
        raise Http404(f"no download format {fmt!r}")
    try:
        ms = export_queries.mapping_set(key)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return _attachment(
        export_crosswalk(
            ms,
            fmt,
            source=export_queries.loaded_catalog(ms.info.source_framework),
            target=export_queries.loaded_catalog(ms.info.target_framework),
        )
    )
