"""OSCAL 1.2 mapping collections (the control-mapping model), read as crosswalks.

A ``mapping-collection`` holds ``mappings``; each relates a source resource
to a target resource (catalogs, by a back-matter reference) and lists
``maps``. A map states a ``relationship`` between its ``sources`` and its
``targets`` (control or statement ids in those catalogs); a map with several
sources or targets becomes one row per pair. Relationships in OSCAL's own
vocabulary (``equivalent-to``, ``subset-of``, ``superset-of``,
``intersects-with``) are read as such; ``no-relationship`` maps are not
mappings and are left out. csfpilot's own exports add the exact element codes
(``label`` props), the framework keys of both resources, the dataset key,
strengths and the rows that name no target, so they come back unchanged.

The document is checked against NIST's OSCAL 1.2.1 mapping schema first;
``oscal-version`` may name a later 1.2 release (NIST writes ``v1.2.2``).
Nothing the document links to is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from csfpilot.core.catalog import DatasetInfo, Relationship
from csfpilot.core.catalog.crosswalk_input import (
    BY_OSCAL,
    FrameworkRef,
    PendingCrosswalk,
    PendingRow,
    official_key,
)
from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal.document import OscalDocument, responsible_party_names
from csfpilot.formats.oscal.extension import own_prop, unescape_line, unescape_markup

RELATIONSHIPS = {
    "equivalent-to": Relationship.EQUIVALENT,
    "equal-to": Relationship.EQUIVALENT,
    "subset-of": Relationship.SUBSET_OF,
    "superset-of": Relationship.SUPERSET_OF,
    "intersects-with": Relationship.INTERSECTS_WITH,
}
# csfpilot's namespace: the relationships OSCAL's vocabulary lacks.
OWN_RELATIONSHIPS = {
    "related-to": Relationship.RELATED_TO,
    "incorporated-into": Relationship.INCORPORATED_INTO,
    "moved-to": Relationship.MOVED_TO,
}
NO_RELATIONSHIP = "no-relationship"
_TERMS = "Terms of use: "
_TARGETLESS = re.compile(r"^- (?P<source>[^:\n]+?)(?: \((?P<rel>[a-z ]+)\))?: (?P<comment>.*)$")
_TARGETLESS_HEAD = "Rows that name no element of the target framework:"


def _slug(text: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9.]+", "-", text.lower())).strip("-.")


def _resource_ref(doc: OscalDocument, ref: Mapping[str, Any], where: str) -> FrameworkRef:
    href = str(ref.get("href", ""))
    resources = {
        r.get("uuid"): r for r in (doc.body.get("back-matter") or {}).get("resources") or ()
    }
    resource = resources.get(href[1:]) if href.startswith("#") else None
    if resource is None:
        label = href.rsplit("/", 1)[-1].removesuffix(".json").removesuffix(".oscal")
        return FrameworkRef(href, tuple(k for k in (_slug(label),) if k), f"{where}.href")
    title = unescape_line(str(resource.get("title", "")))
    keys = [own_prop(resource, "framework-key") or ""]
    keys += [official_key(title) or "", _slug(title)]
    return FrameworkRef(title or href, tuple(dict.fromkeys(k for k in keys if k)), f"{where}.href")


def _item_code(item: Mapping[str, Any]) -> str:
    for p in item.get("props") or ():
        if p.get("name") == "label" and not p.get("class"):
            return str(p.get("value", ""))
    return str(item.get("id-ref", ""))


def _relationship(m: Mapping[str, Any], doc: OscalDocument, where: str) -> Relationship | None:
    token = str(m.get("relationship", ""))
    if token == NO_RELATIONSHIP:
        return None
    if m.get("ns") and token in OWN_RELATIONSHIPS:
        return OWN_RELATIONSHIPS[token]
    if token in RELATIONSHIPS:
        return RELATIONSHIPS[token]
    raise InputRefused(
        f"relationship {token!r} is none of {', '.join([*RELATIONSHIPS, NO_RELATIONSHIP])}",
        file=doc.file,
        field=f"{where}.relationship",
    )


def _label_relationship(label: str | None) -> Relationship:
    token = (label or "").replace(" ", "_")
    return next((r for r in Relationship if r.value == token), Relationship.RELATED_TO)


def _targetless(remarks: str, where: str) -> list[PendingRow]:
    """The rows csfpilot's export wrote in a mapping's remarks (no target named)."""
    lines = unescape_markup(remarks).splitlines()
    if not lines or lines[0].strip() != _TARGETLESS_HEAD:
        return []
    rows = []
    for i, line in enumerate(lines[1:]):
        m = _TARGETLESS.match(line)
        if m:
            comment = m["comment"]
            rows.append(
                PendingRow(
                    source=m["source"],
                    target="",
                    relationship=_label_relationship(m["rel"]),
                    where=f"{where}.remarks line {i + 2}",
                    comment="" if comment == "no target named" else comment,
                )
            )
    return rows


def crosswalks_from_document(doc: OscalDocument) -> list[PendingCrosswalk]:
    """Every mapping of the collection as a pending crosswalk."""
    meta = doc.metadata
    dataset_key = own_prop(meta, "dataset-key")
    title = unescape_line(str(meta.get("title", "")))
    publisher = ", ".join(responsible_party_names(meta, ("publisher", "creator", "author")))
    remarks = unescape_markup(str(meta.get("remarks", "")))
    terms = remarks[len(_TERMS) :] if remarks.startswith(_TERMS) else ""
    description = unescape_markup(str(doc.body["provenance"].get("mapping-description", "")))
    mappings = doc.body["mappings"]
    out = []
    for i, mapping in enumerate(mappings):
        where = f"mapping-collection.mappings[{i}]"
        src = _resource_ref(doc, mapping["source-resource"], f"{where}.source-resource")
        dst = _resource_ref(doc, mapping["target-resource"], f"{where}.target-resource")
        rows: list[PendingRow] = []
        for j, m in enumerate(mapping["maps"]):
            at = f"{where}.maps[{j}]"
            relationship = _relationship(m, doc, at)
            if relationship is None:
                continue
            strength = own_prop(m, "strength")
            target_title = own_prop(m, "target-title") or ""
            comment = unescape_markup(str(m.get("remarks", "")))
            for s in m["sources"]:
                for t in m["targets"]:
                    rows.append(
                        PendingRow(
                            source=_item_code(s),
                            target=_item_code(t),
                            relationship=relationship,
                            where=at,
                            comment=comment,
                            strength=int(strength) if strength and strength.isdigit() else None,
                            target_title=target_title,
                        )
                    )
        rows += _targetless(str(mapping.get("remarks", "")), where)
        base = dataset_key or _slug(title) or "oscal-mapping"
        key = base if len(mappings) == 1 else f"{base}-{i + 1}"
        info = DatasetInfo(
            key=key[:120],
            name=(title or key)[:300],
            publisher=publisher[:200],
            version=doc.version if doc.version != "unversioned" else "",
            source_framework=src.keys[0] if src.keys else src.label,
            target_framework=dst.keys[0] if dst.keys else dst.label,
            terms=terms,
            source_file=doc.file,
            source_sha256=doc.sha256,
            description=description,
        )
        out.append(
            PendingCrosswalk(info=info, source=src, target=dst, rows=tuple(rows), ids=BY_OSCAL)
        )
    return out
