"""An uploaded file's type, decided from its bytes and never from its name.

Binary formats are recognised by their signatures (the ``filetype`` package's
magic numbers); office documents are ZIP containers and are told apart by the
members they hold. Text is accepted only when it decodes as UTF-8 (or UTF-16
with a byte-order mark) and is plain text, CSV, JSON or XML. Anything that a
browser would run as a page — HTML, SVG, XML that declares the XHTML or SVG
namespace — is refused, whatever the file is called, and so are executables
and other archives, XML that declares entities or an external DTD (a "billion
laughs" or an external entity waits for whatever parses the file later), and
ZIP bombs: an office document that would unpack to more than ``MAX_RATIO``
times its size, counting the archives nested inside it, is refused without
unpacking it.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
import zlib
from typing import IO

import filetype

from csfpilot.core.errors import InputRefused

ACCEPTED_BINARY = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/bmp",
}
OFFICE = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.presentation",
}
# Markup a browser would render as a page or run as script, anywhere near the start.
_ACTIVE = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|link|style)\b"
    rb"|xmlns\s*=\s*[\"']http://www\.w3\.org/(1999/xhtml|2000/svg)",
    re.IGNORECASE,
)
# Office files may hold this many members, together at most this many times their size
# unpacked: a ZIP bomb is refused without unpacking it.
MAX_MEMBERS = 10_000
MAX_RATIO = 200
# Office documents embed others (a spreadsheet in a slide deck); deeper nesting is refused.
MAX_DEPTH = 2
_DOCTYPE_EXTERNAL = re.compile(rb"<!DOCTYPE[^>\[]*\b(SYSTEM|PUBLIC)\b")
_ENTITY = [b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be")]
SCAN = 1024 * 1024
_BROKEN_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    EOFError,
    RuntimeError,
    ValueError,
    zlib.error,
)


class UnsupportedType(InputRefused):
    pass


def media_type(head: bytes, *, filename: str, handle: IO[bytes]) -> str:
    """The media type of a spooled file, or :class:`UnsupportedType` naming the file."""
    if _ACTIVE.search(head[:4096]) or _ACTIVE.search(head):
        raise UnsupportedType(
            f"{filename}: the file holds HTML or SVG markup, which could run as a page; "
            "save it as PDF or plain text instead"
        )
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in ACCEPTED_BINARY:
            return str(kind.mime)
        if kind.mime == "application/zip" or kind.extension in {"docx", "xlsx", "pptx", "odt"}:
            return _office(handle, filename)
        raise UnsupportedType(f"{filename}: files of type {kind.mime} are not accepted as evidence")
    if head.startswith(b"PK\x03\x04"):
        return _office(handle, filename)
    return _text(head, filename, handle)


def _office(handle: IO[bytes], filename: str) -> str:
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            packed = sum(i.compress_size for i in infos) or 1
            _check_archive(archive, filename, budget=MAX_RATIO * packed, depth=1)
            names = [i.filename for i in infos]
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(100).strip()
                if declared in ODF_MIMETYPES:
                    return declared.decode()
            if "[Content_Types].xml" in names:
                for prefix, mime in OFFICE.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except _BROKEN_ZIP as exc:
        # Encrypted members raise RuntimeError, corrupt compressed data zlib.error.
        raise UnsupportedType(f"{filename}: a damaged or encrypted ZIP file ({exc})") from None
    raise UnsupportedType(
        f"{filename}: archives are not accepted as evidence, only office documents"
    )


def _check_archive(archive: zipfile.ZipFile, filename: str, *, budget: int, depth: int) -> int:
    """What ``archive`` unpacks to, with its nested archives; refused past ``budget`` bytes.

    The sizes come from the archive's directory. A nested archive is copied out
    (at most its declared size, which the budget already bounds) and checked the
    same way, so a bomb inside an innocent-looking document is found too.
    """
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnsupportedType(f"{filename}: the archive holds too many members")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > budget:
        raise UnsupportedType(
            f"{filename}: the archive unpacks to {MAX_RATIO} times its size or more (a ZIP bomb?)"
        )
    for info in infos:
        if info.is_dir() or info.file_size < 22:  # smaller than any ZIP
            continue
        with archive.open(info) as member:
            if member.read(4) != b"PK\x03\x04":
                continue
        if depth >= MAX_DEPTH:
            raise UnsupportedType(f"{filename}: archives nested too deeply in {info.filename}")
        with tempfile.TemporaryFile() as copy, archive.open(info) as member:
            left = info.file_size + 1
            while left > 0 and (chunk := member.read(min(left, SCAN))):
                copy.write(chunk)
                left -= len(chunk)
            if left <= 0:
                raise UnsupportedType(f"{filename}: {info.filename} is larger than it declares")
            copy.seek(0)
            with zipfile.ZipFile(copy) as inner:
                unpacked += _check_archive(
                    inner, filename, budget=budget - unpacked, depth=depth + 1
                )
    return unpacked


def _text(head: bytes, filename: str, handle: IO[bytes]) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        try:
            # The head may end inside a multi-byte character.
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:
                raise UnsupportedType(
                    f"{filename}: not a document, image or UTF-8 text file that csfpilot "
                    "accepts as evidence"
                ) from None
            text = head[: exc.start].decode("utf-8")
    if "\x00" in text:
        raise UnsupportedType(f"{filename}: binary content of an unknown type")
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<?xml") or stripped.startswith("<"):
        _plain_xml(head, filename, handle)
        return "application/xml"
    if stripped.startswith(("{", "[")):
        return "application/json"
    first = stripped.split("\n", 1)[0]
    if first.count(",") >= 2 or first.count(";") >= 2 or first.count("\t") >= 2:
        return "text/csv"
    return "text/plain"


def _plain_xml(head: bytes, filename: str, handle: IO[bytes]) -> None:
    """Refuse XML that declares entities or names an external DTD, wherever in the file.

    Evidence exports (XCCDF, ARF, SARIF's XML cousins, spreadsheets saved as
    XML) never need either; a parser that later reads the file would expand
    the one and fetch the other.
    """
    if _DOCTYPE_EXTERNAL.search(head.replace(b"\x00", b"")):
        raise UnsupportedType(
            f"{filename}: the XML file names an external DTD; save it without the DOCTYPE"
        )
    handle.seek(0)
    tail = b""
    while chunk := handle.read(SCAN):
        window = tail + chunk
        if any(pattern in window for pattern in _ENTITY):
            raise UnsupportedType(
                f"{filename}: the XML file declares entities (<!ENTITY>), which are not "
                "accepted in evidence files"
            )
        tail = window[-32:]
