"""Evidence files kept by content, through Django's storage API.

A file is streamed in chunks: hashed and counted as it arrives, spooled to a
temporary file (never held in memory whole), refused the moment it passes the
per-file limit or the organization's quota, and only then handed to the
``evidence`` storage (a folder by default; S3-compatible storage by setting,
see docs/evidence.md). The storage name is ``<organization id>/<hash[:2]>/<hash>``:
an uploaded name never becomes a path. The same bytes uploaded twice in one
organization are stored once.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db.models import Sum

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.evidence import sniffing
from csfpilot.webapp.evidence.models import StoredFile
from csfpilot.webapp.organizations.models import Organization

CHUNK = 1024 * 1024
# What the sniffer reads: enough for every signature and for a text file's first lines.
HEAD = 64 * 1024


class FileTooLarge(InputRefused):
    pass


class QuotaExceeded(InputRefused):
    pass


def storage() -> Storage:
    return storages["evidence"]


def storage_name(organization_id: int, sha256: str) -> str:
    return f"{organization_id}/{sha256[:2]}/{sha256}"


def used_bytes(organization: Organization) -> int:
    return StoredFile.objects.filter(organization=organization).aggregate(n=Sum("size"))["n"] or 0


@dataclass(frozen=True)
class Spooled:
    """A stream received in full and checked, not yet stored."""

    sha256: str
    size: int
    media_type: str
    handle: IO[bytes]


def spool(
    chunks: Iterable[bytes],
    *,
    filename: str,
    organization: Organization,
    max_bytes: int | None = None,
    media_type: str | None = None,
) -> Spooled:
    """Receive ``chunks`` into a temporary file, refusing as soon as a limit is passed.

    The caller closes ``handle`` (or passes the result to :func:`keep`). The
    type is decided from the first bytes; a file whose content is not an
    accepted evidence type (an HTML or SVG page under any name, an
    executable, an archive that is not an office document) is refused.
    A caller that reads the file itself (a scan import, whose reader decides
    what the file is) passes ``media_type`` and the content is not sniffed.
    """
    limit = settings.CSFPILOT_EVIDENCE_MAX_FILE_BYTES if max_bytes is None else max_bytes
    room = settings.CSFPILOT_EVIDENCE_QUOTA_BYTES - used_bytes(organization)
    digest = hashlib.sha256()
    size = 0
    head = bytearray()
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(
                    f"{filename}: the file is larger than the limit of "
                    f"{limit // (1024 * 1024)} MB per evidence file"
                )
            if size > room:
                raise QuotaExceeded(
                    f"{filename}: the organization's evidence storage quota of "
                    f"{settings.CSFPILOT_EVIDENCE_QUOTA_BYTES // (1024 * 1024)} MB would be "
                    "exceeded; retire or remove unused files first"
                )
            digest.update(chunk)
            if len(head) < HEAD:
                head.extend(chunk[: HEAD - len(head)])
            handle.write(chunk)
        if size == 0:
            raise InputRefused(f"{filename}: the file is empty")
        if media_type is None:
            media_type = sniffing.media_type(bytes(head), filename=filename, handle=handle)
        handle.seek(0)
        return Spooled(digest.hexdigest(), size, media_type, handle)
    except BaseException:
        handle.close()
        raise


def keep(organization: Organization, spooled: Spooled) -> StoredFile:
    """Store a spooled file (once per organization) and close its handle.

    Call inside the transaction that records the version using it; if that
    transaction fails, the stored bytes stay unreferenced and are removed by
    :func:`sweep`.
    """
    try:
        existing = StoredFile.objects.filter(
            organization=organization, sha256=spooled.sha256
        ).first()
        if existing is not None:
            return existing
        name = storage_name(organization.pk, spooled.sha256)
        store = storage()
        if not store.exists(name):
            saved = store.save(name, File(spooled.handle, name=spooled.sha256))
            if saved != name:  # pragma: no cover - the backend renamed it: refuse to lose it
                store.delete(saved)
                raise InputRefused(f"the storage could not keep {name}")
        return StoredFile.objects.create(
            organization=organization,
            sha256=spooled.sha256,
            size=spooled.size,
            media_type=spooled.media_type,
            storage_name=name,
        )
    finally:
        spooled.handle.close()


def chunks_of(handle: IO[bytes], size: int = CHUNK) -> Iterator[bytes]:
    while True:
        chunk = handle.read(size)
        if not chunk:
            return
        yield chunk


def open_stored(stored: StoredFile) -> IO[bytes]:
    return storage().open(stored.storage_name, "rb")


def verify(stored: StoredFile) -> bool:
    """Whether the stored bytes still have the hash they were stored under."""
    digest = hashlib.sha256()
    with open_stored(stored) as handle:
        for chunk in chunks_of(handle):
            digest.update(chunk)
    return digest.hexdigest() == stored.sha256


def sweep(organization: Organization) -> int:
    """Remove stored files no version references any more (after a failed save or a purge)."""
    removed = 0
    for stored in StoredFile.objects.filter(organization=organization, versions__isnull=True):
        storage().delete(stored.storage_name)
        StoredFile.objects.filter(pk=stored.pk).delete()
        removed += 1
    return removed
