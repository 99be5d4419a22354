"""csfpilot's backup archive: a versioned zip of canonical JSON, and the checks a restore makes.

The archive is written so that the same data always gives the same bytes:
members in a fixed order (``manifest.json`` first, then by name), every
member dated 1980-01-01 (the zip epoch) and marked as a plain ``0644`` file,
JSON with sorted keys. A backup restored and backed up again is therefore
byte for byte the same file, on SQLite or PostgreSQL.

``manifest.json`` names the format and its version, what the backup holds, and
the SHA-256 and size of every other member. Reading an archive
(:func:`read_archive`) refuses, before anything is stored, anything that is
not exactly such an archive:

- member names with path tricks: ``..`` segments, absolute paths, backslashes,
  drive letters, empty segments, control characters, directories;
- members that are symbolic links, devices or anything but a regular file;
- duplicate member names, and entries whose data overlap (a zip bomb trick);
- encrypted members, unknown compression methods;
- too many members, members or totals above the size limits, compression
  ratios above :data:`MAX_RATIO` (a bomb), data longer than declared;
- a missing or unreadable manifest, another format, an unknown version, a
  member missing from or not listed in the manifest, a size or SHA-256 that
  does not match.

**Files.** Version 2 adds evidence files: members under ``evidence/`` hold an
organization's stored files, named by their SHA-256. They are streamed into
the archive in chunks (each checked against the hash it is listed under while
it is written) and, on reading, hashed as a stream and opened again only when
restored (:meth:`Archive.open_file`), never held in memory whole. Version 1
archives (no files) still read.

No Django here: the web app turns an :class:`Archive` into rows.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from csfpilot.core.errors import InputRefused

FORMAT = "csfpilot-backup"
VERSION = 3
# Version 1 is version 2 without evidence files, and version 2 is version 3 without the
# provenance of Community Profiles read from workbooks: they read the same way.
READABLE = (1, 2, 3)
# Members under this folder are files kept out of memory: hashed as streams, opened on demand.
FILES = "evidence/"
MANIFEST = "manifest.json"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
MiB = 1024 * 1024
MAX_ARCHIVE_BYTES = 512 * MiB
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 512 * MiB
MAX_TOTAL_BYTES = 1024 * MiB
# Canonical JSON compresses well (about 10:1); a bomb compresses by thousands.
MAX_RATIO = 100
_CHUNK = 64 * 1024
_LOCAL_HEADER = 30
_DRIVE = re.compile(r"^[A-Za-z]:")
_SEGMENT = re.compile(r"^[A-Za-z0-9._@+-]+$")


def canonical(value: Any) -> bytes:
    """A JSON member's bytes: sorted keys, one space indent, UTF-8, a final newline."""
    text = json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_member_name(name: str, *, file: str = "") -> str:
    """``name`` if it is a safe relative path inside an archive; refused otherwise."""

    def refuse(why: str) -> InputRefused:
        return InputRefused(f"member {name!r} {why}", file=file or None)

    if not name:
        raise refuse("has no name")
    if "\\" in name:
        raise refuse("contains a backslash (a Windows path)")
    if name.startswith("/"):
        raise refuse("is an absolute path")
    if _DRIVE.match(name):
        raise refuse("starts with a drive letter")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise refuse("contains a control character")
    if name.endswith("/"):
        raise refuse("is a directory")
    for segment in name.split("/"):
        if segment in ("", ".", ".."):
            raise refuse("has an empty, '.' or '..' path segment")
        if not _SEGMENT.match(segment):
            raise refuse("uses characters other than letters, digits and . _ @ + -")
    return name


@dataclass(frozen=True)
class Archive:
    """A checked archive: its manifest, the bytes of every JSON member by name, and the
    evidence files (name → size), opened one at a time with :meth:`open_file`."""

    manifest: dict[str, Any]
    members: dict[str, bytes]
    files: dict[str, int] = field(default_factory=dict)
    source: bytes = b""

    def open_file(self, member: str) -> IO[bytes]:
        """A stream of one evidence file (checked against the manifest when read)."""
        if member not in self.files:
            raise KeyError(member)
        return zipfile.ZipFile(io.BytesIO(self.source)).open(member)


