"""The package container: a manifest, its members, evidence files and a signature, in one
canonical JSON document.

A package carries one organization's data to another (a profile, a Community
Profile, a questionnaire or its answer, a benchmark contribution or
aggregate). It is one JSON object (see docs/packages.md and
``package.schema.json`` next to this module)::

    {"files": {...}, "manifest": {...}, "members": {...}, "signature": {...}}

- ``manifest``: format and version, kind, package id (a UUID the importer
  remembers to refuse a replay), creation time (UTC), producer (organization
  name and key fingerprint), redaction level, and every member and file with its
  SHA-256 and size;
- ``members``: JSON values by member name; a member's bytes are its canonical
  JSON (:mod:`.canonical`), which is what the SHA-256 and size cover;
- ``files``: evidence files (base64), named ``files/<sha256>``, only at the
  ``full`` level;
- ``signature``: Ed25519 over the canonical bytes of the manifest, with the
  signer's public key; ``null`` for an unsigned package.

Why one JSON document and not a zip: every byte of the file is then covered.
The whole document must itself be in canonical form, so a byte changed
anywhere either breaks the JSON, changes a member (whose hash then names it),
changes the manifest or the signature (the signature then fails), or leaves the
document non-canonical; a zip's headers (timestamps, extra fields, comments)
are covered by nothing. And a reviewer can search the bytes for what leaves.

Reading (:func:`read_package`) treats the input as hostile: size, member and
file counts and nesting depth are limited before anything is parsed further;
duplicate keys, unknown top-level keys, unknown members for the kind, member
names with path tricks, and members not listed (or listed and missing) are
refused. An altered member is refused by name; a manifest or signature that
does not verify is refused. An unsigned package, or one signed by a key the
reader does not trust, is returned marked untrusted, never as trusted.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.formats.packages.canonical import canonical
from csfpilot.formats.packages.keys import (
    PUBLIC_KEY_BYTES,
    SIGNATURE_BYTES,
    Signer,
    b64,
    fingerprint_of,
    grouped,
    unb64,
    verify,
)
from csfpilot.formats.safe_json import load_json

FORMAT = "csfpilot-package"
FORMAT_VERSION = 1
ALGORITHM = "Ed25519"
MiB = 1024 * 1024
MAX_PACKAGE_BYTES = 64 * MiB
MAX_MEMBERS = 16
MAX_FILES = 200
MAX_FILE_BYTES = 32 * MiB
MAX_DEPTH = 32
FILES_PREFIX = "files/"

KINDS = (
    "profile",
    "community-profile",
    "questionnaire",
    "questionnaire-answer",
    "benchmark-contribution",
    "benchmark-aggregate",
)
LEVELS = ("full", "no-text", "scores")
# The members each kind may hold; anything else is refused as unknown.
KIND_MEMBERS: dict[str, frozenset[str]] = {
    "profile": frozenset({"profile.json", "scores.json"}),
    "community-profile": frozenset({"profile.json", "scores.json"}),
    "questionnaire": frozenset({"questionnaire.json"}),
    "questionnaire-answer": frozenset({"answer.json", "scores.json"}),
    "benchmark-contribution": frozenset({"contribution.json", "scores.json"}),
    "benchmark-aggregate": frozenset({"aggregate.json"}),
}
# Kinds that may carry evidence files (at the full level only).
KINDS_WITH_FILES = frozenset({"profile", "community-profile", "questionnaire-answer"})
TOP_KEYS = frozenset({"files", "manifest", "members", "signature"})
MANIFEST_KEYS = frozenset(
    {
        "format",
        "format_version",
        "package_id",
        "kind",
        "created",
        "producer",
        "redaction",
        "title",
        "language",
        "members",
        "files",
    }
)
_MEMBER_NAME = re.compile(r"^[a-z][a-z0-9-]*\.json$")
_FILE_NAME = re.compile(r"^files/[0-9a-f]{64}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CREATED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{40}$")
_MAX_TEXT = 500


@dataclass(frozen=True)
class FileMember:
    """An evidence file carried in a package: its bytes and what to call it on arrival."""

    filename: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class VerifiedPackage:
    """A package that passed every check: intact, and trusted or not.

    ``trusted`` is true only when it is signed by a key in the reader's trusted
    list (and that key is not revoked); ``problems`` says in words why it is not.
    """

    kind: str
    package_id: str
    created: datetime
    producer: str
    fingerprint: str | None  # None: unsigned
    public_key: bytes | None
    redaction: str
    title: str
    language: str
    members: dict[str, Any]
    files: dict[str, FileMember]
    trusted: bool
    trusted_as: str | None  # the name the reader gave the trusted key
    problems: tuple[str, ...] = field(default=())
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def signed(self) -> bool:
        return self.fingerprint is not None


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _created_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a package's creation time must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_package(
    kind: str,
    members: Mapping[str, Any],
    level: str,
    signer: Signer | None,
    *,
    files: Mapping[str, FileMember] | None = None,
    title: str = "",
    language: str = "en",
    producer: str | None = None,
    package_id: str | None = None,
    created: datetime | None = None,
) -> bytes:
    """The bytes of a package of ``kind`` holding ``members`` at redaction ``level``.

    ``signer`` None writes an unsigned package (readers mark it untrusted);
    ``producer`` names the organization then (a signer names its own).
    ``files`` (evidence) are allowed only at the ``full`` level. The package id
    is a new random UUID unless given.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown package kind {kind!r}")
    if level not in LEVELS:
        raise ValueError(f"unknown redaction level {level!r}")
    files = dict(files or {})
    if files and (level != "full" or kind not in KINDS_WITH_FILES):
        raise ValueError("evidence files travel only in full-level profile or answer packages")
    unknown = set(members) - KIND_MEMBERS[kind]
    if unknown or not members:
        raise ValueError(f"members {sorted(unknown)} are not members of a {kind} package")
    if len(files) > MAX_FILES:
        raise ValueError(f"at most {MAX_FILES} files in a package")
    member_bytes = {name: canonical(value) for name, value in members.items()}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_id": package_id or str(uuid.uuid4()),
        "kind": kind,
        "created": _created_text(created or _now()),
        "producer": {
            "organization": signer.organization if signer else (producer or ""),
            "fingerprint": signer.fingerprint if signer else None,
        },
        "redaction": level,
        "title": title,
        "language": language,
        "members": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in member_bytes.items()
        },
        "files": {
            f"{FILES_PREFIX}{f.sha256}": {
                "sha256": f.sha256,
                "size": len(f.data),
                "filename": f.filename,
                "media_type": f.media_type,
            }
            for f in files.values()
        },
    }
    signature = None
    if signer is not None:
        signature = {
            "algorithm": ALGORITHM,
            "public_key": b64(signer.public_key),
            "value": b64(signer.sign(canonical(manifest))),
        }
    document = {
        "manifest": manifest,
        "members": dict(members),
        "files": {f"{FILES_PREFIX}{f.sha256}": b64(f.data) for f in files.values()},
        "signature": signature,
    }
    data = canonical(document)
    if len(data) > MAX_PACKAGE_BYTES:
        raise InputRefused(
            f"the package would be {len(data):,} bytes; the limit is {MAX_PACKAGE_BYTES:,}"
        )
    return data


