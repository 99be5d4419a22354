"""Which reader a scanner's file needs, decided by its content, and reading it.

The file name is used only in messages: tools name their outputs freely
(``results.json`` may be SARIF, Trivy or HDF), so the format is recognised by
what the file holds: an XML root element, the keys of a JSON document, a CSV
header. A caller that knows the format may name it, and the file must then be
of that format.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import ScanReport
from csfpilot.scanners import asff, hdf, ocsf, prowler_csv, sarif, trivy, xccdf
from csfpilot.scanners.json_input import decode, parse_lines, parse_text
from csfpilot.scanners.xml_input import iterparse, local

# Reader key → what it reads, for messages and documentation.
FORMATS: dict[str, str] = {
    "sarif": "SARIF 2.1.0 (bandit, flawfinder, CodeQL, Trivy's SARIF, …)",
    "xccdf": "XCCDF 1.2/1.1 results and SCAP ARF (OpenSCAP, DISA SCC)",
    "hdf": "Heimdall Data Format / InSpec JSON",
    "ocsf": "Prowler JSON-OCSF (Detection Finding)",
    "prowler-csv": "Prowler CSV",
    "asff": "AWS Security Hub findings (ASFF)",
    "trivy": "Trivy JSON",
}
_JSON_READERS: dict[str, Callable[..., ScanReport]] = {
    "sarif": sarif.from_document,
    "hdf": hdf.from_document,
    "ocsf": ocsf.from_document,
    "asff": asff.from_document,
    "trivy": trivy.from_document,
}
# Most specific first: an ASFF or OCSF array is told apart by its first finding's keys.
_JSON_SHAPES: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("sarif", sarif.looks_like),
    ("trivy", trivy.looks_like),
    ("hdf", hdf.looks_like),
    ("asff", asff.looks_like),
    ("ocsf", ocsf.looks_like),
)
_NDJSON_FORMATS = ("asff", "ocsf")


def _known() -> str:
    return "; ".join(FORMATS.values())


def _body(data: bytes) -> bytes:
    return data[3:].lstrip() if data.startswith(b"\xef\xbb\xbf") else data.lstrip()


def _json(data: bytes, name: str) -> Any:
    text = decode(data, name=name)
    try:
        return parse_text(text, name=name)
    except InputRefused as exc:
        if "Extra data" not in exc.message:
            raise
    # Several documents, one per line (Security Hub exports and Prowler's streams).
    return parse_lines(text, name=name)


def _sniff(data: bytes, name: str) -> tuple[str, Any]:
    body = _body(data)
    if not body:
        raise InputRefused("the file is empty", file=name)
    if body[:1] == b"<":
        for _, element in iterparse(data, name=name):
            ns, tag = local(element.tag)
            if xccdf.is_root(ns, tag):
                return "xccdf", None
            raise InputRefused(
                f"an XML document whose root element is {tag!r}; csfpilot reads XML scan "
                f"results as XCCDF or ARF. Known formats: {_known()}",
                file=name,
                line=element.sourceline,
            )
    if body[:1] in (b"{", b"["):
        doc = _json(data, name)
        for key, looks_like in _JSON_SHAPES:
            if looks_like(doc):
                return key, doc
        raise InputRefused(
            f"JSON that is none of the scan formats csfpilot reads ({_known()})", file=name
        )
    text = decode(data, name=name)
    if prowler_csv.looks_like(text):
        return "prowler-csv", None
    raise InputRefused(f"csfpilot does not recognise this file; it reads {_known()}", file=name)


def detect(data: bytes, name: str) -> str:
    """The reader key for ``data`` (see :data:`FORMATS`); refused when none fits."""
    return _sniff(data, name)[0]


def read_scan(data: bytes, name: str, format: str | None = None) -> ScanReport:
    """Read a scanner's output into a :class:`ScanReport`.

    ``name`` is the file's name, used in every refusal (which also names the
    line, JSON path or XML element and the field). ``format`` forces a reader;
    without it the content decides (:func:`detect`).
    """
    if format is not None and format not in FORMATS:
        raise InputRefused(
            f"unknown scan format {format!r}; known: {', '.join(FORMATS)}", file=name
        )
    if format is None:
        format, doc = _sniff(data, name)
    else:
        doc = None
    if format == "xccdf":
        return xccdf.read(data, name=name)
    if format == "prowler-csv":
        return prowler_csv.read(data, name=name)
    if doc is None:
        doc = _json(data, name) if format in _NDJSON_FORMATS else None
        if doc is None:
            doc = parse_text(decode(data, name=name), name=name)
    return _JSON_READERS[format](doc, name=name)
