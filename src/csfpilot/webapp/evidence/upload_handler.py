"""Evidence files received as the request body arrives, never held in memory whole.

Every other upload on the site is bounded by ``CSFPILOT_MAX_REQUEST_MB`` before
a byte is read (site/request_limits.py). An evidence file may be far larger
(``CSFPILOT_EVIDENCE_MAX_FILE_MB``), so requests to the evidence routes are
recognised by their path and treated differently:

- the pages under ``/orgs/<slug>/evidence/`` and the API under
  ``/api/organizations/<slug>/evidence`` may send a body up to the per-file
  limit plus what Django accepts for the form's other fields
  (``DATA_UPLOAD_MAX_MEMORY_SIZE``); nothing else changes for them;
- their file parts go to :class:`EvidenceUploadHandler` instead of Django's
  handlers: each chunk is hashed, counted and written to an unnamed temporary
  file as it arrives (:class:`blobs.Receiver`); the chunk that passes the
  per-file limit or the organization's quota stops the upload there, and the
  rest of the body is never read (the server then closes the connection);
- a file name that is a path or holds control characters (``../x.pdf``,
  ``a\\x00.pdf``) is refused before the file is read, instead of being cut to
  its last part;
- when the file is complete its type is decided from its content
  (:mod:`sniffing`).

A refused file reaches the view as a :class:`RefusedUpload` (so that a form or
an API schema requiring the field does not answer "missing file" instead), and
:func:`uploads.spool_upload` raises the refusal, naming the file.

Nothing reaches the storage before the view stores the spooled file, so a
refused upload leaves no row, no stored object and no temporary file.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import ImmutableList

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.organizations.models import Organization

# The evidence routes, pages and API: both start with the organization's slug.
_UPLOAD_PATHS = (
    re.compile(r"^/orgs/(?P<slug>[-a-zA-Z0-9_]+)/evidence/"),
    re.compile(r"^/api/organizations/(?P<slug>[-a-zA-Z0-9_]+)/evidence(?:/|$)"),
)
# Scanner imports, page and API.
_SCAN_PATH = re.compile(r"/evidence/scans(?:/import)?/?$")
# What the form's other fields may add to a request (Django's own default when unset).
_FIELDS_DEFAULT = 2_621_440
SHOWN_NAME = 120
_ATTRIBUTE = "evidence_upload_handler"


class UnsafeName(InputRefused):
    pass


def upload_slug(path: str) -> str | None:
    """The organization slug of an evidence route, or None for every other path."""
    for pattern in _UPLOAD_PATHS:
        found = pattern.match(path)
        if found:
            return found["slug"]
    return None


def is_page(path: str) -> bool:
    return _UPLOAD_PATHS[0].match(path) is not None


def body_allowance() -> int:
    """The largest request body an evidence route accepts: one file and the form's fields."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return int(settings.CSFPILOT_EVIDENCE_MAX_FILE_BYTES + (fields or _FIELDS_DEFAULT))


