"""Reading a scanner's XML without trusting it.

lxml parses with entity resolution, DTD loading and network access off and the
huge-tree limits on; a document that declares a DTD (where entity bombs and
external entities live) is refused before any of it is used. Results are read
with ``iterparse`` so that a large XCCDF or ARF file is never a whole tree in
memory.
"""

from __future__ import annotations

import io
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
                    raise InputRefused(
                        "the document declares a DTD (entities can expand without bound or "
                        "read other files); scanner results never need one",
                        file=name,
                        line=element.sourceline,
                    )
            yield event, element
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        message = str(exc.msg) if exc.msg else "not well-formed XML"
        if "entit" in message.lower() or "doctype" in message.lower():
            message += " (documents that declare entities are refused)"
        raise InputRefused(f"not valid XML: {message}", file=name, line=line) from None


def text_of(element: etree._Element) -> str:
    """The element's text content with whitespace collapsed (``<title>`` may hold markup)."""
    return " ".join("".join(element.itertext()).split())
