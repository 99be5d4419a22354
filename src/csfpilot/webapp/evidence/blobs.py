"""Evidence files kept by content, through Django's storage API.

A file is streamed in chunks: hashed and counted as it arrives, spooled to a
temporary file (never held in memory whole), refused the moment it passes the
per-file limit or the organization's quota, and only then handed to the
``evidence`` storage (a folder by default; S3-compatible storage by setting,
see docs/evidence.md, "Storage"). The storage name is ``<organization id>/<hash[:2]>/<hash>``:
an uploaded name never becomes a path. The same bytes uploaded twice in one
organization are stored once.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.evidence import sniffing
from csfpilot.webapp.evidence.models import StoredFile
from csfpilot.webapp.organizations.models import Organization

CHUNK = 1024 * 1024
# The type of a file received for a reader that decides what it is (a scanner's results).
UNREAD = "application/octet-stream"
# Bytes in the storage without a row are removed by sweep() only when older than this.
ORPHAN_AGE = timedelta(hours=1)
# What the sniffer reads: enough for every signature and for a text file's first lines.
HEAD = 64 * 1024


class FileTooLarge(InputRefused):
    http_status = 413


class QuotaExceeded(InputRefused):
    http_status = 413


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
    filename: str = ""  # as messages show it


class Receiver:
    """One file arriving in chunks: hashed, counted and spooled as each chunk comes.

    :meth:`feed` refuses the chunk that passes the per-file limit or the
    organization's remaining quota, so a caller reading a network stream stops
    there instead of receiving the rest; :meth:`finish` decides the type and
    hands over the :class:`Spooled` file. After a refusal the temporary file is
    already gone. The temporary file has no name in any folder (it is unlinked
    as it is created), so an interrupted upload leaves nothing behind.
    """

    def __init__(
        self,
        filename: str,
        *,
        organization: Organization | None,
        max_bytes: int | None = None,
        used: int = 0,
    ) -> None:
        self.filename = filename
        self.limit = settings.CSFPILOT_EVIDENCE_MAX_FILE_BYTES if max_bytes is None else max_bytes
        taken = used_bytes(organization) if organization is not None else 0
        # ``used``: bytes of earlier files of the same request, not stored yet.
        self.room = settings.CSFPILOT_EVIDENCE_QUOTA_BYTES - taken - used
        self.size = 0
        self._digest = hashlib.sha256()
        self._head = bytearray()
        self._handle: IO[bytes] | None = tempfile.TemporaryFile()  # noqa: SIM115 - see close()

    def feed(self, chunk: bytes) -> None:
        if self._handle is None:
            raise RuntimeError("the file was already finished or refused")
        self.size += len(chunk)
        try:
            if self.size > self.limit:
                raise FileTooLarge(
                    f"{self.filename}: the file is larger than the limit of "
                    f"{_mib(self.limit)} MB per evidence file"
                )
            if self.size > self.room:
                raise QuotaExceeded(_over_quota(self.filename))
        except InputRefused:
            self.discard()
            raise
        self._digest.update(chunk)
        if len(self._head) < HEAD:
            self._head.extend(chunk[: HEAD - len(self._head)])
        self._handle.write(chunk)

    def finish(self, media_type: str | None = None) -> Spooled:
        """The received file, checked; the caller closes its handle (or passes it to keep).

        ``media_type``, when given, is taken as the file's type without sniffing: for a
        caller that parses the file itself (a scan import, whose reader decides what it is).
        """
        handle = self._handle
        if handle is None:
            raise RuntimeError("the file was already finished or refused")
        try:
            if self.size == 0:
                raise InputRefused(f"{self.filename}: the file is empty")
            if media_type is None:
                media_type = sniffing.media_type(
                    bytes(self._head), filename=self.filename, handle=handle
                )
        except BaseException:
            self.discard()
            raise
        handle.seek(0)
        self._handle = None
        return Spooled(self._digest.hexdigest(), self.size, media_type, handle, self.filename)

    def discard(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g}"


def _over_quota(filename: str) -> str:
    return (
        f"{filename}: the organization's evidence storage quota of "
        f"{_mib(settings.CSFPILOT_EVIDENCE_QUOTA_BYTES)} MB would be exceeded; "
        "retire or remove unused files first"
    )


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
    executable, an archive that is not an office document, XML that declares
    entities) is refused. A caller that reads the file itself passes
    ``media_type`` (see :meth:`Receiver.finish`).
    """
    receiver = Receiver(filename, organization=organization, max_bytes=max_bytes)
    try:
        for chunk in chunks:
            receiver.feed(chunk)
        return receiver.finish(media_type)
    finally:
        receiver.discard()