@dataclass(frozen=True)
class FileSource:
    """A file to stream into an archive: the hash and size it must have, and how to open it."""

    sha256: str
    size: int
    open: Callable[[], IO[bytes]]


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so that the mode below is read as one
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    while chunk := handle.read(_CHUNK):
        yield chunk


def _stream_file(zf: zipfile.ZipFile, name: str, source: FileSource) -> None:
    digest = hashlib.sha256()
    size = 0
    info = _info(name)
    info.file_size = source.size  # lets zipfile pick ZIP64 for a large file up front
    with source.open() as handle, zf.open(info, "w", force_zip64=source.size > 2**31) as out:
        for chunk in _chunks(handle):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size != source.size or digest.hexdigest() != source.sha256:
        raise InputRefused(
            f"stored file {name!r} no longer has the hash and size it was stored with "
            "(damaged storage); the backup is refused"
        )


def write_archive(
    manifest: Mapping[str, Any],
    members: Mapping[str, bytes],
    files: Mapping[str, FileSource] | None = None,
) -> bytes:
    """The archive's bytes; ``manifest`` gets the format, version and member hashes added.

    ``files`` (names under ``evidence/``) are streamed in chunks from their
    sources; each must still have the hash and size it is listed under.
    """
    files = files or {}
    for name in [*members, *files]:
        check_member_name(name)
        if name == MANIFEST:
            raise ValueError(f"{MANIFEST} is written by write_archive")
    for name in files:
        if not name.startswith(FILES) or name in members:
            raise ValueError(f"file member {name!r} must be under {FILES} and named once")
    listed = {name: {"sha256": sha256(data), "size": len(data)} for name, data in members.items()}
    listed.update({name: {"sha256": f.sha256, "size": f.size} for name, f in files.items()})
    full = {
        **manifest,
        "format": FORMAT,
        "version": VERSION,
        "members": dict(sorted(listed.items())),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(_info(MANIFEST), canonical(full))
        for name in sorted(listed):
            if name in files:
                _stream_file(zf, name, files[name])
            else:
                zf.writestr(_info(name), members[name])
    return buffer.getvalue()


def _file_type_problem(info: zipfile.ZipInfo) -> str | None:
    if info.is_dir():
        return "is a directory"
    mode = info.external_attr >> 16
    # Only the file-type bits matter; many writers set permissions alone (type 0).
    if info.create_system == 3 and stat.S_IFMT(mode):
        if stat.S_ISLNK(mode):
            return "is a symbolic link"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            return "is a device"
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            return "is a pipe or socket"
        if not stat.S_ISREG(mode):
            return "is not a regular file"
    return None


def _check_layout(infos: list[zipfile.ZipInfo], file: str) -> None:
    """Entries' data must not overlap: overlapping entries expand one block many times."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for a, b in itertools.pairwise(ordered):
        end = a.header_offset + _LOCAL_HEADER + len(a.filename.encode()) + a.compress_size
        if b.header_offset < end:
            raise InputRefused(
                f"members {a.filename!r} and {b.filename!r} overlap inside the zip "
                "(a zip bomb); refused",
                file=file,
            )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> bytes:
    out = bytearray()
    with zf.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            out += chunk
            if len(out) > info.file_size:
                raise InputRefused(
                    f"member {info.filename!r} holds more data than its header declares",
                    file=file,
                )
    return bytes(out)


def read_archive(source: Path | bytes, *, name: str) -> Archive:
    """Check an archive completely and return its members; refuse with the reason otherwise."""
    if isinstance(source, Path):
        size = source.stat().st_size
        if size > MAX_ARCHIVE_BYTES:
            raise InputRefused(
                f"the file has {size} bytes; a backup has at most {MAX_ARCHIVE_BYTES}", file=name
            )
        data = source.read_bytes()
    else:
        data = bytes(source)
        if len(data) > MAX_ARCHIVE_BYTES:
            raise InputRefused(
                f"the file has {len(data)} bytes; a backup has at most {MAX_ARCHIVE_BYTES}",
                file=name,
            )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputRefused(f"not a csfpilot backup (not a zip archive: {exc})", file=name) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputRefused(f"{len(infos)} members; at most {MAX_MEMBERS}", file=name)
        seen: set[str] = set()
        total = 0
        for info in infos:
            member = info.filename
            problem = _file_type_problem(info)
            if problem:
                raise InputRefused(f"member {member!r} {problem}", file=name)
            check_member_name(member, file=name)
            if member in seen:
                raise InputRefused(f"member {member!r} appears twice", file=name)
            seen.add(member)
            if info.flag_bits & 0x1:
                raise InputRefused(f"member {member!r} is encrypted", file=name)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise InputRefused(
                    f"member {member!r} uses compression method {info.compress_type}; "
                    "backups use deflate",
                    file=name,
                )
            if info.file_size > MAX_MEMBER_BYTES:
                raise InputRefused(
                    f"member {member!r} expands to {info.file_size} bytes; "
                    f"at most {MAX_MEMBER_BYTES}",
                    file=name,
                )
            if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > MiB:
                raise InputRefused(
                    f"member {member!r} expands {info.file_size // max(info.compress_size, 1)} "
                    f"times; at most {MAX_RATIO} (a zip bomb)",
                    file=name,
                )
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise InputRefused(
                    f"the members expand to more than {MAX_TOTAL_BYTES} bytes", file=name
                )
        _check_layout(infos, name)
        if MANIFEST not in seen:
            raise InputRefused(f"not a csfpilot backup: no {MANIFEST}", file=name)
        try:
            contents = {
                info.filename: _read_member(zf, info, name)
                for info in infos
                if not info.filename.startswith(FILES)
            }
            streamed = {
                info.filename: _hash_member(zf, info, name)
                for info in infos
                if info.filename.startswith(FILES)
            }
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise InputRefused(f"the archive is damaged: {exc}", file=name) from None
    manifest = _manifest(contents.pop(MANIFEST), name)
    measured = {m: (len(body), sha256(body)) for m, body in contents.items()}
    measured.update(streamed)
    listed = manifest["members"]
    for member in sorted(set(listed) | set(measured)):
        where = f"{name}: {member}"
        if member not in measured:
            raise InputRefused(
                f"member {member!r} is listed in the manifest but missing", file=name
            )
        if member not in listed:
            raise InputRefused(f"member {member!r} is not listed in the manifest", file=name)
        entry = listed[member]
        size, digest = measured[member]
        if not isinstance(entry, dict) or entry.get("size") != size:
            raise InputRefused(f"size mismatch: {where} has {size} bytes", file=name)
        if entry.get("sha256") != digest:
            raise InputRefused(
                f"SHA-256 mismatch: {member!r} is not what the manifest lists (changed or damaged)",
                file=name,
            )
    if streamed and manifest["version"] < 2:
        raise InputRefused(f"a version 1 backup holds no {FILES} members", file=name)
    files = {member: size for member, (size, _) in streamed.items()}
    return Archive(manifest, contents, files, data if files else b"")


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with zf.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise InputRefused(
                    f"member {info.filename!r} holds more data than its header declares",
                    file=file,
                )
            digest.update(chunk)
    return size, digest.hexdigest()


def _manifest(data: bytes, name: str) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputRefused(f"{MANIFEST} is not JSON: {exc}", file=name) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputRefused(f"not a csfpilot backup ({MANIFEST} names another format)", file=name)
    version = manifest.get("version")
    if isinstance(version, bool) or version not in READABLE:
        raise InputRefused(
            f"backup format version {version!r} is unknown; this csfpilot reads versions "
            f"{', '.join(str(v) for v in READABLE[:-1])} and {READABLE[-1]}",
            file=name,
            field="version",
        )
    if not isinstance(manifest.get("members"), dict):
        raise InputRefused(f"{MANIFEST} lists no members", file=name)
    return manifest


def load_member(archive: Archive, member: str, *, name: str) -> Any:
    """A JSON member of a checked archive, parsed."""
    try:
        return json.loads(archive.members[member].decode("utf-8"))
    except KeyError:
        raise InputRefused(f"member {member!r} is missing", file=name) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputRefused(f"member {member!r} is not JSON: {exc}", file=name) from None
