"""The CSS a report may carry: an allow-list of at-rules, properties and functions.

A stylesheet can fetch (``url()``, ``@import``, ``image-set()``, ``@font-face``)
without a single ``<script>``, and CSS escapes (``@\\69mport``, ``\\75rl(``)
hide those words from a text search. So a report's CSS is tokenized by
tinycss2, which follows the CSS Syntax specification that browsers follow and
decodes escapes before anything is compared; then every rule, declaration and
token is checked against what a printed report needs. The only URL allowed is
a ``data:`` PNG, JPEG or GIF image.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import tinycss2
from tinycss2 import ast

SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*$")

# @page and its margin boxes lay the PDF out; @media chooses print or screen.
AT_RULES = frozenset(
    {"page", "media"}
    | {
        f"{edge}-{place}"
        for edge in ("top", "bottom")
        for place in ("left-corner", "left", "center", "right", "right-corner")
    }
    | {f"{edge}-{place}" for edge in ("left", "right") for place in ("top", "middle", "bottom")}
)

_BOX = ("", "-top", "-right", "-bottom", "-left", "-block", "-inline")
PROPERTIES = frozenset(
    [
        "color",
        "background",
        "background-color",
        "background-image",
        "background-position",
        "background-size",
        "background-repeat",
        "background-clip",
        "background-origin",
        "opacity",
        "visibility",
        "display",
        "position",
        "top",
        "right",
        "bottom",
        "left",
        "inset",
        "z-index",
        "float",
        "clear",
        "overflow",
        "overflow-x",
        "overflow-y",
        "box-sizing",
        "box-shadow",
        "width",
        "height",
        "min-width",
        "min-height",
        "max-width",
        "max-height",
        "aspect-ratio",
        "object-fit",
        "object-position",
        "border-radius",
        "border-top-left-radius",
        "border-top-right-radius",
        "border-bottom-left-radius",
        "border-bottom-right-radius",
        "border-collapse",
        "border-spacing",
        "outline",
        "outline-color",
        "outline-style",
        "outline-width",
        "outline-offset",
        "font",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "font-variant",
        "font-variant-numeric",
        "font-variant-caps",
        "font-feature-settings",
        "font-kerning",
        "font-stretch",
        "line-height",
        "letter-spacing",
        "word-spacing",
        "text-align",
        "text-align-last",
        "text-decoration",
        "text-decoration-color",
        "text-decoration-line",
        "text-decoration-style",
        "text-decoration-thickness",
        "text-underline-offset",
        "text-indent",
        "text-transform",
        "text-overflow",
        "text-shadow",
        "text-rendering",
        "white-space",
        "word-break",
        "overflow-wrap",
        "word-wrap",
        "hyphens",
        "tab-size",
        "vertical-align",
        "direction",
        "unicode-bidi",
        "writing-mode",
        "list-style",
        "list-style-type",
        "list-style-position",
        "table-layout",
        "caption-side",
        "empty-cells",
        "flex",
        "flex-direction",
        "flex-wrap",
        "flex-flow",
        "flex-grow",
        "flex-shrink",
        "flex-basis",
        "order",
        "align-items",
        "align-content",
        "align-self",
        "justify-content",
        "justify-items",
        "justify-self",
        "place-items",
        "place-content",
        "place-self",
        "gap",
        "row-gap",
        "column-gap",
        "grid",
        "grid-template",
        "grid-template-columns",
        "grid-template-rows",
        "grid-template-areas",
        "grid-auto-columns",
        "grid-auto-rows",
        "grid-auto-flow",
        "grid-area",
        "grid-column",
        "grid-row",
        "grid-column-start",
        "grid-column-end",
        "grid-row-start",
        "grid-row-end",
        "columns",
        "column-count",
        "column-width",
        "column-rule",
        "column-span",
        "column-fill",
        "content",
        "quotes",
        "counter-reset",
        "counter-increment",
        "counter-set",
        "string-set",
        "page",
        "size",
        "marks",
        "bleed",
        "orphans",
        "widows",
        "break-before",
        "break-after",
        "break-inside",
        "page-break-before",
        "page-break-after",
        "page-break-inside",
        "box-decoration-break",
        "bookmark-level",
        "bookmark-label",
        "bookmark-state",
        "print-color-adjust",
        "-webkit-print-color-adjust",
        "color-adjust",
        "transform",
        "transform-origin",
        "image-rendering",
        "color-scheme",
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
        "text-anchor",
        "dominant-baseline",
        "paint-order",
        "vector-effect",
        "shape-rendering",
    ],
) | (
    {f"margin{side}" for side in _BOX}
    | {f"padding{side}" for side in _BOX}
    | {f"border{side}" for side in _BOX}
    | {f"border{side}-{part}" for side in _BOX for part in ("color", "style", "width")}
)

# Functions that compute a value; none of them names a resource. ``url()`` is handled
# apart (data: images only); image-set(), image(), cross-fade(), element(), src(),
# paint() and expression() are refused by not being here, and so is attr(), which newer
# CSS lets turn an attribute into a typed value.
FUNCTIONS = frozenset(
    [
        "var",
        "calc",
        "min",
        "max",
        "clamp",
        "rgb",
        "rgba",
        "hsl",
        "hsla",
        "hwb",
        "lab",
        "lch",
        "oklab",
        "oklch",
        "color-mix",
        "linear-gradient",
        "radial-gradient",
        "conic-gradient",
        "repeating-linear-gradient",
        "repeating-radial-gradient",
        "repeating-conic-gradient",
        "counter",
        "counters",
        "string",
        "content",
        "translate",
        "translatex",
        "translatey",
        "rotate",
        "scale",
        "scalex",
        "scaley",
        "skew",
        "skewx",
        "skewy",
        "matrix",
        "repeat",
        "minmax",
        "fit-content",
        "leader",
    ]
)


class CSSRefused(Exception):
    """What in a stylesheet is not allowed, in words for the template's author."""


