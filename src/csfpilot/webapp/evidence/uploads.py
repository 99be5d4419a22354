"""Receiving an evidence file from a request, for the pages and the API alike.

On the evidence routes the file was already received, checked and spooled while
the body arrived (upload_handler.py); elsewhere (a test client, a route outside
the evidence prefix) it is spooled here from Django's upload, with the same
checks.
"""

from __future__ import annotations

from django.http import HttpRequest

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.evidence import blobs, upload_handler
from csfpilot.webapp.organizations.models import Organization


def spool_upload(
    request: HttpRequest, field: str, organization: Organization, *, unread: bool = False
) -> tuple[blobs.Spooled, str]:
    """The uploaded file of ``field``, spooled and checked, and the name it was sent with.

    Raises :class:`InputRefused` naming the file when it was refused: too large,
    over the organization's quota, of a type not accepted, or with a name that
    is a path. ``unread``: the caller's reader decides what the file is (a scanner's
    results), so its type is not sniffed here.
    """
    upload = request.FILES.get(field)
    handler = upload_handler.handler_of(request)
    if handler is not None and handler.stopped is not None:
        raise handler.stopped
    if upload is None:
        raise InputRefused("choose a file to upload", field=field)
    if isinstance(upload, upload_handler.RefusedUpload):
        raise upload.refusal
    name = upload.name or "file"
    if (
        isinstance(upload, upload_handler.EvidenceUpload)
        and upload.organization_id == organization.pk
    ):
        return upload.spooled, name
    spooled = blobs.spool(
        upload.chunks(blobs.CHUNK),
        filename=upload_handler.shown_name(name),
        organization=organization,
        media_type=blobs.UNREAD if unread else None,
    )
    return spooled, name
