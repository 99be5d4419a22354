"""Writing a crosswalk as an OSCAL *mapping collection* (OSCAL 1.2's control-mapping model).

A crosswalk says how the elements of one framework relate to those of
another: "CSF 2.0 GV.OC-01 relates to SP 800-53 PM-11". OSCAL's mapping
model carries exactly that: a *mapping* names the source and target catalogs
and holds one *map* per row, each with a relationship, the source and
target controls (by their OSCAL ids in those catalogs), and remarks.

Relationships follow NIST IR 8477's set theory where the dataset states one:
``equivalent`` → ``equivalent-to``, ``subset_of`` → ``subset-of``,
``superset_of`` → ``superset-of``, ``intersects_with`` → ``intersects-with``
(OSCAL's own vocabulary). Most of NIST's OLIR datasets in the CSF 2.0
Reference Tool state none: those rows are plain informative references,
written as ``related-to`` in csfpilot's namespace, as are the two migration
relationships of withdrawn elements (``incorporated-into``, ``moved-to``).

Each map also carries the exact codes (``label`` props), so the file reads
the same whether or not the reader has the catalogs at hand. The ids match
those of :mod:`csfpilot.formats.oscal.catalog_writer` when the catalogs are
given, so an OSCAL tool holding both exports can follow every map.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from csfpilot.core.catalog import Catalog, Mapping, MappingSet, Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal.catalog_writer import element_ids, fallback_id, timestamp
from csfpilot.formats.oscal.extension import (
    EXPORT_FORMAT,
    NS,
    OSCAL_VERSION,
    escape_line,
    escape_markup,
    is_string,
    prop,
)

# OSCAL's own relationship tokens (default namespace), from NIST IR 8477.
_OSCAL_RELATIONSHIP = {
    Relationship.EQUIVALENT: "equivalent-to",
    Relationship.SUBSET_OF: "subset-of",
    Relationship.SUPERSET_OF: "superset-of",
    Relationship.INTERSECTS_WITH: "intersects-with",
}


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, ":".join((NS, "mapping", *parts))))


class _Ids:
    """OSCAL ids of one framework's elements, from its catalog when there is one."""

    def __init__(self, framework_key: str, catalog: Catalog | None) -> None:
        self.framework_key = framework_key
        self.known = element_ids(catalog) if catalog is not None else {}

    def __call__(self, code: str) -> str:
        return self.known.get(code) or fallback_id(self.framework_key, code)


def _item(code: str, ids: _Ids) -> dict[str, Any]:
    return {"type": "control", "id-ref": ids(code), "props": [{"name": "label", "value": code}]}


def _map(ms: MappingSet, row: Mapping, index: int, src: _Ids, dst: _Ids) -> dict[str, Any]:
    for code, field in ((row.source, "source"), (row.target, "target")):
        if not is_string(code):
            raise InputRefused(
                f"cannot be written as OSCAL: row {index + 1} has an empty or padded {field} id",
                file=ms.info.key,
                field=field,
            )
    entry: dict[str, Any] = {
        "uuid": _uuid(ms.info.key, str(index), row.source, str(row.relationship), row.target)
    }
    props = []
    if row.strength is not None:
        props.append(prop("strength", str(row.strength)))
    title = " ".join(row.target_title.split())
    if title:
        props.append(prop("target-title", title))
    if props:
        entry["props"] = props
    native = _OSCAL_RELATIONSHIP.get(row.relationship)
    if native is None:
        entry["ns"] = NS
        entry["relationship"] = str(row.relationship).replace("_", "-")
    else:
        entry["relationship"] = native
    entry["sources"] = [_item(row.source, src)]
    entry["targets"] = [_item(row.target, dst)]
    if row.comment:
        entry["remarks"] = escape_markup(row.comment)
    return entry


def _resource(key: str, catalog: Catalog | None) -> dict[str, Any]:
    """A back-matter entry standing for one side's catalog (its csfpilot export)."""
    title = f"{catalog.info.name} {catalog.info.version}" if catalog is not None else key
    return {
        "uuid": _uuid("catalog", key),
        "title": escape_line(title),
        "props": [prop("framework-key", key)],
        "rlinks": [{"href": f"{key}.oscal.json", "media-type": "application/json"}],
    }