# -- reading ----------------------------------------------------------------------------


def _refuse(message: str, name: str, field_name: str | None = None) -> InputRefused:
    return InputRefused(message, file=name, field=field_name)


def _text(value: Any, what: str, name: str, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value) or len(value) > _MAX_TEXT:
        raise _refuse(f"{what} must be a text of at most {_MAX_TEXT} characters", name, what)
    return value


def _listing(value: Any, what: str, name: str, limit: int) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise _refuse(f"{what} must be an object", name, what)
    if len(value) > limit:
        raise _refuse(f"{what} lists {len(value)} entries; at most {limit}", name, what)
    for member, entry in value.items():
        where = f"{what}.{member}"
        if not isinstance(entry, dict):
            raise _refuse("must be an object", name, where)
        digest, size = entry.get("sha256"), entry.get("size")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise _refuse("sha256 must be 64 lower-case hexadecimal digits", name, where)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise _refuse("size must be a whole number of bytes", name, where)
    return value


def _manifest(doc: dict[str, Any], name: str) -> dict[str, Any]:
    manifest = doc.get("manifest")
    if not isinstance(manifest, dict):
        raise _refuse("not a csfpilot package: no manifest", name)
    if manifest.get("format") != FORMAT:
        raise _refuse(f"not a csfpilot package (the format is not {FORMAT!r})", name, "format")
    version = manifest.get("format_version")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise _refuse(
            f"package format version {version!r} is unknown; this csfpilot reads version "
            f"{FORMAT_VERSION}",
            name,
            "manifest.format_version",
        )
    extra = set(manifest) - MANIFEST_KEYS
    if extra:
        raise _refuse(f"unknown manifest fields {sorted(extra)}", name, "manifest")
    missing = MANIFEST_KEYS - set(manifest)
    if missing:
        raise _refuse(f"the manifest lacks {sorted(missing)}", name, "manifest")
    if manifest["kind"] not in KINDS:
        raise _refuse(
            f"unknown package kind {manifest['kind']!r}; known: {', '.join(KINDS)}",
            name,
            "manifest.kind",
        )
    if manifest["redaction"] not in LEVELS:
        raise _refuse(
            f"unknown redaction level {manifest['redaction']!r}", name, "manifest.redaction"
        )
    try:
        if str(uuid.UUID(str(manifest["package_id"]))) != manifest["package_id"]:
            raise ValueError
    except ValueError:
        raise _refuse(
            "package_id must be a UUID in lower case", name, "manifest.package_id"
        ) from None
    if not isinstance(manifest["created"], str) or not _CREATED.match(manifest["created"]):
        raise _refuse(
            "created must be a UTC time like 2026-01-31T09:30:00Z", name, "manifest.created"
        )
    producer = manifest["producer"]
    if not isinstance(producer, dict) or set(producer) != {"organization", "fingerprint"}:
        raise _refuse("producer must hold organization and fingerprint", name, "manifest.producer")
    _text(producer["organization"], "manifest.producer.organization", name)
    fp = producer["fingerprint"]
    if fp is not None and (not isinstance(fp, str) or not _FINGERPRINT.match(fp)):
        raise _refuse(
            "the fingerprint must be 40 lower-case hexadecimal digits or null",
            name,
            "manifest.producer.fingerprint",
        )
    _text(manifest["title"], "manifest.title", name)
    _text(manifest["language"], "manifest.language", name)
    _listing(manifest["members"], "manifest.members", name, MAX_MEMBERS)
    files = _listing(manifest["files"], "manifest.files", name, MAX_FILES)
    for member, entry in files.items():
        where = f"manifest.files.{member}"
        if set(entry) != {"sha256", "size", "filename", "media_type"}:
            raise _refuse("a file lists sha256, size, filename and media_type", name, where)
        _text(entry["filename"], f"{where}.filename", name, empty=False)
        _text(entry["media_type"], f"{where}.media_type", name, empty=False)
        if entry["size"] > MAX_FILE_BYTES:
            raise _refuse(f"a file has at most {MAX_FILE_BYTES:,} bytes", name, where)
    return manifest


