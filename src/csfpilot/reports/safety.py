"""Reports never carry content that can run: checked on every page rendered.

A report is read by a board, opened from an e-mail, archived, printed. The
organization's own text in it (names, rationales, notes) is escaped by the
template engine, but a custom template is HTML someone wrote; so every
rendered page is parsed and refused if it holds anything that could run
script or reach the network: ``<script>``, frames, objects, forms, event
handler attributes (``onload=``), ``javascript:`` or remote URLs, external
stylesheets or images. Images are allowed only as PNG, JPEG or GIF data URIs.
The page also declares a Content-Security-Policy that forbids all of it, so
even a viewer that found a way around the check would run nothing.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from csfpilot.core.errors import InputRefused

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"

_FORBIDDEN_TAGS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "link",
        "base",
        "portal",
        "foreignobject",
        "animate",
        "set",
        "handler",
        "listener",
    }
)
_URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "action", "formaction", "poster"})
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$")
_CSS_URL = re.compile(r"url\s*\(|@import|expression\s*\(", re.IGNORECASE)


def _local_name(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _problem(element: etree._Element) -> str | None:
    tag = _local_name(element.tag)
    if tag in _FORBIDDEN_TAGS:
        return f"a <{tag}> element"
    if tag == "meta":
        equiv = (element.get("http-equiv") or "").lower()
        if equiv == "refresh":
            return "a <meta http-equiv=refresh>"
    if tag == "style" and _CSS_URL.search(element.text or ""):
        return "a stylesheet that loads a URL"
    for name, value in element.attrib.items():
        attr = _local_name(name) if "}" in name else name.lower()
        if attr.startswith("on"):
            return f"an event handler attribute {attr}= on <{tag}>"
        if attr == "style" and _CSS_URL.search(value):
            return f"a style attribute that loads a URL on <{tag}>"
        if attr in _URL_ATTRIBUTES or attr.endswith("href"):
            url = "".join(value.split()).lower()
            if url.startswith("#"):
                continue
            if tag == "img" and attr == "src" and _SAFE_DATA_IMAGE.match(value.strip()):
                continue
            return f"a link or resource ({attr}={value[:60]!r}) on <{tag}>"
    return None


def refuse_active_content(page: str, *, name: str = "report") -> None:
    """Raise :class:`InputRefused` naming the first element that could run or fetch."""
    if not page.strip():
        raise InputRefused("the template produced an empty page", file=name)
    root = lxml_html.document_fromstring(page)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        problem = _problem(element)
        if problem is not None:
            line = getattr(element, "sourceline", None)
            where = f" (line {line} of the rendered page)" if line else ""
            raise InputRefused(
                f"the rendered report holds {problem}{where}; reports may not contain "
                "anything that runs script or loads a resource",
                file=name,
            )
