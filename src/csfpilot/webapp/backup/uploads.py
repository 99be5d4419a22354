"""A backup archive uploaded for a restore: streamed to disk, size-limited, kept until confirmed.

The restore page checks an upload and shows what it holds; the operator then
confirms. Between the two requests the archive waits in the data directory
under a random name that only the confirming form carries (with the archive's
SHA-256, so the confirmation restores exactly the file that was checked). An
archive left unconfirmed is deleted after :data:`KEEP_SECONDS`.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from csfpilot.core.errors import InputRefused
from csfpilot.formats.backup_archive import MAX_ARCHIVE_BYTES

MAX_BYTES = MAX_ARCHIVE_BYTES  # what csfpilot restore reads at most, too
KEEP_SECONDS = 2 * 60 * 60  # a check left open over lunch can still be confirmed
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_CHUNK = 1024 * 1024


class LimitedUpload(FileUploadHandler):
    """Counts an upload's bytes as they arrive and drops a file past the limit.

    The rest of an oversized file is read and thrown away (never stored), and
    ``too_large`` tells the view to refuse it by its size.
    """

    def __init__(self, request: Any = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = MAX_BYTES if limit is None else limit
        self.received = 0
        self.too_large = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) holds the data


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "restore-uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _path(token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise InputRefused("this upload is no longer here; upload the archive again", field="token")
    return _folder() / f"{token}.zip"


def prune(now: float | None = None) -> int:
    """Delete the uploads older than :data:`KEEP_SECONDS`; how many were deleted."""
    cutoff = (now if now is not None else time.time()) - KEEP_SECONDS
    dropped = 0
    for path in _folder().glob("*.zip"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                dropped += 1
        except FileNotFoundError:
            continue
    return dropped


def keep(upload: Any) -> str:
    """Copy an uploaded file to the data directory in chunks; the token that names it."""
    prune()
    token = secrets.token_hex(16)
    path = _folder() / f"{token}.zip"
    with path.open("xb") as out:
        path.chmod(0o600)
        for chunk in upload.chunks(_CHUNK):
            out.write(chunk)
    return token


def read(token: str) -> bytes:
    """The kept archive's bytes; refused when the token is unknown or the upload expired."""
    path = _path(token)
    try:
        if path.stat().st_mtime < time.time() - KEEP_SECONDS:
            path.unlink(missing_ok=True)
            raise FileNotFoundError(path)
        return path.read_bytes()
    except FileNotFoundError:
        raise InputRefused(
            "this upload is no longer here; upload the archive again", field="token"
        ) from None


def drop(token: str) -> None:
    """Delete a kept archive (after its restore, or when it was refused)."""
    try:
        _path(token).unlink(missing_ok=True)
    except InputRefused:
        return
