"""Evidence files for the upload tests: good ones, hostile ones, and a multipart body builder."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

MiB = 1024 * 1024
BOUNDARY = "csfpilot-evidence-boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
XCCDF = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<TestResult xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_testresult_1">'
    b'<rule-result idref="xccdf_r_rule_audit"><result>fail</result></rule-result>'
    b"</TestResult>\n"
)
POLYGLOT_HTML = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
POLYGLOT_SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(1)</script></svg>\n"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>\n"
)
EXTERNAL_DTD = b'<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "http://attacker.invalid/x.dtd">\n<r/>\n'
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x02\x00\x3e\x00" + bytes(200)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(50) + b"PE\x00\x00" + bytes(200)


def office(members: dict[str, bytes], *, stored: bool = False) -> bytes:
    """A ZIP laid out like a Word document, with ``members`` added."""
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def bomb(unpacked: int) -> bytes:
    """An office-looking ZIP whose document unpacks to ``unpacked`` zero bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w") as member:
            block = bytes(MiB)
            for _ in range(unpacked // MiB):
                member.write(block)
    return out.getvalue()


def docx() -> bytes:
    return office({"word/document.xml": b"<w:document>Access control policy</w:document>"})


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not an office document")
    return out.getvalue()


def part_head(filename: str, field: str = "file") -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode("utf-8", errors="surrogateescape")


TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


def field(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()


def multipart(filename: str, data: bytes, *, title: str = "Evidence") -> bytes:
    return field("title", title) + part_head(filename) + data + TAIL


class LazyBody:
    """A request body of ``size`` bytes made as it is read, counting what was read."""

    def __init__(self, filename: str, size: int) -> None:
        self.size = size
        self.consumed = 0
        self._pieces = self._make(field("title", "Big") + part_head(filename))
        self._buffer = b""

    def _make(self, head: bytes) -> Iterator[bytes]:
        yield head
        left = self.size - len(head) - len(TAIL)
        block = b"%PDF-1.7\n" + bytes(MiB - 9)
        first = True
        while left > 0:
            piece = block if first else bytes(min(left, MiB))
            piece = piece[:left]
            first = False
            left -= len(piece)
            yield piece
        yield TAIL

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        self.consumed += len(out)
        return out

    def readline(self, size: int = -1) -> bytes:  # pragma: no cover - never called for multipart
        return self.read(size)


def encrypted_office() -> bytes:
    """An office-looking ZIP whose document member says it is encrypted."""
    data = bytearray(office({"word/document.xml": b"<w:document>" + bytes(100) + b"</w:document>"}))
    # The general purpose flag of every local and central header: bit 0, encrypted.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 1
            start += 4
    return bytes(data)


def corrupt_office() -> bytes:
    """An office-looking ZIP whose compressed document is damaged after its first bytes."""
    data = bytearray(office({"word/document.xml": bytes(range(256)) * 64}))
    at = data.find(b"word/document.xml") + len("word/document.xml") + 8
    data[at : at + 16] = b"\xff" * 16
    return bytes(data)
