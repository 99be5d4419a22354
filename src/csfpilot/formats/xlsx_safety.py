"""Opening Excel workbooks that someone else wrote, without trusting them.

An ``.xlsx`` file is a zip archive of XML parts. Before openpyxl touches one,
:func:`open_workbook` reads the archive's central directory (a list at the end
of the file; nothing is decompressed) and refuses:

- a file that is too big, or is not a zip archive at all;
- too many entries, an entry or a total that would decompress to more than the
  limits, or an entry compressed more than ``max_ratio`` to 1 (a "zip bomb":
  a few kilobytes that expand to gigabytes; real workbooks compress about 5–15
  to 1);
- entries whose data overlap, i.e. two names that share the same compressed
  bytes (another way to multiply a small file), and local headers that
  disagree with the central directory;
- entry names with path tricks (absolute paths, ``..``, backslashes, drive
  letters, control characters) and duplicate names;
- encrypted entries.

Python's zip reader stops an entry at its declared size, so the declared sizes
checked here also bound what is actually decompressed. The workbook is then
opened read-only with cached values (``data_only``): formulas are not
evaluated, and links to external workbooks are dropped, never fetched. openpyxl
parses the XML with defusedxml, which refuses entity expansion tricks.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from defusedxml import DefusedXmlException

from csfpilot.core.errors import InputRefused
from csfpilot.formats.safe_json import read_limited

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MiB = 1024 * 1024
DEFAULT_MAX_BYTES = 64 * MiB
DEFAULT_MAX_UNCOMPRESSED = 512 * MiB
DEFAULT_MAX_ENTRY = 256 * MiB
DEFAULT_MAX_RATIO = 100.0
DEFAULT_MAX_ENTRIES = 10_000
# Tiny parts (a 300-byte XML of repeated tags) legitimately compress far; only
# judge the ratio where it could hurt.
_RATIO_FLOOR = 1 * MiB
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class ZipLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED
    max_entry: int = DEFAULT_MAX_ENTRY
    max_ratio: float = DEFAULT_MAX_RATIO
    max_entries: int = DEFAULT_MAX_ENTRIES


def _bad_name(filename: str) -> str | None:
    if not filename:
        return "an empty name"
    if any(ord(ch) < 32 for ch in filename):
        return "a control character"
    if "\\" in filename:
        return "a backslash"
    if filename.startswith("/"):
        return "an absolute path"
    if len(filename) > 1 and filename[1] == ":":
        return "a drive letter"
    if ".." in PurePosixPath(filename).parts:
        return "a '..' component"
    return None


def _data_span(raw: IO[bytes], info: zipfile.ZipInfo, *, name: str) -> tuple[int, int]:
    """Where the entry's local header starts and its compressed data ends."""
    raw.seek(info.header_offset)
    header = raw.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
        raise InputRefused(
            f"the archive entry {info.filename!r} has no local header where the "
            "central directory says it is",
            file=name,
        )
    fields = _LOCAL_HEADER.unpack(header)
    name_len, extra_len = fields[9], fields[10]
    local_name = raw.read(name_len)
    if (
        local_name.decode("utf-8", "replace") != info.filename
        and local_name.decode("cp437", "replace") != info.filename
    ):
        raise InputRefused(
            f"the archive entry {info.filename!r} is called {local_name!r} in its local header",
            file=name,
        )
    start = info.header_offset
    end = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len + info.compress_size
    return start, end