def mapping_document(
    ms: MappingSet,
    *,
    source: Catalog | None = None,
    target: Catalog | None = None,
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """The crosswalk as an OSCAL 1.2.1 mapping collection (the parsed JSON document).

    ``source`` and ``target`` are the two frameworks' catalogs when loaded; they
    give the maps the same OSCAL ids the catalog export uses.
    """
    info = ms.info
    src = _Ids(info.source_framework, source)
    dst = _Ids(info.target_framework, target)
    src_res, dst_res = (
        _resource(info.source_framework, source),
        _resource(info.target_framework, target),
    )
    meta_props = [
        prop("export-format", EXPORT_FORMAT),
        prop("dataset-key", info.key),
        prop("content-digest", ms.content_digest()),
    ]
    for name, value in (("source-file", info.source_file), ("source-sha256", info.source_sha256)):
        if is_string(value):
            meta_props.append(prop(name, value))
    metadata: dict[str, Any] = {
        "title": escape_line(info.name or info.key),
        "last-modified": timestamp(generated_at),
        "version": info.version if is_string(info.version) else "unversioned",
        "oscal-version": OSCAL_VERSION,
        "props": meta_props,
    }
    if is_string(info.publisher):
        party = _uuid("party", info.publisher)
        metadata["roles"] = [{"id": "publisher", "title": "Publisher"}]
        metadata["parties"] = [{"uuid": party, "type": "organization", "name": info.publisher}]
        metadata["responsible-parties"] = [{"role-id": "publisher", "party-uuids": [party]}]
    if info.terms:
        metadata["remarks"] = escape_markup(f"Terms of use: {info.terms}")
    description = info.description or info.name or info.key
    provenance: dict[str, Any] = {
        # Published crosswalks are made by people; informative references relate
        # meaning rather than wording, hence "semantic".
        "method": "human",
        "matching-rationale": "semantic",
        "status": "complete",
        "mapping-description": escape_markup(description),
    }
    # A row without a target says "nothing in the other framework": OSCAL has
    # no map for that, so such rows go in the mapping's remarks, and elements
    # that only have such rows in its gap summary.
    mapped = [(i, row) for i, row in enumerate(ms.mappings) if row.target.strip()]
    if not mapped:
        raise InputRefused(
            "cannot be written as OSCAL: no row of the crosswalk names a target", file=info.key
        )
    mapping: dict[str, Any] = {
        "uuid": _uuid(info.key, "mapping"),
        "source-resource": {"type": "catalog", "href": "#" + src_res["uuid"]},
        "target-resource": {"type": "catalog", "href": "#" + dst_res["uuid"]},
        "maps": [_map(ms, row, i, src, dst) for i, row in mapped],
    }
    targetless = [row for row in ms.mappings if not row.target.strip()]
    if targetless:
        with_target = {row.source for _, row in mapped}
        unmapped = list(dict.fromkeys(r.source for r in targetless if r.source not in with_target))
        if unmapped:
            mapping["source-gap-summary"] = {
                "uuid": _uuid(info.key, "gaps"),
                "unmapped-controls": [{"with-ids": [src(code) for code in unmapped]}],
            }
        lines = [
            f"- {r.source} ({r.relationship.label}): {r.comment or 'no target named'}"
            for r in targetless
        ]
        mapping["remarks"] = escape_markup(
            "Rows that name no element of the target framework:\n" + "\n".join(lines)
        )
    body = {
        "uuid": _uuid(info.key, ms.content_digest()),
        "metadata": metadata,
        "provenance": provenance,
        "mappings": [mapping],
        "back-matter": {"resources": [src_res, dst_res] if src_res != dst_res else [src_res]},
    }
    return {"mapping-collection": body}


def mapping_json(
    ms: MappingSet,
    *,
    source: Catalog | None = None,
    target: Catalog | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The crosswalk as an OSCAL 1.2.1 mapping-collection file (UTF-8 JSON)."""
    doc = mapping_document(ms, source=source, target=target, generated_at=generated_at)
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
