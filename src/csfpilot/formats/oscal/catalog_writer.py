"""Writing any loaded framework as an OSCAL catalog in JSON.

An OSCAL *catalog* is the format NIST publishes SP 800-53 in, and the one GRC
tools, FedRAMP's tooling and compliance-as-code pipelines read. csfpilot
writes every framework it holds the way NIST writes its own: NIST's OSCAL
edition of CSF 2.0 makes each Function a *group* and each Category and
Subcategory a *control* (a Subcategory's title is its id, its Implementation
Examples are ``guidance`` parts of class ``example``), and SP 800-53 makes each
family a group and each control and enhancement a control. Generally: when
the top-level elements have children they become groups and everything below
them controls; a flat list of requirements is a list of controls.

What the file carries:

- each element's id (its OSCAL id when it came from OSCAL, else one derived
  from its code), its exact code as the ``label``, its level as the ``class``,
  title, statement (``statement``, or ``overview`` for a group), NIST's
  discussion (``guidance``), examples, related controls and references
  (``links`` to other elements and to the back matter), and a withdrawn
  element's ``status`` and ``incorporated-into``/``moved-to`` links;
- the framework's name, version, publisher and terms of use;
- in csfpilot's own namespace (:mod:`csfpilot.formats.oscal.extension`), what
  OSCAL has no place for, so that importing the file gives back the very same
  framework: its key, level names, content digest and provenance, untitled
  elements, and any other property an importer recorded.

The document is the same for the same framework: uuids are derived from the
content, and only ``last-modified`` (the time of the export) changes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import quote

from csfpilot.core.catalog import Catalog, Node
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import sp800_53_canonical, sp800_53_oscal_id
from csfpilot.formats.oscal.extension import (
    EXPORT_FORMAT,
    NS,
    OSCAL_VERSION,
    escape_line,
    escape_markup,
    is_string,
    is_token,
    prop,
    token_for,
)

# Node props that have a native OSCAL home; every other prop travels as JSON.
_NATIVE = ("oscal_id", "sort_id", "guidance", "related", "references")
_LINK_RELATION = {"incorporated_into": "incorporated-into", "moved_to": "moved-to"}
# Characters a URI fragment may hold as they are (RFC 3986 pchar, "/" and "?").
_FRAGMENT_SAFE = "-._~!$&'()*+,;=:@/?"


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, ":".join((NS, *parts))))


def timestamp(moment: datetime | None) -> str:
    """An OSCAL date-time in UTC to the second (now when ``moment`` is None)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def _refuse(catalog: Catalog, message: str, *, element: str | None = None, field: str) -> NoReturn:
    raise InputRefused(
        f"cannot be written as OSCAL: {message}",
        file=catalog.info.key,
        element=element,
        field=field,
    )


def element_ids(catalog: Catalog) -> dict[str, str]:
    """The OSCAL id each element gets (code → id).

    Elements read from an OSCAL catalog keep the id they had (``ac-2.1``);
    otherwise ids are derived from the codes (``GV.OC-01``, ``_4.2_a_``).
    """
    oscal = [n.props.get("oscal_id") for n in catalog.nodes]
    if (
        oscal
        and all(isinstance(i, str) and is_token(i) for i in oscal)
        and len(set(oscal)) == len(oscal)
    ):
        return {n.code: str(i) for n, i in zip(catalog.nodes, oscal, strict=True)}
    taken: set[str] = set()
    return {n.code: token_for(n.code, taken) for n in catalog.nodes}


def uses_oscal_ids(catalog: Catalog, ids: Mapping[str, str]) -> bool:
    return bool(catalog.nodes) and all(n.props.get("oscal_id") == ids[n.code] for n in catalog)


def fallback_id(framework_key: str, code: str) -> str:
    """An OSCAL id for an element of a framework whose catalog is not at hand."""
    if framework_key.startswith("sp800-53") and sp800_53_canonical(code):
        return sp800_53_oscal_id(code)
    return token_for(code, set())