def _check_members(doc: dict[str, Any], manifest: dict[str, Any], name: str) -> None:
    kind = manifest["kind"]
    members = doc.get("members")
    if not isinstance(members, dict) or not members:
        raise _refuse("the package holds no members", name, "members")
    for member in members:
        if not _MEMBER_NAME.match(member):
            raise _refuse(f"member {member!r} has a name no package member has", name)
        if member not in KIND_MEMBERS[kind]:
            raise _refuse(
                f"member {member!r} is unknown in a {kind} package "
                f"(known: {', '.join(sorted(KIND_MEMBERS[kind]))})",
                name,
            )
    listed = manifest["members"]
    for member in sorted(set(listed) | set(members)):
        if member not in members:
            raise _refuse(f"member {member!r} is listed in the manifest but missing", name)
        if member not in listed:
            raise _refuse(f"member {member!r} is not listed in the manifest", name)
        data = canonical(members[member])
        entry = listed[member]
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise _refuse(
                f"member {member!r} was altered: its SHA-256 or size is not the one the "
                "manifest lists",
                name,
            )


def _check_files(doc: dict[str, Any], manifest: dict[str, Any], name: str) -> dict[str, FileMember]:
    files = doc.get("files")
    listed = manifest["files"]
    if not isinstance(files, dict):
        raise _refuse("files must be an object", name, "files")
    if (files or listed) and (
        manifest["redaction"] != "full" or manifest["kind"] not in KINDS_WITH_FILES
    ):
        raise _refuse(
            "evidence files travel only in full-level profile or answer packages", name, "files"
        )
    out: dict[str, FileMember] = {}
    for member in sorted(set(listed) | set(files)):
        if not _FILE_NAME.match(member):
            raise _refuse(f"file {member!r} is not named files/<sha256>", name)
        if member not in files:
            raise _refuse(f"file {member!r} is listed in the manifest but missing", name)
        if member not in listed:
            raise _refuse(f"file {member!r} is not listed in the manifest", name)
        entry = listed[member]
        data = unb64(files[member], what=f"file {member!r}")
        digest = hashlib.sha256(data).hexdigest()
        if len(data) != entry["size"] or digest != entry["sha256"] or member[6:] != digest:
            raise _refuse(
                f"file {member!r} was altered: its SHA-256 or size is not the one the "
                "manifest lists",
                name,
            )
        out[member] = FileMember(entry["filename"], entry["media_type"], data)
    return out


