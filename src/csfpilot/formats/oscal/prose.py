"""OSCAL prose as the plain text NIST prints in SP 800-53.

OSCAL keeps control text as *markup*: Markdown-like prose with parameter
insertions such as ``{{ insert: param, ac-2_prm_1 }}``. A *parameter* is the
blank an organization fills in when it tailors a control (who reviews, how
often...). The published PDF and NIST's spreadsheet show an unfilled blank
as ``[Assignment: organization-defined frequency]`` and a choice as
``[Selection (one or more): a; b; c]``; that is the form a security
practitioner recognises, so that is the form csfpilot shows.

A statement is a tree of *parts* (``a.``, ``1.``, ``(a)``); NIST prints each
labelled item on its own line, without indentation, and so does
:func:`render_parts`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_INSERT = re.compile(r"\{\{\s*insert\s*:\s*(?P<kind>[\w-]+)\s*,\s*(?P<ref>[^\s}]+)\s*\}\}")
_LINK = re.compile(r"\[(?P<text>[^\]\[]*)\]\((?P<href>[^)\s]*)\)")
_STRONG = re.compile(r"\*\*(?=\S)(?P<text>.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(?P<text>[^*]+?)(?<=\S)\*(?![\w*])")
_CODE = re.compile(r"`(?P<text>[^`]*)`")
_SPACES = re.compile(r"[ \t]+")

# How OSCAL's ``how-many`` reads in NIST's print.
_HOW_MANY = {"one-or-more": "Selection (one or more)", "one": "Selection"}
# SP 800-53's longest filled-in parameter is a few hundred characters. A
# document whose parameters insert each other twice over would double at each
# step; past this length it is refused instead of rendered.
MAX_PARAMETER_TEXT = 20_000


class ParameterTooLong(ValueError):
    """A parameter's text grows past :data:`MAX_PARAMETER_TEXT` when filled in."""

    def __init__(self, param_id: str) -> None:
        super().__init__(param_id)
        self.param_id = param_id


@dataclass
class ParameterText:
    """Renders parameters by id; collects the ids a document used but never defined.

    Parameter ids are unique within an OSCAL document, and a statement may
    insert a parameter defined on its control, its parent or its group, so the
    whole document's parameters are indexed once.
    """

    params: Mapping[str, Mapping[str, Any]]
    undefined: set[str] = field(default_factory=set)
    _done: dict[str, str] = field(default_factory=dict, repr=False)

    def render(self, param_id: str, _open: frozenset[str] = frozenset()) -> str:
        # Each parameter is rendered once: inserting it again reuses the text,
        # so parameters that insert each other many times cost no more.
        if param_id not in self._done:
            text = self._render(param_id, _open)
            if len(text) > MAX_PARAMETER_TEXT:
                raise ParameterTooLong(param_id)
            self._done[param_id] = text
        return self._done[param_id]

    def _render(self, param_id: str, _open: frozenset[str]) -> str:
        param = self.params.get(param_id)
        if param is None:
            self.undefined.add(param_id)
            return f"[Assignment: {param_id}]"
        if param_id in _open:
            # A choice that inserts its own parameter would never end.
            return f"[Assignment: {param_id}]"
        inner = _open | {param_id}
        values = [v for v in param.get("values") or () if isinstance(v, str) and v.strip()]
        if values:
            return ", ".join(self.markup(v, inner) for v in values)
        select = param.get("select")
        if isinstance(select, Mapping):
            choices = "; ".join(self.markup(c, inner) for c in select.get("choice") or ())
            how = _HOW_MANY.get(str(select.get("how-many", "one")), "Selection")
            return f"[{how}: {choices}]"
        label = param.get("label")
        if isinstance(label, str) and label.strip():
            return f"[Assignment: {self.markup(label, inner)}]"
        return f"[Assignment: {param_id}]"

    def markup(self, text: str, _open: frozenset[str] = frozenset()) -> str:
        """One OSCAL markup string as plain text, parameters filled in NIST's way."""

        def insert(m: re.Match[str]) -> str:
            if m["kind"] == "param":
                return self.render(m["ref"], _open)
            return m["ref"]

        return plain_markup(_INSERT.sub(insert, text))


def plain_markup(text: str) -> str:
    """Drop OSCAL's inline Markdown: links keep their text, emphasis its words."""
    text = _LINK.sub(lambda m: m["text"], text)
    text = _STRONG.sub(lambda m: m["text"], text)
    text = _EMPHASIS.sub(lambda m: m["text"], text)
    text = _CODE.sub(lambda m: m["text"], text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.strip().splitlines()]
    return "\n".join(lines)


def _label(part: Mapping[str, Any]) -> str:
    for prop in part.get("props") or ():
        if prop.get("name") == "label" and not prop.get("class"):
            return str(prop.get("value", "")).strip()
    for prop in part.get("props") or ():
        if prop.get("name") == "label":
            return str(prop.get("value", "")).strip()
    return ""


def render_parts(parts: Iterable[Mapping[str, Any]], params: ParameterText) -> str:
    """A part tree as lines: ``label prose`` for each part, depth first.

    A part's title (used by some catalogs instead of a label) is its own
    line before its prose.
    """
    lines: list[str] = []
    stack = list(reversed(list(parts)))
    while stack:
        part = stack.pop()
        title = part.get("title")
        if isinstance(title, str) and title.strip():
            lines.append(params.markup(title))
        prose = part.get("prose")
        text = params.markup(prose) if isinstance(prose, str) else ""
        label = _label(part)
        line = f"{label} {text}".strip() if label else text
        if line:
            lines.append(line)
        stack.extend(reversed(list(part.get("parts") or ())))
    return "\n".join(lines)