def shown_name(name: str) -> str:
    """A received file name as messages show it: printable and not too long."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in name)
    return cleaned if len(cleaned) <= SHOWN_NAME else cleaned[: SHOWN_NAME - 1] + "…"


class EvidenceUpload(UploadedFile):
    """A file part received and checked: its :class:`blobs.Spooled` file is ready to keep."""

    def __init__(self, spooled: blobs.Spooled, name: str, organization_id: int | None) -> None:
        super().__init__(spooled.handle, name, spooled.media_type, spooled.size)
        self.spooled = spooled
        self.organization_id = organization_id


class RefusedUpload(UploadedFile):
    """Stands for a refused file part, so that a form or API schema that requires the field
    still reaches the view, where :func:`uploads.spool_upload` raises ``refusal``. Empty."""

    def __init__(self, name: str, refusal: InputRefused) -> None:
        super().__init__(io.BytesIO(), name or "file", "application/octet-stream", 0)
        self.refusal = refusal


class EvidenceUploadHandler(FileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, request: HttpRequest, slug: str) -> None:
        super().__init__(request)
        self.slug = slug
        # A scanner's results are read by their own reader, which decides what the file is
        # (an XCCDF result holds XHTML descriptions): only its limit applies here.
        self.scan = _SCAN_PATH.search(request.path) is not None
        self._organization: Organization | bool | None = False  # looked up at the first file
        self.received = 0  # bytes of the request's earlier files
        self.receiver: blobs.Receiver | None = None
        self.raw_name = ""  # the file name as sent, before Django cut it to its last part
        # The refusal that stopped the upload, and the field it stopped in.
        self.stopped: InputRefused | None = None
        self.stopped_field = ""

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        raw = html.unescape(self.raw_name)  # Django unescapes character references too
        if any(ch in "/\\" or unicodedata.category(ch).startswith("C") for ch in raw):
            self.stop(
                UnsafeName(
                    f"{shown_name(self.raw_name)}: a file name must not hold a folder (/ or \\) "
                    "or control characters; rename the file and upload it again"
                )
            )
        self.receiver = blobs.Receiver(
            shown_name(file_name),
            organization=self.organization,
            used=self.received,
            max_bytes=settings.CSFPILOT_EVIDENCE_SCAN_MAX_BYTES if self.scan else None,
        )

    @property
    def organization(self) -> Organization | None:
        if self._organization is False:
            self._organization = Organization.objects.filter(slug=self.slug).first()
        return self._organization or None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self.receiver is not None
        try:
            self.receiver.feed(raw_data)
        except InputRefused as exc:
            self.stop(exc)

    def file_complete(self, file_size: int) -> UploadedFile | None:
        receiver, self.receiver = self.receiver, None
        if receiver is None:
            return None
        try:
            spooled = receiver.finish(blobs.UNREAD if self.scan else None)
        except InputRefused as exc:
            return RefusedUpload(self.file_name, exc)
        self.received += spooled.size
        return EvidenceUpload(
            spooled, self.file_name, self.organization.pk if self.organization else None
        )

    def upload_interrupted(self) -> None:
        self.discard()

    def discard(self) -> None:
        if self.receiver is not None:
            self.receiver.discard()
            self.receiver = None

    def stop(self, refusal: InputRefused) -> None:
        """Refuse the request's upload: nothing more of the body is read."""
        self.discard()
        self.stopped = refusal
        self.stopped_field = self.field_name or ""
        raise StopUpload(connection_reset=True)


class _EvidenceParser(MultiPartParser):
    """Django's parser, telling the evidence handler each file's name as sent, and leaving a
    :class:`RefusedUpload` in the field of a stopped upload."""

    def _handler(self) -> EvidenceUploadHandler:
        return next(h for h in self._upload_handlers if isinstance(h, EvidenceUploadHandler))

    def sanitize_file_name(self, file_name: str) -> str | None:
        self._handler().raw_name = file_name
        return super().sanitize_file_name(file_name)

    def parse(self) -> Any:
        post, files = super().parse()
        handler = self._handler()
        if handler.stopped is not None and handler.stopped_field:
            files.setlist(
                handler.stopped_field, [RefusedUpload(handler.file_name, handler.stopped)]
            )
        return post, files


def install(request: HttpRequest, slug: str) -> None:
    """Receive this request's files with :class:`EvidenceUploadHandler` (before any read)."""
    handler = EvidenceUploadHandler(request, slug)
    request.upload_handlers = [handler]
    setattr(request, _ATTRIBUTE, handler)

    def parse_file_upload(meta: Any, post_data: Any) -> Any:
        request.upload_handlers = ImmutableList(
            request.upload_handlers,
            warning="You cannot alter upload handlers after the upload has been processed.",
        )
        return _EvidenceParser(meta, post_data, request.upload_handlers, request.encoding).parse()

    # Django's parser cuts a name to its last part; evidence refuses such a name instead.
    request.parse_file_upload = parse_file_upload  # type: ignore[method-assign]


def handler_of(request: HttpRequest) -> EvidenceUploadHandler | None:
    """The handler :func:`install` gave this request, if it is an evidence upload."""
    handler = getattr(request, _ATTRIBUTE, None)
    return handler if isinstance(handler, EvidenceUploadHandler) else None


def stopped(request: HttpRequest) -> InputRefused | None:
    """The refusal that stopped this request's upload as it arrived, if any."""
    handler = handler_of(request)
    return handler.stopped if handler else None