def inspect_zip(raw: IO[bytes], *, name: str, limits: ZipLimits | None = None) -> list[str]:
    """Check an archive's directory against ``limits``; return its entry names."""
    limits = limits or ZipLimits()
    try:
        archive = zipfile.ZipFile(raw)
    except zipfile.BadZipFile:
        raise InputRefused(
            "not an Excel .xlsx workbook: the file is not a zip archive "
            "(old .xls files are not supported; save it as .xlsx)",
            file=name,
        ) from None
    except (OSError, ValueError, EOFError) as exc:
        raise InputRefused(f"the zip archive is damaged: {exc}", file=name) from None
    with archive:
        infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise InputRefused(
            f"the archive has {len(infos):,} entries; the limit is {limits.max_entries:,}",
            file=name,
        )
    seen: set[str] = set()
    total = 0
    spans: list[tuple[int, int, str]] = []
    for info in infos:
        problem = _bad_name(info.filename)
        if problem:
            raise InputRefused(
                f"the archive entry {info.filename!r} has {problem} in its name", file=name
            )
        if info.filename in seen:
            raise InputRefused(f"the archive entry {info.filename!r} appears twice", file=name)
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise InputRefused(
                f"the archive entry {info.filename!r} is encrypted "
                "(remove the workbook's password and save it again)",
                file=name,
            )
        if info.file_size > limits.max_entry:
            raise InputRefused(
                f"the archive entry {info.filename!r} would decompress to "
                f"{info.file_size:,} bytes; the limit is {limits.max_entry:,}",
                file=name,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
            raise InputRefused(
                f"the archive entry {info.filename!r} is compressed {ratio:,.0f} to 1 "
                f"(limit {limits.max_ratio:,.0f} to 1): refused as a possible zip bomb",
                file=name,
            )
        total += info.file_size
        if total > limits.max_uncompressed:
            raise InputRefused(
                f"the archive would decompress to more than {limits.max_uncompressed:,} bytes",
                file=name,
            )
        start, end = _data_span(raw, info, name=name)
        spans.append((start, end, info.filename))
    spans.sort()
    for (_, end, first), (start, _, second) in pairwise(spans):
        if start < end:
            raise InputRefused(
                f"the archive entries {first!r} and {second!r} overlap (they share "
                "compressed data): refused as a possible zip bomb",
                file=name,
            )
    return [i.filename for i in infos]


def open_workbook(
    source: Path | bytes,
    *,
    name: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
    max_ratio: float = DEFAULT_MAX_RATIO,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    data_only: bool = True,
) -> Workbook:
    """Check ``source`` as an archive, then open it read-only with openpyxl.

    The workbook reads from memory, so the caller's file can be closed or
    deleted; call ``close()`` on the result (or use :func:`workbook`).
    ``data_only=False`` shows formula cells as their formula text (never
    evaluated), so that a reader can refuse them instead of taking a cached value.
    """
    limits = ZipLimits(
        max_bytes=max_bytes,
        max_uncompressed=max_uncompressed,
        max_entry=min(DEFAULT_MAX_ENTRY, max_uncompressed),
        max_ratio=max_ratio,
        max_entries=max_entries,
    )
    data = read_limited(source, name=name, max_bytes=max_bytes)
    names = inspect_zip(io.BytesIO(data), name=name, limits=limits)
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise InputRefused(
            "not an Excel .xlsx workbook: the archive has no workbook part", file=name
        )
    # openpyxl (about 30 MB resident with lxml) when a workbook is opened, not when the
    # web app or a command that may never read one starts.
    import openpyxl

    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
        )
    except InputRefused:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged package
        if forbidden_xml(exc):
            raise InputRefused(XML_ENTITIES_REFUSED, file=name) from None
        raise InputRefused(
            f"the workbook cannot be read: {type(exc).__name__}: {exc}", file=name
        ) from None


XML_ENTITIES_REFUSED = (
    "the workbook's XML declares a DTD or entities, which csfpilot refuses "
    "(entity expansion and external entities are attacks, never part of a real workbook)"
)


def forbidden_xml(exc: BaseException) -> bool:
    """Whether defusedxml refused the XML behind ``exc`` (openpyxl wraps its error)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@contextmanager
def workbook(source: Path | bytes, *, name: str, **limits: Any) -> Iterator[Workbook]:
    """:func:`open_workbook` as a context manager that closes the workbook."""
    wb = open_workbook(source, name=name, **limits)
    try:
        yield wb
    finally:
        wb.close()


def require_sheet(wb: Workbook, title: str, *, name: str) -> ReadOnlyWorksheet:
    """The sheet called ``title``, or a refusal that lists the sheets there are."""
    if title not in wb.sheetnames:
        raise InputRefused(
            f"the workbook has no sheet {title!r} (sheets: {', '.join(wb.sheetnames)})",
            file=name,
            sheet=title,
        )
    return wb[title]
