"""Serving a stored evidence file: always as an attachment, never rendered by the browser.

The file is streamed from the evidence storage (a folder or an S3 bucket) in
blocks as the client reads, never read whole first. Its name goes only into
``Content-Disposition`` (quoted or RFC 5987-encoded by Django, and cleaned of
control characters when it was stored); its type is the one decided from the
content when it was stored. ``nosniff`` and a sandboxing Content-Security-Policy
keep even a type a browser could render from running in the app's origin.
"""

from __future__ import annotations

from django.http import FileResponse

from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.organizations.permissions import Access


def file_response(access: Access, version: m.EvidenceVersion) -> FileResponse:
    """Stream one version's file, recording the download in the audit trail."""
    stored = version.stored_file
    assert stored is not None  # callers only offer downloads of file versions
    name = version.filename or stored.sha256
    response = FileResponse(
        blobs.open_stored(stored),
        as_attachment=True,
        filename=name,
        content_type=stored.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Content-Length"] = str(stored.size)
    audit.record_download(
        access,
        "evidence",
        version.item_id,
        label=version.item.title,
        filename=name,
        size=stored.size,
        fmt=stored.media_type,
    )
    return response
