"""Reading a scanner's XML without trusting it.

lxml parses with entity resolution, DTD loading and network access off and the
huge-tree limits on; a document that declares a DTD (where entity bombs and
external entities live) is refused before any of it is used. Results are read
with ``iterparse`` so that a large XCCDF or ARF file is never a whole tree in
memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from lxml import etree

from csfpilot.core.errors import InputRefused

MiB = 1024 * 1024
MAX_BYTES = 256 * MiB


def local(tag: object) -> tuple[str, str]:
    """(namespace, local name) of an element's tag."""
    text = tag if isinstance(tag, str) else ""
    if text.startswith("{"):
        ns, _, name = text[1:].partition("}")
        return ns, name
    return "", text


def iterparse(
    data: bytes, *, name: str, tags: tuple[str, ...] | None = None
) -> Iterator[tuple[str, etree._Element]]:
    """(event, element) pairs of ``start`` and ``end`` events, after the safety checks.

    Every refusal names the file and the line the parser stopped at.
    """
    if len(data) > MAX_BYTES:
        raise InputRefused(
            f"the file is {len(data) / MiB:.1f} MiB; at most {MAX_BYTES // MiB} MiB", file=name
        )
    _refuse_dtd(data, name)
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        tag=tags,
    )
    checked = False
    try:
        for event, element in events:
            if not checked:
                checked = True
                info = element.getroottree().docinfo
                if info.doctype or info.internalDTD is not None:
                    raise InputRefused(_DTD_REFUSED, file=name, line=element.sourceline)
            yield event, element
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        message = str(exc.msg) if exc.msg else "not well-formed XML"
        if "entit" in message.lower() or "doctype" in message.lower():
            message += " (documents that declare entities are refused)"
        raise InputRefused(f"not valid XML: {message}", file=name, line=line) from None


_FIRST_ELEMENT = re.compile(rb"<(?![?!])")


def _refuse_dtd(data: bytes, name: str) -> None:
    # Checked on the bytes before the root element, so that the parser never reads the
    # declarations at all (libxml2 would otherwise stop at its own limits, less clearly).
    first = _FIRST_ELEMENT.search(data)
    prolog = data[: first.start()] if first else data
    at = prolog.find(b"<!DOCTYPE")
    if at >= 0:
        raise InputRefused(_DTD_REFUSED, file=name, line=prolog[:at].count(b"\n") + 1)


_DTD_REFUSED = (
    "the document declares a DTD (entities can expand without bound or read other files); "
    "scanner results never need one"
)


def text_of(element: etree._Element) -> str:
    """The element's text content with whitespace collapsed (``<title>`` may hold markup)."""
    return " ".join("".join(element.itertext()).split())