def _signature(
    doc: dict[str, Any], manifest: dict[str, Any], name: str
) -> tuple[str | None, bytes | None]:
    signature = doc.get("signature")
    claimed = manifest["producer"]["fingerprint"]
    if signature is None:
        if claimed is not None:
            raise _refuse(
                "the signature was removed: the manifest names a signing key but the "
                "package has no signature",
                name,
                "signature",
            )
        return None, None
    if not isinstance(signature, dict) or set(signature) != {"algorithm", "public_key", "value"}:
        raise _refuse("the signature must hold algorithm, public_key and value", name, "signature")
    if signature["algorithm"] != ALGORITHM:
        raise _refuse(
            f"signature algorithm {signature['algorithm']!r} is not {ALGORITHM}",
            name,
            "signature.algorithm",
        )
    try:
        public_key = unb64(
            signature["public_key"], what="signature.public_key", size=PUBLIC_KEY_BYTES
        )
        value = unb64(signature["value"], what="signature.value", size=SIGNATURE_BYTES)
    except InputRefused as exc:
        raise _refuse(f"the signature was altered: {exc.message}", name, "signature") from None
    fingerprint = fingerprint_of(public_key)
    if fingerprint != claimed:
        raise _refuse(
            f"the signature's key (fingerprint {fingerprint}) is not the key the manifest "
            f"names ({claimed}): the manifest or the signature was altered",
            name,
            "signature.public_key",
        )
    if not verify(public_key, value, canonical(manifest)):
        raise _refuse(
            "the signature does not match manifest.json: the manifest or the signature was altered",
            name,
            "signature",
        )
    return fingerprint, public_key


_UTF8_OFFSET = re.compile(r"at byte offset (\d+)")
_PARTS = (b'"files":', b'"manifest":', b'"members":', b'"signature":')


def _part_at(data: bytes, exc: InputRefused) -> str | None:
    """Which part of a (one-line, canonical) package a parse error lies in: a member, a
    file, the manifest or the signature; None when that cannot be told."""
    offset: int | None = None
    found = _UTF8_OFFSET.search(exc.message)
    if found:
        offset = int(found.group(1))
    elif exc.column and (exc.line or 1) == 1 and exc.column.isdigit():
        # The parser counts characters; the package's text before it is mostly ASCII.
        text = data.decode("utf-8", "replace")
        offset = len(text[: int(exc.column) - 1].encode("utf-8"))
    if offset is None:
        return None
    head = data[:offset]
    names = {n for members in KIND_MEMBERS.values() for n in members}
    marks: list[tuple[int, str]] = []
    # The manifest lists the members too; the top-level "members" is the last one in the
    # file (the signature follows it, and a text holding those characters escapes its quotes).
    top_members = data.rfind(b'"members":')
    # Likewise the manifest has a "files" key; the top-level one opens the document.
    starts = {
        b'"files":': 1 if data.startswith(b'{"files":') else -1,
        b'"members":': top_members,
    }
    for part in _PARTS:
        at = starts.get(part, head.rfind(part))
        if at != -1 and at < offset:
            marks.append((at, part.decode().strip('":')))
    for member in names:
        at = head.rfind(f'"{member}":{{'.encode())
        if at > top_members:
            marks.append((at, f"member {member!r}"))
    for found_file in re.finditer(rb'"(files/[0-9a-f]{64})":"', head):
        marks.append((found_file.start(), f"file {found_file.group(1).decode()!r}"))
    if not marks:
        return None
    _, where = max(marks)
    return f"the {where}" if where in ("files", "manifest", "members", "signature") else where


