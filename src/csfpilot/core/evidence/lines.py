"""Evidence as text lines: NIST's "Artifacts and Evidence" column and the library.

NIST's profile template keeps evidence as free text, one entry per line, and
every profile file (the native format, the template spreadsheet, OSCAL) still
carries that column. The library keeps items instead. This module is the
bridge both ways, so that a file imported and exported again reads the same:

- a line that is an ``http(s)`` address is a **link** item titled by the address;
- ``<title> — <http(s) address>`` is a link item with that title;
- ``<title> — sha256:<64 hex digits>`` names a **file** item by its content;
- any other line is a **written attestation** whose statement is the line,
  titled by its first 80 characters.

Exporting writes an item back as the line that reads as the same item.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# The separator written between an item's title and its address or hash.
SEPARATOR = " — "
TITLE_CHARS = 80
MAX_URL = 2000

_HASH = re.compile(r"^(?P<title>.*\S)\s+—\s+sha256:(?P<sha>[0-9a-fA-F]{64})$")
_TITLED_URL = re.compile(r"^(?P<title>.*\S)\s+—\s+(?P<url>https?://\S+)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LineItem:
    """What one text line names: ``form`` is ``file``, ``link`` or ``attestation``."""

    form: str
    title: str
    url: str = ""
    sha256: str = ""
    statement: str = ""


def is_url(text: str) -> bool:
    """A single http(s) address that a link item can hold."""
    return (
        text.lower().startswith(("https://", "http://"))
        and len(text) <= MAX_URL
        and not any(ch.isspace() for ch in text)
        and len(text) > len("https://")
    )


def title_of(text: str) -> str:
    """An item title made from a statement: its first 80 characters, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= TITLE_CHARS else flat[: TITLE_CHARS - 1].rstrip() + "…"


def read_line(line: str) -> LineItem | None:
    """The item one evidence line names, or None for a blank line."""
    text = " ".join(line.split())
    if not text:
        return None
    if is_url(text):
        return LineItem("link", text[:300], url=text)
    found = _HASH.match(text)
    if found:
        return LineItem("file", found["title"][:300], sha256=found["sha"].lower())
    found = _TITLED_URL.match(text)
    if found and is_url(found["url"]):
        return LineItem("link", found["title"][:300], url=found["url"])
    return LineItem("attestation", title_of(text), statement=text)


def line_of(form: str, title: str, *, url: str = "", sha256: str = "", statement: str = "") -> str:
    """The text line an item is exported as (read back by :func:`read_line` as the same item)."""
    if form == "file":
        return f"{' '.join(title.split())}{SEPARATOR}sha256:{sha256}"
    if form == "link":
        flat = " ".join(title.split())
        return url if flat == url else f"{flat}{SEPARATOR}{url}"
    return " ".join(statement.split())


def content_hash(*, url: str = "", statement: str = "", sha256: str = "") -> str:
    """An item version's content hash: the file's SHA-256, or that of its link or statement.

    Links and attestations get one too, so that a reference by id and hash in a
    profile file can be checked whatever the item's form.
    """
    if sha256:
        return sha256
    return hashlib.sha256((url or statement).encode("utf-8")).hexdigest()
