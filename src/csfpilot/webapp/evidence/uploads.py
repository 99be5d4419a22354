"""Receiving an evidence file from a request, for the pages and the API alike."""

from __future__ import annotations

from django.http import HttpRequest

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.organizations.models import Organization


def spool_upload(
    request: HttpRequest, field: str, organization: Organization
) -> tuple[blobs.Spooled, str]:
    """The uploaded file of ``field``, spooled and checked, and the name it was sent with."""
    upload = request.FILES.get(field)
    if upload is None:
        raise InputRefused("choose a file to upload", field=field)
    name = upload.name or "file"
    return blobs.spool(upload.chunks(blobs.CHUNK), filename=name, organization=organization), name
