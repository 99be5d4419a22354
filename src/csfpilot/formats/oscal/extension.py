"""csfpilot's own corner of OSCAL: what a framework carries that OSCAL has no field for.

OSCAL lets any tool add *properties* (and part names) of its own, as long as
they sit in the tool's namespace (the ``ns`` of a prop is a URI naming the
vocabulary). csfpilot writes the few facts that make an exported framework
come back exactly as it went out, e.g. the framework key (``csf-2.0``), the
names of its levels (Function, Category, Subcategory), an element that has no
title, and properties of NIST's that OSCAL does not model (the first- and
third-party risk marking of a CSF Subcategory). Other OSCAL tools ignore
what they do not know; csfpilot reads them back (see
:mod:`csfpilot.formats.oscal.exported`).

This module also holds the small vocabulary the writers share:

- OSCAL prose is Markdown. Framework text is plain text, where ``*``, ``_``
  or ``[x](y)`` mean nothing special, so the writers escape them with a
  backslash (CommonMark's own escape) and the exact reader removes exactly
  those backslashes. A Markdown renderer shows the text as it was written.
- OSCAL ids must be *tokens* (a letter or ``_``, then letters, digits, ``.``,
  ``-``, ``_``). ``GV.OC-01`` already is one; ``4.2(a)`` or ``1.1`` are not, so
  :func:`token_for` derives one, and the element's exact code travels in its
  ``label`` property.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# A URN, not a web address: it names csfpilot's vocabulary and points nowhere.
NS = "urn:csfpilot:oscal"
# The version of what csfpilot writes under NS; a reader refuses a newer one.
EXPORT_FORMAT = "1"
OSCAL_VERSION = "1.2.1"

_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
# NIST's StringDatatype: not empty, one line, no leading or trailing whitespace. Written
# for ECMA-262 regexes (what JSON Schema validators use), where "." also stops at \r,
# U+2028 and U+2029, and "\s" also matches U+FEFF.
_STRING = re.compile(r"^[^\s\ufeff]([^\n\r\u2028\u2029]*[^\s\ufeff])?\Z")
# Characters that mean something in Markdown (and ``{`` ``}`` in OSCAL's
# ``{{ insert: param, x }}``); everything else is left as written.
_MARKUP_SPECIAL = re.compile(r"([\\`*_\[\]<>{}]|&(?=#?\w+;))")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_LINE_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_LINE_BREAKS = {"n": "\n", "r": "\r"}


def is_token(value: str) -> bool:
    """Whether ``value`` can be an OSCAL id, class or name (an XML NCName, ASCII here)."""
    return bool(_TOKEN.match(value))


def is_string(value: Any) -> bool:
    """Whether ``value`` fits OSCAL's StringDatatype (prop values, labels, versions)."""
    return isinstance(value, str) and bool(_STRING.match(value))


def token_for(code: str, taken: set[str]) -> str:
    """An OSCAL id for ``code`` that is not in ``taken`` (and is then added to it).

    ``GV.OC-01`` stays as it is; ``4.2(a)`` becomes ``_4.2_a_``; a clash gets
    ``-2``, ``-3``... appended.
    """
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", code) or "_"
    if not re.match(r"[A-Za-z_]", base):
        base = "_" + base
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def escape_markup(text: str) -> str:
    """Plain text as OSCAL markup-multiline that renders (and reads back) as written."""
    return _MARKUP_SPECIAL.sub(r"\\\1", text)


def unescape_markup(text: str) -> str:
    """The inverse of :func:`escape_markup`."""
    return _ESCAPED.sub(r"\1", text)


def escape_line(text: str) -> str:
    """Plain text as OSCAL markup-line (one line): line breaks become ``\\n``/``\\r``."""
    return escape_markup(text).replace("\n", "\\n").replace("\r", "\\r")


def unescape_line(text: str) -> str:
    """The inverse of :func:`escape_line`."""
    return _LINE_ESCAPED.sub(lambda m: _LINE_BREAKS.get(m[1], m[1]), text)


def prop(name: str, value: str, **extra: str) -> dict[str, str]:
    """A property in csfpilot's namespace."""
    return {"name": name, "ns": NS, "value": value, **extra}


def own_props(obj: Mapping[str, Any]) -> dict[str, list[str]]:
    """The values of csfpilot's properties on an OSCAL object, by name, in order."""
    out: dict[str, list[str]] = {}
    for p in obj.get("props") or ():
        if p.get("ns") == NS:
            out.setdefault(str(p.get("name")), []).append(str(p.get("value", "")))
    return out


def own_prop(obj: Mapping[str, Any], name: str) -> str | None:
    values = own_props(obj).get(name)
    return values[0] if values else None


def first_plain(props: Iterable[Mapping[str, Any]] | None, name: str) -> str | None:
    """The first OSCAL-namespace property ``name`` without a class, exactly as written."""
    for p in props or ():
        if p.get("name") == name and not p.get("ns") and not p.get("class"):
            return str(p.get("value", ""))
    return None


def is_csfpilot_export(metadata: Mapping[str, Any]) -> bool:
    """Whether csfpilot's catalog writer produced the document with this metadata."""
    return own_prop(metadata, "export-format") is not None
