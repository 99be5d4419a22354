"""The text a reader of a page sees (and hears), and the English runs in it.

Used by tests/webapp/test_zh_hant_pages.py to find UI strings left in English on a
Traditional Chinese page. What is English *by design* is marked in the templates and
skipped here:

- an element with a ``lang`` other than Chinese (``lang="en"``): NIST's own text
  (outcome statements, Implementation Examples, reference titles, framework and
  dataset names as their publishers wrote them), shown as published;
- an element with ``translate="no"``: ids, codes, file names, e-mail addresses and
  what people typed (profile names, notes, action titles), which no translation
  of the interface could change;
- ``<script>``, ``<style>``, ``<template>``, ``<code>``, ``<kbd>``, ``<samp>``,
  ``<pre>`` and ``<title>``; and a ``<textarea>``, whose text is what was typed
  into it.

Attributes a person perceives are read too: ``title``, ``placeholder``,
``aria-label``, ``alt`` and a button's ``value``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# <title> is left out: it repeats the page's heading (read in the body) and names from
# the data, and cannot hold markup to mark them.
HIDDEN = frozenset(
    {"script", "style", "template", "code", "kbd", "samp", "pre", "title", "textarea"}
)
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


@dataclass(frozen=True)
class Text:
    """One piece of visible text and where it is (``tag`` or ``tag@attribute``)."""

    text: str
    where: str


def _skips(tag: str, attrs: dict[str, str | None]) -> bool:
    if tag in HIDDEN:
        return True
    lang = attrs.get("lang")
    if lang is not None and not lang.lower().startswith("zh"):
        return True
    if (attrs.get("translate") or "").lower() == "no":
        return True
    return "hidden" in attrs and tag != "input"


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[Text] = []

    @property
    def skipping(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skipped = self.skipping or _skips(tag, a)
        if not skipped:
            for name in READ_ATTRIBUTES:
                if a.get(name):
                    self.texts.append(Text(a[name] or "", f"{tag}@{name}"))
            if tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
                self.texts.append(Text(a["value"] or "", "input@value"))
        if tag not in VOID:
            self.open.append((tag, skipped))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching element: browsers forgive a missing </li> or </p>.
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            where = self.open[-1][0] if self.open else "document"
            self.texts.append(Text(" ".join(data.split()), where))


def visible_texts(html: str) -> list[Text]:
    """Every piece of text of ``html`` a reader perceives, less what is marked as such."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.texts


# Words that are the same in both languages: names of products, standards and formats,
# and units. Acronyms in capitals (NIST, CSF, API, MFA, GV.OC-01) are passed by rule.
SAME_IN_EVERY_LANGUAGE = frozenset(
    {
        "csfpilot",
        "Excel",
        "Markdown",
        "OpenAPI",
        "Swagger",
        "Trivy",
        "Prowler",
        "OpenSCAP",
        "GitHub",
        "Django",
        "OpenID",
        "WebAuthn",
        "PostgreSQL",
        "SQLite",
        "ReDoc",
        "Rev",
        "LibreOffice",
        "Word",
        "MiB",
        "KiB",
        "GiB",
        "Wiki",
        "wiki",
        "Razilio",
        "Esc",
    }
)
# Names of several words that stay as their owners write them.
PROPER_NAMES = ("CIS Controls", "OpenID Connect", "AWS Security Hub")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'’_.@/:()&+-]*")
# Ids and codes: anything with a digit (GV.OC-01, AC-2(1), v8.1), capitals only
# (NIST, CSV, APIs), or a file name, address or e-mail.
_PASSES = re.compile(r"^(?:[A-Z][A-Z&/.()_-]*s?|.*\d.*|.*[@/].*|[\w-]+\.[a-z]{2,5})$")
_BETWEEN_WORDS = re.compile(r"^[\s,;:'’\"()–—-]*$")


def _english(word: str) -> bool:
    if len(word) == 1:  # list items (a), (b) and single-letter codes
        return False
    return word not in SAME_IN_EVERY_LANGUAGE and not _PASSES.match(word)


def english_runs(text: str) -> list[str]:
    """The runs of English words in ``text`` that a translation should have replaced:
    words in a row with only spaces or punctuation between them."""
    for name in PROPER_NAMES:
        text = text.replace(name, "·" * len(name))
    runs: list[list[str]] = []
    last_end = None
    previous = ""
    last_token_end: int | None = None
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        gap = text[last_token_end : match.start()] if last_token_end is not None else ""
        command = previous in ("csfpilot", "command") and word.islower() and gap == " "
        previous, last_token_end = ("command" if command else word), match.end()
        if command:  # "csfpilot audit verify": a command's name
            last_end = None
            continue
        word = match.group(0).rstrip(".:,;)(")
        extension = match.start() > 0 and text[match.start() - 1] == "."  # (.json)
        if not word or extension or not _english(word):
            last_end = None
            continue
        joined = last_end is not None and _BETWEEN_WORDS.match(text[last_end : match.start()])
        if joined:
            runs[-1].append(word)
        else:
            runs.append([word])
        last_end = match.end()
    return [" ".join(r) for r in runs]