def keep(organization: Organization, spooled: Spooled) -> StoredFile:
    """Store a spooled file (once per organization) and close its handle.

    Call inside the transaction that records the version using it. The quota is
    checked again here, with the organization's row locked until that
    transaction ends, so that two uploads received at the same time cannot
    together pass it. If the transaction fails after the bytes were stored, they
    are left without a row and :func:`sweep` removes them later.
    """
    try:
        existing = StoredFile.objects.filter(
            organization=organization, sha256=spooled.sha256
        ).first()
        if existing is not None:
            return existing
        name = storage_name(organization.pk, spooled.sha256)
        store = storage()
        added = False
        if not store.exists(name):
            # Before the lock: sending a large file to object storage takes seconds.
            saved = store.save(name, File(spooled.handle, name=spooled.sha256))
            added = True
            if saved != name:  # pragma: no cover - the backend renamed it: refuse to lose it
                store.delete(saved)
                raise InputRefused(f"the storage could not keep {name}")
        try:
            with transaction.atomic():
                list(
                    Organization.objects.select_for_update()
                    .filter(pk=organization.pk)
                    .values_list("pk", flat=True)
                )
                if used_bytes(organization) + spooled.size > settings.CSFPILOT_EVIDENCE_QUOTA_BYTES:
                    raise QuotaExceeded(_over_quota(spooled.filename or spooled.sha256))
                return StoredFile.objects.create(
                    organization=organization,
                    sha256=spooled.sha256,
                    size=spooled.size,
                    media_type=spooled.media_type,
                    storage_name=name,
                )
        except QuotaExceeded:
            if added:
                store.delete(name)
            raise
    finally:
        spooled.handle.close()


def chunks_of(handle: IO[bytes], size: int = CHUNK) -> Iterator[bytes]:
    while True:
        chunk = handle.read(size)
        if not chunk:
            return
        yield chunk


def open_stored(stored: StoredFile) -> IO[bytes]:
    """The stored bytes as a stream: read from the folder or the bucket as the caller reads."""
    store = storage()
    stream = getattr(store, "open_stream", None)
    if stream is not None:
        opened: IO[bytes] = stream(stored.storage_name)
        return opened
    return store.open(stored.storage_name, "rb")


def verify(stored: StoredFile) -> bool:
    """Whether the stored bytes still have the hash they were stored under."""
    digest = hashlib.sha256()
    with open_stored(stored) as handle:
        for chunk in chunks_of(handle):
            digest.update(chunk)
    return digest.hexdigest() == stored.sha256


def sweep(organization: Organization, *, now: datetime | None = None) -> int:
    """Remove what no version uses any more: stored-file rows without a version (after an
    item was removed) and their bytes, and bytes in the storage without a row (left by a
    transaction that failed after storing them) once they are older than ``ORPHAN_AGE``."""
    removed = 0
    store = storage()
    for stored in StoredFile.objects.filter(organization=organization, versions__isnull=True):
        store.delete(stored.storage_name)
        StoredFile.objects.filter(pk=stored.pk).delete()
        removed += 1
    known = set(
        StoredFile.objects.filter(organization=organization).values_list("storage_name", flat=True)
    )
    cutoff = (now or timezone.now()) - ORPHAN_AGE
    for name in _names_in_storage(organization):
        # A younger object may belong to an upload whose transaction is still running.
        if name not in known and store.get_modified_time(name) < cutoff:
            store.delete(name)
            removed += 1
    return removed


def _names_in_storage(organization: Organization) -> Iterator[str]:
    store = storage()
    root = str(organization.pk)
    try:
        folders, _ = store.listdir(root)
    except FileNotFoundError:
        return
    for folder in folders:
        for name in store.listdir(f"{root}/{folder}")[1]:
            yield f"{root}/{folder}/{name}"