def check_stylesheet(text: str) -> None:
    """Raise :class:`CSSRefused` for a ``<style>`` element's text that is not allowed."""
    _check_rules(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))


def check_declarations(text: str) -> None:
    """Raise :class:`CSSRefused` for a ``style=`` attribute's text that is not allowed."""
    _check_rules(tinycss2.parse_blocks_contents(text, skip_comments=True, skip_whitespace=True))


def check_value(text: str) -> None:
    """A presentation attribute (SVG ``fill=``...) is a CSS value: only local ``url(#id)``."""
    _check_tokens(tinycss2.parse_component_value_list(text), local_urls=True)


def _check_rules(rules: Iterable[ast.Node]) -> None:
    for rule in rules:
        if rule.type == "error":
            raise CSSRefused(f"CSS that does not parse ({rule.message})")
        if rule.type == "at-rule":
            if rule.lower_at_keyword not in AT_RULES:
                raise CSSRefused(f"the CSS at-rule @{rule.lower_at_keyword}")
            _check_tokens(rule.prelude)
            if rule.content is not None:
                _check_rules(
                    tinycss2.parse_blocks_contents(
                        rule.content, skip_comments=True, skip_whitespace=True
                    )
                )
        elif rule.type == "qualified-rule":
            # A selector cannot fetch anything, but its tokens are checked all the same so
            # that no token a browser might read differently goes unseen.
            _check_tokens(rule.prelude, selector=True)
            _check_rules(
                tinycss2.parse_blocks_contents(
                    rule.content, skip_comments=True, skip_whitespace=True
                )
            )
        elif rule.type == "declaration":
            name = rule.lower_name
            if not name.startswith("--") and name not in PROPERTIES:
                raise CSSRefused(f"the CSS property {name}")
            _check_tokens(rule.value)
        else:
            raise CSSRefused(f"CSS that does not parse ({rule.type})")


def _walk(tokens: Iterable[ast.Node]) -> Iterator[ast.Node]:
    for token in tokens:
        yield token
        if token.type == "function":
            yield from _walk(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _walk(token.content)


def _check_tokens(
    tokens: Iterable[ast.Node], *, selector: bool = False, local_urls: bool = False
) -> None:
    for token in _walk(tokens):
        if token.type == "error":
            raise CSSRefused(f"CSS that does not parse ({token.message})")
        if token.type == "at-keyword":
            raise CSSRefused(f"the CSS at-rule @{token.lower_value}")
        if token.type == "url":
            _check_url(token.value, local_urls=local_urls)
        elif token.type == "function":
            if token.lower_name == "url":
                strings = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
                if len(strings) != 1 or strings[0].type != "string":
                    raise CSSRefused("a CSS url() that is not one plain address")
                _check_url(strings[0].value, local_urls=local_urls)
            elif not selector and token.lower_name not in FUNCTIONS:
                raise CSSRefused(f"the CSS function {token.lower_name}()")


def _check_url(url: str, *, local_urls: bool) -> None:
    stripped = url.strip()
    if SAFE_DATA_IMAGE.match(stripped):
        return
    if local_urls and re.fullmatch(r"#[A-Za-z][A-Za-z0-9_.:-]*", stripped):
        return
    raise CSSRefused(f"a CSS url({stripped[:60]!r}) (only data: PNG, JPEG or GIF images)")