class _Writer:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.key = catalog.info.key
        self.ids = element_ids(catalog)
        self.oscal_ids = uses_oscal_ids(catalog, self.ids)
        self.taken_parts: set[str] = set(self.ids.values())
        self.children: dict[str | None, list[Node]] = {}
        for n in sorted(catalog.nodes, key=lambda n: n.order):
            self.children.setdefault(n.parent, []).append(n)
        self.dfs: list[Node] = []
        stack = list(reversed(self.children.get(None, [])))
        while stack:
            n = stack.pop()
            self.dfs.append(n)
            stack.extend(reversed(self.children.get(n.code, [])))
        if len(self.dfs) != len(catalog.nodes):
            looped = sorted({n.code for n in catalog.nodes} - {n.code for n in self.dfs})
            _refuse(catalog, "the parent chain loops", element=looped[0], field="parent")
        # Orders that are not simply the position in the tree are kept explicitly.
        self.explicit_order = [n.order for n in self.dfs] != list(range(len(self.dfs)))
        self.resources: dict[str, dict[str, Any]] = {}

    # --- document -------------------------------------------------------------------

    def document(self, generated_at: datetime | None) -> dict[str, Any]:
        cat = self.catalog
        roots = self.children.get(None, [])
        roots_are_groups = any(self.children.get(n.code) for n in roots)
        body: dict[str, Any] = {
            "uuid": _uuid("catalog", self.key, cat.content_digest()),
            "metadata": self.metadata(generated_at),
        }
        elements = [self.element(n, group=roots_are_groups) for n in roots]
        if elements:
            body["groups" if roots_are_groups else "controls"] = elements
        if cat.info.terms:
            self.resources["terms"] = {
                "uuid": _uuid("terms", self.key),
                "title": "Terms of use",
                "description": escape_markup(cat.info.terms),
                "props": [prop("role", "terms-of-use")],
            }
        if self.resources:
            body["back-matter"] = {"resources": list(self.resources.values())}
        return {"catalog": body}

    def _string(self, value: str, field: str) -> str:
        if not is_string(value):
            _refuse(self.catalog, f"{value!r} is empty or has surrounding spaces", field=field)
        return value

    def metadata(self, generated_at: datetime | None) -> dict[str, Any]:
        info = self.catalog.info
        props = [prop("export-format", EXPORT_FORMAT), prop("framework-key", info.key)]
        if self.oscal_ids:
            props.append(prop("ids", "oscal"))
        if not info.name:
            props.append(prop("untitled", "true"))
        if info.named_by_crosswalks:
            props.append(prop("named-by-crosswalks", "true"))
        for name, value in (
            ("family", info.family),
            ("language", info.language),
            ("outcome-level", info.outcome_level),
        ):
            if value:
                props.append(prop(name, self._string(value, name)))
        props.extend(prop("level", self._string(lvl, "levels")) for lvl in info.levels)
        for name, value in (
            ("source-file", info.source_file),
            ("source-sha256", info.source_sha256),
        ):
            if value:
                props.append(prop(name, self._string(value, name)))
        props.append(prop("content-digest", self.catalog.content_digest()))
        meta: dict[str, Any] = {
            "title": escape_line(info.name or info.key),
            "last-modified": timestamp(generated_at),
            "version": self._string(info.version, "version"),
            "oscal-version": OSCAL_VERSION,
            "props": props,
        }
        if info.publisher:
            party = _uuid("party", info.publisher)
            meta["roles"] = [{"id": "publisher", "title": "Publisher"}]
            meta["parties"] = [
                {
                    "uuid": party,
                    "type": "organization",
                    "name": self._string(info.publisher, "publisher"),
                }
            ]
            meta["responsible-parties"] = [{"role-id": "publisher", "party-uuids": [party]}]
        return meta

    # --- elements -------------------------------------------------------------------

    def _part_id(self, wanted: str) -> str | None:
        if is_token(wanted) and wanted not in self.taken_parts:
            self.taken_parts.add(wanted)
            return wanted
        return None

    def element(self, n: Node, *, group: bool) -> dict[str, Any]:
        oid = self.ids[n.code]
        obj: dict[str, Any] = {"id": oid}
        if is_token(n.level):
            obj["class"] = n.level
        obj["title"] = escape_line(n.title or n.code)
        native, rest = self._native(n)
        obj["props"] = self.props(n, native, rest)
        links = self.links(n, native)
        if links:
            obj["links"] = links
        parts = self.parts(n, oid, native, group=group)
        if parts:
            obj["parts"] = parts
        children = [self.element(c, group=False) for c in self.children.get(n.code, [])]
        if children:
            obj["controls"] = children
        return obj

    def _fits(self, name: str, value: Any) -> bool:
        """Whether a prop can be written as the OSCAL construct made for it."""
        if name == "oscal_id":
            return self.oscal_ids
        if name == "sort_id":
            return is_string(value)
        if name == "guidance":
            return isinstance(value, str) and bool(value)
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            return False
        if len(set(value)) != len(value):
            return False
        if name == "related":  # links to elements of this catalog
            return all(c in self.ids for c in value)
        return name == "references" and all(value)  # back-matter resources, by title

    def _native(self, n: Node) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split an element's props into those OSCAL holds natively and the rest."""
        native: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        for name, value in n.props.items():
            (native if name in _NATIVE and self._fits(name, value) else rest)[name] = value
        return native, rest

    def props(self, n: Node, native: dict[str, Any], rest: dict[str, Any]) -> list[dict[str, Any]]:
        props: list[dict[str, Any]] = [{"name": "label", "value": self._code(n)}]
        if "sort_id" in native:
            props.append({"name": "sort-id", "value": native["sort_id"]})
        if n.withdrawn:
            props.append({"name": "status", "value": "withdrawn"})
        if not is_token(n.level):
            props.append(prop("level", self._string(n.level, f"{n.code} level")))
        if not n.title:
            props.append(prop("untitled", "true"))
        if self.explicit_order:
            props.append(prop("order", str(n.order)))
        if rest:
            try:
                blob = json.dumps(
                    rest, ensure_ascii=True, sort_keys=True, separators=(",", ":"), allow_nan=False
                )
            except (TypeError, ValueError) as exc:
                _refuse(
                    self.catalog, f"a property is not JSON: {exc}", element=n.code, field="props"
                )
            props.append(prop("props", blob))
        return props

    def _code(self, n: Node) -> str:
        if not is_string(n.code):
            _refuse(
                self.catalog,
                "the id is empty or has surrounding spaces",
                element=n.code,
                field="code",
            )
        return n.code

    def _href(self, code: str) -> str:
        if code in self.ids:
            return "#" + self.ids[code]
        return "#" + quote(code, safe=_FRAGMENT_SAFE)

    def links(self, n: Node, native: dict[str, Any]) -> list[dict[str, str]]:
        links = [{"href": self._href(c), "rel": "related"} for c in native.get("related", ())]
        for title in native.get("references", ()):
            resource = self.resources.setdefault(
                "ref:" + title,
                {"uuid": _uuid("reference", self.key, title), "title": escape_line(title)},
            )
            links.append({"href": "#" + resource["uuid"], "rel": "reference"})
        for w in n.withdrawn_to:
            # The link text is the target's code: exact, even for an id of another framework.
            links.append(
                {
                    "href": self._href(w.target),
                    "rel": _LINK_RELATION[str(w.relation)],
                    "text": escape_line(w.target),
                }
            )
        return links

    def parts(
        self, n: Node, oid: str, native: dict[str, Any], *, group: bool
    ) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        if n.text:
            part: dict[str, Any] = {"name": "overview" if group else "statement"}
            pid = self._part_id(f"{oid}_smt")
            if pid:
                part = {"id": pid, **part}
            part["prose"] = escape_markup(n.text)
            parts.append(part)
        if "guidance" in native:
            part = {"name": "guidance", "prose": escape_markup(native["guidance"])}
            pid = self._part_id(f"{oid}_gdn")
            parts.append({"id": pid, **part} if pid else part)
        for ex in n.examples:
            part = {"name": "guidance", "class": "example"}
            pid = self._part_id(ex.code)
            if pid:
                part = {"id": pid, **part}
            if ex.title:
                part["title"] = escape_line(ex.title)
            if ex.code and not pid:
                part["props"] = [prop("code", self._string(ex.code, f"{n.code} example code"))]
            if ex.text:
                part["prose"] = escape_markup(ex.text)
            parts.append(part)
        if n.withdrawal_note:
            parts.append(
                {"name": "withdrawal-note", "ns": NS, "prose": escape_markup(n.withdrawal_note)}
            )
        return parts


def catalog_document(catalog: Catalog, *, generated_at: datetime | None = None) -> dict[str, Any]:
    """The framework as an OSCAL 1.2.1 catalog (the parsed JSON document)."""
    return _Writer(catalog).document(generated_at)


def catalog_json(catalog: Catalog, *, generated_at: datetime | None = None) -> bytes:
    """The framework as an OSCAL 1.2.1 catalog file: UTF-8 JSON, indented for people."""
    doc = catalog_document(catalog, generated_at=generated_at)
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
