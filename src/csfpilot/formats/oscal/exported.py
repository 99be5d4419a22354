"""Reading back an OSCAL catalog that csfpilot wrote, exactly as it went out.

A catalog from :mod:`csfpilot.formats.oscal.catalog_writer` says so in its
metadata (csfpilot's ``export-format`` property). Such a file is read with
the same walk as any OSCAL catalog, but nothing is guessed: codes are the
labels as written, levels are the declared ones, text is un-escaped rather
than rendered, and every property the writer put in csfpilot's namespace
comes back. The result is the framework that was exported, field for field:
a user can move a framework between two csfpilot installations, or through
an OSCAL tool that keeps what it does not understand, without loss.

Provenance follows the content. The writer records the content digest; when
the elements read back still have that digest, the framework keeps the
source file and sha256 of the NIST file it was first read from. When the
content differs (edited in another tool, or imported under another key or
version), this file becomes its source and a warning says why.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from csfpilot.core.catalog import Catalog, Example, FrameworkInfo, ImportBundle, Node, Relationship
from csfpilot.core.catalog import Withdrawal as WithdrawalTo
from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal.catalog import (
    _WITHDRAWAL_RELATIONS,
    _WITHDRAWN_STATUSES,
    _check_key,
    _Entry,
    _index,
    _Reader,
)
from csfpilot.formats.oscal.document import OscalDocument
from csfpilot.formats.oscal.extension import (
    EXPORT_FORMAT,
    NS,
    first_plain,
    own_prop,
    own_props,
    unescape_line,
    unescape_markup,
)

_TEXT_PARTS = ("statement", "overview")


def _plain_parts(obj: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    return [p for p in obj.get("parts") or () if p.get("name") == name and not p.get("ns")]


class _ExportReader(_Reader):
    """The OSCAL walk of :class:`_Reader`, reading csfpilot's own properties exactly."""

    def __init__(self, doc: OscalDocument, key: str) -> None:
        index = _index(doc)
        super().__init__(doc, index, sp800_53=False, key=key)
        meta_props = own_props(doc.metadata)
        self.declared_levels = tuple(meta_props.get("level", ()))
        self.resources: dict[str, Mapping[str, Any]] = {
            str(r.get("uuid")): r
            for r in (doc.body.get("back-matter") or {}).get("resources") or ()
        }
        self.oscal_ids = False

    def _labels_unique(self) -> bool:
        # Codes are unique by construction; labels are read verbatim, not compared.
        return True

    def level(self, e: _Entry) -> str:
        declared = own_prop(e.obj, "level")
        level = declared if declared is not None else e.obj.get("class")
        if not isinstance(level, str) or level not in self.declared_levels:
            raise InputRefused(
                f"level {level!r} is not one of the declared levels {list(self.declared_levels)}",
                file=self.doc.file,
                element=str(e.obj.get("id")),
                field=f"{e.where}.class",
            )
        return level

    def levels(self) -> tuple[str, ...]:
        return self.declared_levels

    def code(self, e: _Entry) -> str:
        label = first_plain(e.obj.get("props"), "label")
        if not label:
            raise InputRefused(
                "an element of a csfpilot export has no label (its code)",
                file=self.doc.file,
                element=str(e.obj.get("id")),
                field=f"{e.where}.props",
            )
        return label

    def _text(self, obj: Mapping[str, Any]) -> str:
        for name in _TEXT_PARTS:
            for part in _plain_parts(obj, name):
                return unescape_markup(str(part.get("prose", "")))
        return ""

    def _examples(self, obj: Mapping[str, Any]) -> tuple[Example, ...]:
        out = []
        for part in _plain_parts(obj, "guidance"):
            if part.get("class") != "example":
                continue
            title = part.get("title")
            out.append(
                Example(
                    code=own_prop(part, "code") or str(part.get("id", "")),
                    title=unescape_line(title) if isinstance(title, str) else "",
                    text=unescape_markup(str(part.get("prose", ""))),
                )
            )
        return tuple(out)

    def _props(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        props: dict[str, Any] = {}
        if self.oscal_ids:
            props["oscal_id"] = obj.get("id")
        sort_id = first_plain(obj.get("props"), "sort-id")
        if sort_id is not None:
            props["sort_id"] = sort_id
        guidance = [p for p in _plain_parts(obj, "guidance") if p.get("class") != "example"]
        if guidance:
            props["guidance"] = unescape_markup(str(guidance[0].get("prose", "")))
        related = [
            self.codes[href[1:]]
            for link in obj.get("links") or ()
            if link.get("rel") == "related"
            and (href := str(link.get("href", ""))).startswith("#")
            and href[1:] in self.codes
        ]
        if related:
            props["related"] = related
        references = []
        for link in obj.get("links") or ():
            resource = self.resources.get(str(link.get("href", ""))[1:])
            if link.get("rel") == "reference" and resource is not None:
                references.append(unescape_line(str(resource.get("title", ""))))
        if references:
            props["references"] = references
        blob = own_prop(obj, "props")
        if blob is not None:
            try:
                extra = json.loads(blob)
            except ValueError:
                extra = None
            if not isinstance(extra, dict):
                raise InputRefused(
                    "csfpilot's props property is not a JSON object",
                    file=self.doc.file,
                    element=str(obj.get("id")),
                    field="props",
                )
            props.update(extra)
        return props

    def _withdrawn_to(self, obj: Mapping[str, Any]) -> tuple[WithdrawalTo, ...]:
        out = []
        for link in obj.get("links") or ():
            relation: Relationship | None = _WITHDRAWAL_RELATIONS.get(str(link.get("rel")))
            href = str(link.get("href", ""))
            if relation is None or not href.startswith("#"):
                continue
            # The writer puts the target's code in the link text; without it, follow the href.
            text = link.get("text")
            if isinstance(text, str) and text:
                target = unescape_line(text)
            else:
                target = self.codes.get(href[1:]) or unquote(href[1:])
            out.append(WithdrawalTo(relation=relation, target=target))
        return tuple(out)

    def node(self, e: _Entry, order: int) -> Node:
        obj = e.obj
        own = own_props(obj)
        notes = [
            p
            for p in obj.get("parts") or ()
            if p.get("ns") == NS and p.get("name") == "withdrawal-note"
        ]
        status = (first_plain(obj.get("props"), "status") or "").strip().lower()
        explicit_order = own.get("order")
        try:
            order = int(explicit_order[0]) if explicit_order else order
        except ValueError:
            raise InputRefused(
                "csfpilot's order property is not a number",
                file=self.doc.file,
                element=str(obj.get("id")),
                field="props",
            ) from None
        return Node(
            code=self.entry_codes[id(e)],
            level=self.level(e),
            parent=self.entry_codes[id(e.parent)] if e.parent is not None else None,
            title="" if own.get("untitled") else unescape_line(str(obj.get("title", ""))),
            text=self._text(obj),
            order=order,
            examples=self._examples(obj),
            withdrawn=status in _WITHDRAWN_STATUSES,
            withdrawal_note=unescape_markup(str(notes[0].get("prose", ""))) if notes else "",
            withdrawn_to=self._withdrawn_to(obj),
            props=self._props(obj),
        )


def _publisher(metadata: Mapping[str, Any]) -> str:
    parties = {p.get("uuid"): str(p.get("name", "")) for p in metadata.get("parties") or ()}
    names = [
        parties.get(u, "")
        for rp in metadata.get("responsible-parties") or ()
        if rp.get("role-id") == "publisher"
        for u in rp.get("party-uuids") or ()
    ]
    return ", ".join(n for n in names if n)


def _terms(doc: OscalDocument) -> str:
    for resource in (doc.body.get("back-matter") or {}).get("resources") or ():
        if own_prop(resource, "role") == "terms-of-use":
            return unescape_markup(str(resource.get("description", "")))
    return ""


def catalog_from_export(
    doc: OscalDocument, *, key: str | None = None, version: str | None = None
) -> ImportBundle:
    """The framework a csfpilot OSCAL export holds (see the module docstring)."""
    meta = doc.metadata
    declared = own_props(meta)
    fmt = declared.get("export-format", [""])[0]
    if fmt != EXPORT_FORMAT:
        raise InputRefused(
            f"this file was written by a newer csfpilot (export format {fmt!r}; this one "
            f"reads format {EXPORT_FORMAT!r}); upgrade csfpilot to import it",
            file=doc.file,
            field="metadata.props",
        )
    declared_key = declared.get("framework-key", [""])[0]
    framework_key = _check_key(key or declared_key, doc.file)
    reader = _ExportReader(doc, framework_key)
    # Ids are the elements' own OSCAL ids when every element carried one.
    reader.oscal_ids = own_prop(meta, "ids") == "oscal"
    nodes = reader.read()
    if not nodes:
        raise InputRefused("the catalog holds no groups or controls", file=doc.file)

    def one(name: str) -> str:
        return declared.get(name, [""])[0]

    info = FrameworkInfo(
        key=framework_key,
        name="" if declared.get("untitled") else unescape_line(str(meta.get("title", ""))),
        version=version.strip() if version else str(meta.get("version", "")),
        publisher=_publisher(meta),
        levels=reader.levels(),
        terms=_terms(doc),
        source_file=one("source-file"),
        source_sha256=one("source-sha256"),
        family=one("family"),
        language=one("language"),
        outcome_level=one("outcome-level"),
        named_by_crosswalks=one("named-by-crosswalks") == "true",
    )
    catalog = Catalog(info=info, nodes=tuple(nodes))
    warnings = list(reader.warnings)
    if catalog.content_digest() != one("content-digest"):
        if not (key or version):
            warnings.append(
                f"{doc.file}: the framework changed after csfpilot exported it, so it is "
                "recorded as coming from this file rather than from its original source"
            )
        catalog = Catalog(
            info=replace(info, source_file=doc.file, source_sha256=doc.sha256), nodes=catalog.nodes
        )
    return ImportBundle(catalogs=[catalog], warnings=warnings)
