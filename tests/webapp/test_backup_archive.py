"""The backup archive's format and every check a restore makes before storing anything.

Hostile archives are built by hand with :mod:`zipfile` (and raw bytes where
zipfile will not write the trick), the way an attacker would build them.
"""

from __future__ import annotations

import io
import json
import stat
import struct
import zipfile
import zlib

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats import backup_archive as fmt

MEMBERS = {"users.json": fmt.canonical([]), "organizations/acme.json": fmt.canonical({"a": 1})}


def good() -> bytes:
    return fmt.write_archive({"scope": "organization"}, MEMBERS)


def entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i, zf.read(i)) for i in zf.infolist()]


def rebuild(items: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, body in items:
            zf.writestr(info, body)
    return buffer.getvalue()


def manifest_for(members: dict[str, bytes], **extra) -> bytes:
    return fmt.canonical(
        {
            "format": fmt.FORMAT,
            "version": fmt.VERSION,
            "members": {n: {"sha256": fmt.sha256(b), "size": len(b)} for n, b in members.items()},
            **extra,
        }
    )


def refused(data: bytes, *needles: str) -> str:
    with pytest.raises(InputRefused) as exc:
        fmt.read_archive(data, name="backup.zip")
    message = str(exc.value)
    assert message.startswith("backup.zip: "), message
    for needle in needles:
        assert needle in message, message
    return message


def test_the_same_data_gives_the_same_bytes_and_reads_back():
    assert good() == good()
    archive = fmt.read_archive(good(), name="backup.zip")
    assert archive.members == MEMBERS
    assert archive.manifest["scope"] == "organization"
    assert archive.manifest["members"]["users.json"]["sha256"] == fmt.sha256(MEMBERS["users.json"])
    names = [i.filename for i, _ in entries(good())]
    assert names == ["manifest.json", "organizations/acme.json", "users.json"]
    assert {i.date_time for i, _ in entries(good())} == {fmt.ZIP_EPOCH}


@pytest.mark.parametrize(
    ("member", "why"),
    [
        ("../evil.json", "'..' path segment"),
        ("organizations/../../evil.json", "'..' path segment"),
        ("/etc/passwd", "absolute path"),
        ("organizations\\acme.json", "backslash"),
        ("C:/Windows/evil.json", "drive letter"),
        ("c:evil.json", "drive letter"),
        ("organizations//acme.json", "empty"),
        ("organizations/./acme.json", "'.' "),
        ("bell\x07.json", "control character"),
        ("organizations/", "directory"),
    ],
)
def test_path_tricks_are_refused(member: str, why: str):
    items = [(i, b) for i, b in entries(good())]
    items.append((zipfile.ZipInfo(member), b"{}"))
    refused(rebuild(items), repr(member), why)


@pytest.mark.parametrize(
    ("mode", "why"),
    [
        (stat.S_IFLNK | 0o777, "symbolic link"),
        (stat.S_IFCHR | 0o600, "device"),
        (stat.S_IFBLK | 0o600, "device"),
        (stat.S_IFIFO | 0o600, "pipe or socket"),
    ],
)
def test_links_and_devices_are_refused(mode: int, why: str):
    items = [(i, b) for i, b in entries(good())]
    link = zipfile.ZipInfo("users.json.link")
    link.create_system = 3
    link.external_attr = mode << 16
    items.append((link, b"/etc/passwd"))
    refused(rebuild(items), "'users.json.link'", why)


def test_a_duplicate_member_is_refused():
    items = [(i, b) for i, b in entries(good())]
    items.append((zipfile.ZipInfo("users.json"), b"[]\n"))
    with pytest.warns(UserWarning):  # zipfile itself warns about the duplicate
        data = rebuild(items)
    refused(data, "'users.json' appears twice")


def test_a_compression_bomb_is_refused():
    members = {**MEMBERS, "organizations/acme.json": b" " * (64 * 1024 * 1024)}
    data = rebuild([("manifest.json", manifest_for(members)), *members.items()])
    refused(data, "'organizations/acme.json' expands", "a zip bomb")


def test_overlapping_entries_are_refused():
    """Two central-directory entries pointing at the same local data (the 'better zip bomb')."""
    data = good()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    cd_offset = struct.unpack("<I", data[-6:-2])[0]
    # Point the last entry's central-directory record at the previous entry's local header.
    target, victim = infos[-2], infos[-1]
    pos = cd_offset
    for _ in range(len(infos) - 1):
        n, m, k = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        pos += 46 + n + m + k
    patched = bytearray(data)
    patched[pos + 42 : pos + 46] = struct.pack("<I", target.header_offset)
    assert victim.header_offset != target.header_offset
    message = refused(bytes(patched))
    assert "overlap inside the zip (a zip bomb)" in message


def test_data_longer_than_declared_is_refused():
    """A local header that understates the size: zipfile reads past it only if asked to."""
    body = b"[]\n" + b" " * 5000
    members = {**MEMBERS, "users.json": body}
    data = bytearray(rebuild([("manifest.json", manifest_for(members)), *members.items()]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("users.json")
    cd_offset = struct.unpack("<I", data[-6:-2])[0]
    pos = cd_offset
    while True:
        n, m, k = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        if data[pos + 46 : pos + 46 + n] == b"users.json":
            break
        pos += 46 + n + m + k
    data[pos + 24 : pos + 28] = struct.pack("<I", 3)  # uncompressed size: 3 bytes
    assert info.file_size == len(body)
    refused(bytes(data))


def test_a_manifest_hash_mismatch_is_refused():
    members = dict(MEMBERS)
    manifest = manifest_for(members)
    members["organizations/acme.json"] = fmt.canonical({"a": 2})
    data = rebuild([("manifest.json", manifest), *members.items()])
    refused(data, "SHA-256 mismatch", "'organizations/acme.json'")


def test_members_missing_from_or_not_in_the_manifest_are_refused():
    manifest = manifest_for(MEMBERS)
    only_users = rebuild([("manifest.json", manifest), ("users.json", MEMBERS["users.json"])])
    refused(only_users, "'organizations/acme.json' is listed in the manifest but missing")
    extra = rebuild([("manifest.json", manifest), *MEMBERS.items(), ("extra.json", b"{}")])
    refused(extra, "'extra.json' is not listed in the manifest")


def test_unknown_versions_and_formats_are_refused():
    future = rebuild([("manifest.json", manifest_for(MEMBERS, version=4)), *MEMBERS.items()])
    refused(future, "backup format version 4 is unknown; this csfpilot reads versions 1, 2 and 3")
    other = json.loads(manifest_for(MEMBERS))
    other["format"] = "something-else"
    refused(rebuild([("manifest.json", fmt.canonical(other)), *MEMBERS.items()]), "another format")
    refused(rebuild(list(MEMBERS.items())), "no manifest.json")
    refused(b"PK\x03\x04 not really a zip", "not a zip archive")


def test_encrypted_members_are_refused():
    data = bytearray(good())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        first = zf.infolist()[0]
    # Set the "encrypted" flag in the central directory record of the first member.
    cd_offset = struct.unpack("<I", data[-6:-2])[0]
    flags = struct.unpack("<H", data[cd_offset + 8 : cd_offset + 10])[0]
    data[cd_offset + 8 : cd_offset + 10] = struct.pack("<H", flags | 0x1)
    assert first.filename == "manifest.json"
    refused(bytes(data), "'manifest.json' is encrypted")


def test_damaged_data_is_refused():
    data = bytearray(good())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("users.json")
    start = info.header_offset + 30 + len(b"users.json")
    data[start : start + 2] = bytes([data[start] ^ 0xFF, data[start + 1] ^ 0xFF])
    message = refused(bytes(data))
    assert "damaged" in message or "mismatch" in message
    assert zlib  # the deflate stream itself is what was damaged
