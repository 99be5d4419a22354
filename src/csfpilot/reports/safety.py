"""Reports never carry content that can run or fetch: checked on every page rendered.

A report is read by a board, opened from an e-mail, archived, printed. The
organization's own text in it (names, rationales, notes) is escaped by the
template engine, but a custom template is HTML someone wrote. So every page a
template produces (the HTML download and the PDF's input alike) goes through
:func:`safe_page`:

1. The renderer puts the report's Content-Security-Policy first in ``<head>``;
   it is fixed here, never a template variable, and a template may not add a
   ``<meta http-equiv>`` of its own.
2. The page is parsed with the HTML5 algorithm browsers follow (tinyhtml5,
   the html5lib parser WeasyPrint uses), with scripting on as in a browser, so
   the tree checked is the tree a browser builds: ``<svg><style><img ...>``,
   ``<noscript>`` and namespace tricks come out as the elements they become.
3. Every element, attribute and CSS declaration is checked against an
   allow-list of what a printed report needs (:mod:`csfpilot.reports.css` for
   CSS). Every start tag the tokenizer saw is checked too, including those the
   tree builder drops, so a parser that disagrees with ours on where a tag
   lands still meets the same list. The only URLs allowed are ``#fragment``
   links and ``data:`` PNG, JPEG or GIF images.

Anything else is refused, not stripped: the author is told which tag,
attribute or CSS property on which line of the rendered page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tinyhtml5.constants import Token, namespaces
from tinyhtml5.parser import HTMLParser
from tinyhtml5.tokenizer import HTMLTokenizer

from csfpilot.core.errors import InputRefused
from csfpilot.reports import css
from csfpilot.reports.content_policy import CSP, POLICY_META

HTML = namespaces["html"]
SVG = namespaces["svg"]
XLINK = namespaces["xlink"]
XML = namespaces["xml"]
XMLNS = namespaces["xmlns"]

HTML_TAGS = frozenset(
    [
        "html",
        "head",
        "body",
        "title",
        "meta",
        "style",
        "header",
        "footer",
        "main",
        "section",
        "article",
        "aside",
        "nav",
        "address",
        "div",
        "span",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "br",
        "wbr",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "blockquote",
        "pre",
        "table",
        "caption",
        "colgroup",
        "col",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "a",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "small",
        "sub",
        "sup",
        "mark",
        "code",
        "kbd",
        "samp",
        "var",
        "abbr",
        "cite",
        "q",
        "dfn",
        "time",
        "data",
        "del",
        "ins",
        "bdi",
        "bdo",
        "ruby",
        "rt",
        "rp",
        "img",
    ]
)
SVG_TAGS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "lineargradient",
        "radialgradient",
        "stop",
    ]
)
HTML_GLOBAL = frozenset(
    {"class", "id", "lang", "dir", "title", "style", "role", "hidden", "translate"}
)
HTML_ATTRIBUTES = {
    "html": {"xmlns"},
    "meta": {"charset", "name", "content"},
    "style": {"media"},
    "img": {"src", "alt", "width", "height"},
    "a": {"href"},
    "th": {"colspan", "rowspan", "scope", "headers", "abbr"},
    "td": {"colspan", "rowspan", "headers"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "data": {"value"},
}
SVG_ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "style",
        "role",
        "lang",
        "xmlns",
        "viewbox",
        "preserveaspectratio",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "dx",
        "dy",
        "d",
        "points",
        "transform",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "opacity",
        "paint-order",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "font-variant",
        "font-variant-numeric",
        "font-stretch",
        "text-decoration",
        "word-spacing",
        "color",
        "clip-rule",
        "text-anchor",
        "dominant-baseline",
        "alignment-baseline",
        "baseline-shift",
        "letter-spacing",
        "textlength",
        "lengthadjust",
        "vector-effect",
        "shape-rendering",
        "text-rendering",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientunits",
        "gradienttransform",
        "fx",
        "fy",
        "focusable",
        "visibility",
        "display",
    ]
)
# Presentation attributes that take a paint, which may be url(#gradient).
SVG_PAINT = frozenset({"fill", "stroke"})
NAMESPACED = frozenset({(XML, "space"), (XML, "lang"), (XMLNS, "xlink"), (XMLNS, "xmlns")})
# The tokenizer sees attribute names before the tree builder adjusts them.
TOKEN_ATTRIBUTES = (
    HTML_GLOBAL
    | SVG_ATTRIBUTES
    | {a for names in HTML_ATTRIBUTES.values() for a in names}
    | {"xml:space", "xml:lang", "xmlns:xlink", "http-equiv"}
)
_FRAGMENT = re.compile(r"#[A-Za-z][A-Za-z0-9_.:-]*")


class ActiveContent(InputRefused):
    """A rendered report that holds something outside the allow-list."""


def safe_page(page: str, *, name: str = "report") -> str:
    """The page with the report's Content-Security-Policy, after checking it all.

    Raises :class:`ActiveContent` naming the first tag, attribute or CSS that is
    not allowed and its line in the rendered page.
    """
    if not page.strip():
        raise InputRefused("the template produced an empty page", file=name)
    checked = with_policy(page)
    refuse_active_content(checked, name=name)
    return checked


def with_policy(page: str) -> str:
    """The page with the policy's ``<meta>`` as the first thing after the doctype.

    Nothing the template writes comes before it, so the policy covers the whole
    page; the HTML5 algorithm puts it in ``<head>`` whatever follows.
    """
    doctype = re.match(r"\ufeff?\s*<!doctype\s+html\s*>", page, re.IGNORECASE)
    if doctype is None:
        return "<!DOCTYPE html>" + POLICY_META + page
    return page[: doctype.end()] + POLICY_META + page[doctype.end() :]


def refuse_active_content(page: str, *, name: str = "report") -> None:
    """Raise :class:`ActiveContent` unless the page holds only allowed markup and CSS.

    The page must begin with the policy of :func:`with_policy`.
    """
    parser = _Parser()
    document = parser.parse(page, full_tree=True, scripting=True)
    for tag in parser.start_tags:
        problem = _token_problem(tag)
        if problem is not None:
            _refuse(problem, tag.line, name)
    root = next(e for e in document if isinstance(e.tag, str) and e.tag == f"{{{HTML}}}html")
    head = root.find(f"{{{HTML}}}head")
    policy = head[0] if head is not None and len(head) else None
    if policy is None or not _is_policy(policy):
        _refuse("no Content-Security-Policy first in <head>", None, name)
    for element in document:
        _check_tree(element, parser.lines, policy, name, None)


def _refuse(problem: str, line: int | None, name: str) -> None:
    where = f" (line {line} of the rendered page)" if line else ""
    raise ActiveContent(
        f"the rendered report holds {problem}{where}; reports may hold only text, tables, "
        "inline CSS and SVG charts, with data: PNG, JPEG or GIF images — nothing that "
        "runs script or loads a resource",
        file=name,
    )


@dataclass(frozen=True, slots=True)
class _StartTag:
    name: str
    attributes: dict[str, str]
    line: int | None


def _token_problem(tag: _StartTag) -> str | None:
    if tag.name not in HTML_TAGS and tag.name not in SVG_TAGS:
        return f"a <{tag.name}> element"
    for attr in tag.attributes:
        if attr not in TOKEN_ATTRIBUTES and not attr.startswith(("aria-", "data-")):
            return f"an attribute {attr}= on <{tag.name}>"
    return None


def _is_policy(element: Any) -> bool:
    return (
        element.tag == f"{{{HTML}}}meta"
        and (element.get("http-equiv") or "").lower() == "content-security-policy"
        and element.get("content") == CSP
        and set(element.keys()) == {"http-equiv", "content"}
    )


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        ns, local = name[1:].split("}", 1)
        return ns, local
    return "", name


def _check_tree(
    element: Any,
    lines: dict[int, int | None],
    policy: Any | None,
    name: str,
    parent_line: int | None,
) -> None:
    line = lines.get(id(element)) or parent_line
    tag = element.tag
    if callable(tag):  # ElementTree marks a comment by a function as its tag
        text = element.text or ""
        if "<" in text or ">" in text:
            _refuse("an HTML comment with markup in it (use {# … #} for notes)", line, name)
        return
    if not isinstance(tag, str) or tag in ("<!DOCTYPE>", "DOCUMENT_ROOT"):
        return
    ns, local = _split(tag)
    if ns == HTML:
        problem = _html_problem(local, element, policy)
    elif ns == SVG:
        problem = _svg_problem(local, element)
    else:
        problem = f"a <{local}> element ({ns or 'no'} namespace)"
    if problem is not None:
        _refuse(problem, line, name)
    for child in element:
        _check_tree(child, lines, policy, name, line)


def _html_problem(tag: str, element: Any, policy: Any | None) -> str | None:
    if tag not in HTML_TAGS:
        return f"a <{tag}> element"
    if element is policy:
        return None
    allowed = HTML_ATTRIBUTES.get(tag, set())
    for attr, value in element.items():
        ns, local = _split(attr)
        if ns or (
            local not in HTML_GLOBAL
            and local not in allowed
            and not local.startswith(("aria-", "data-"))
        ):
            label = "http-equiv (the report's Content-Security-Policy is set by csfpilot)"
            return f"an attribute {label if local == 'http-equiv' else local}= on <{tag}>"
        problem = _value_problem(tag, local, value)
        if problem is not None:
            return problem
    if tag == "style":
        try:
            css.check_stylesheet(element.text or "")
        except css.CSSRefused as exc:
            return f"{exc} in a <style> element"
    return None


def _value_problem(tag: str, attr: str, value: str) -> str | None:
    if attr == "style":
        try:
            css.check_declarations(value)
        except css.CSSRefused as exc:
            return f"{exc} in the style attribute of <{tag}>"
    elif attr == "src" and not css.SAFE_DATA_IMAGE.match(value.strip()):
        return f"a resource src={value[:60]!r} on <{tag}> (only data: PNG, JPEG or GIF images)"
    elif attr == "href" and not _FRAGMENT.fullmatch(value.strip()):
        return f"a link href={value[:60]!r} on <{tag}> (only links within the report, #id)"
    return None


def _svg_problem(tag: str, element: Any) -> str | None:
    if tag.lower() not in SVG_TAGS:
        return f"an SVG <{tag}> element"
    for attr, value in element.items():
        ns, local = _split(attr)
        if ns:
            if (ns, local) not in NAMESPACED:
                return f"an attribute {local}= ({ns}) on SVG <{tag}>"
            continue
        if local.lower() not in SVG_ATTRIBUTES and not local.startswith("aria-"):
            return f"an attribute {local}= on SVG <{tag}>"
        if local == "style":
            problem = _value_problem(tag, local, value)
            if problem is not None:
                return problem
        elif local in SVG_PAINT:
            try:
                css.check_value(value)
            except css.CSSRefused as exc:
                return f"{exc} in {local}= on SVG <{tag}>"
    return None


class _Tokenizer(HTMLTokenizer):
    """Records every start tag with its line, including those the tree builder drops."""

    def __init__(self, stream: Any, parser: Any = None, **kwargs: Any) -> None:
        super().__init__(stream, parser=parser, **kwargs)
        self.start_tags: list[_StartTag] = []

    def emit_current_token(self) -> None:
        token = self.current_token
        super().emit_current_token()
        if token["type"] == Token.START_TAG:
            line = self.stream.position()[0]
            token["line"] = line
            self.start_tags.append(_StartTag(token["name"], dict(token["data"]), line))


class _Parser(HTMLParser):
    """The HTML5 parser, remembering the source line of each element it creates."""

    def __init__(self) -> None:
        super().__init__(namespace_html_elements=True)
        self.lines: dict[int, int | None] = {}
        self.start_tags: list[_StartTag] = []
        tree = self.tree
        create, insert = tree.create_element, tree.insert_element_normal

        def create_element(token: dict[str, Any]) -> Any:
            element = create(token)
            self.lines[id(element._element)] = token.get("line")
            return element

        def insert_element_normal(token: dict[str, Any]) -> Any:
            element = insert(token)
            self.lines[id(element._element)] = token.get("line")
            return element

        # Instance attributes: the tree builder looks these up on itself each time.
        tree.create_element = create_element
        tree.insert_element_normal = insert_element_normal

    def _parse(self, stream: Any, container: Any = None, scripting: bool = False, **kwargs: Any):
        self.container = container
        self.scripting = scripting
        self.tokenizer = _Tokenizer(stream, parser=self, **kwargs)
        self.start_tags = self.tokenizer.start_tags
        self.reset()
        self.main_loop()