def read_package(
    data: bytes,
    trusted_keys: Mapping[str, str] | None = None,
    *,
    revoked: Collection[str] = (),
    name: str = "package",
) -> VerifiedPackage:
    """Check a package completely; refuse it (naming what) or return it, trusted or not.

    ``trusted_keys`` maps fingerprints the reader trusts to the name it knows
    them by; ``revoked`` lists fingerprints that no longer vouch for anything.
    """
    trusted_keys = trusted_keys or {}
    if len(data) > MAX_PACKAGE_BYTES:
        raise _refuse(
            f"the package is {len(data):,} bytes; the limit is {MAX_PACKAGE_BYTES:,}", name
        )
    if data[:2] == b"PK":
        raise _refuse(
            "this is a zip archive, not a csfpilot package (a package is one JSON document)",
            name,
        )
    try:
        doc = load_json(data, name=name, max_bytes=MAX_PACKAGE_BYTES, max_depth=MAX_DEPTH)
    except InputRefused as exc:
        part = _part_at(data, exc)
        if part is None:
            raise
        raise InputRefused(
            f"{exc.message} (in {part}: the package was altered or damaged there)",
            file=exc.file,
            line=exc.line,
            column=exc.column,
        ) from None
    if not isinstance(doc, dict):
        raise _refuse("not a csfpilot package: the document is not a JSON object", name)
    extra = set(doc) - TOP_KEYS
    if extra:
        raise _refuse(f"unknown top-level fields {sorted(extra)}", name)
    manifest = _manifest(doc, name)
    # The signature first: a manifest changed in any field is then refused as such.
    fingerprint, public_key = _signature(doc, manifest, name)
    _check_members(doc, manifest, name)
    files = _check_files(doc, manifest, name)
    if canonical(doc) != data:
        raise _refuse(
            "the package is not in canonical form (changed after it was written, or written "
            "by a tool that does not follow docs/packages.md)",
            name,
        )
    problems: list[str] = []
    trusted_as = trusted_keys.get(fingerprint) if fingerprint else None
    if fingerprint is None:
        problems.append("the package is not signed")
    elif fingerprint in revoked:
        problems.append(f"the signing key {fingerprint} has been revoked")
        trusted_as = None
    elif trusted_as is None:
        problems.append(f"the signing key {fingerprint} is not a trusted key")
    return VerifiedPackage(
        kind=manifest["kind"],
        package_id=manifest["package_id"],
        created=datetime.strptime(manifest["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
        producer=manifest["producer"]["organization"],
        fingerprint=fingerprint,
        public_key=public_key,
        redaction=manifest["redaction"],
        title=manifest["title"],
        language=manifest["language"],
        members=doc["members"],
        files=files,
        trusted=trusted_as is not None,
        trusted_as=trusted_as,
        problems=tuple(problems),
        manifest=manifest,
    )


def verification_summary(pkg: VerifiedPackage) -> dict[str, Any]:
    """What verifying ``pkg`` found, as plain JSON: the one form the command line, the API and
    the pages report it in (the evidence files named with their sizes)."""
    return {
        "package_id": pkg.package_id,
        "kind": pkg.kind,
        "created": pkg.created.isoformat().replace("+00:00", "Z"),
        "producer": pkg.producer,
        "fingerprint": pkg.fingerprint,
        "fingerprint_grouped": grouped(pkg.fingerprint) if pkg.fingerprint else None,
        "signed": pkg.signed,
        "trusted": pkg.trusted,
        "trusted_as": pkg.trusted_as,
        "redaction": pkg.redaction,
        "title": pkg.title,
        "problems": list(pkg.problems),
        "members": sorted(pkg.members),
        "files": [
            {"name": n, "filename": f.filename, "size": len(f.data)} for n, f in pkg.files.items()
        ],
    }
