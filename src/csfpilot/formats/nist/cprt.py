"""NIST's CPRT "JSON" export of the CSF 2.0 Core: the same content as a flat graph.

The Cybersecurity and Privacy Reference Tool exports a framework version as
``{"response": {"elements": {"documents", "relationship_types", "elements",
"relationships"}}}``. Elements are flat (``element_type``,
``element_identifier``, ``title``, ``text``); structure is in the
relationships:

- ``projection`` edges build the tree (function → category → subcategory →
  implementation example / party tag) and attach each element's ``sort``
  element (``S-GV.OC-01``, title ``00001.00001.00001``) and, for withdrawn
  elements, their ``withdraw_reason``;
- ``incorporated_into`` / ``moved_to`` edges go from a withdraw reason to the
  withdrawn element's targets;
- ``external_reference`` edges go from a Subcategory or Category to an SP 800-53
  Rev. 5.1.1 control family.

Order follows the export's element list, which is the publication's order;
the ``sort`` keys disagree with it for the Detect Function (see
:func:`_document_order`). The reader translates all this into the element list
the Reference Tool reader produces, so both give the same catalog for the same
Core (see :mod:`csfpilot.formats.nist.csf_core`). The export has no OLIR
datasets besides the family references.

The export dated 04-24-2024 that ships with csfpilot predates one NIST
correction: its GV.OC-04 reads "services that stakeholders depend on", where
CSWP 29 and the current Reference Tool read "services that external
stakeholders depend on". Its catalog therefore differs from the Reference
Tool's in that one text, and the database refuses to load it over the bundled
``csf-2.0``; a current CPRT export gives the identical catalog.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from csfpilot.core.catalog import Example, ImportBundle, Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import CSF_1_1
from csfpilot.formats.nist.csf_core import (
    CoreElement,
    WithdrawalRecord,
    build_csf_catalog,
    csf_framework_info,
    withdrawal_migrations,
)
from csfpilot.formats.nist.olir import FAMILY_DATASETS, ReferenceRow, informative_reference_bundle
from csfpilot.formats.nist.shipped import CPRT_JSON, shipped_file
from csfpilot.formats.safe_json import load_json, read_limited

_CORE_TYPES = ("function", "category", "subcategory")
_PARENT_TYPE = {"category": "function", "subcategory": "category"}
_KNOWN_TYPES = (*_CORE_TYPES, "implementation_example", "party", "withdraw_reason", "sort")
_WITHDRAWAL_RELATIONS = {
    "incorporated_into": Relationship.INCORPORATED_INTO,
    "moved_to": Relationship.MOVED_TO,
}
_EXAMPLE_NUMBER = re.compile(r"(\d+)$")


def _str(record: dict[str, Any], key: str, *, file: str, where: str, required: bool = True) -> str:
    value = record.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InputRefused(
            f"{key} must be a non-empty string" if required else f"{key} must be a string",
            file=file,
            field=f"{where}.{key}",
        )
    return value


def _list(container: dict[str, Any], key: str, *, file: str, where: str) -> list[dict[str, Any]]:
    value = container.get(key)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputRefused(f"{key} must be a list of objects", file=file, field=f"{where}.{key}")
    return value


def _example_key(example: Example) -> tuple[int, str]:
    m = _EXAMPLE_NUMBER.search(example.code)
    return (int(m.group(1)) if m else 0, example.code)


def _document_order(core: list[str], parent: dict[str, str]) -> list[str]:
    # Depth-first, siblings in the order the export lists them. The export's
    # ``sort`` keys are not used: they put DE.AE before DE.CM (CSF 1.1's order),
    # while CSWP 29, the Reference Tool and the export's own element list put
    # DE.CM first.
    children: dict[str | None, list[str]] = defaultdict(list)
    for ident in core:
        children[parent.get(ident)].append(ident)
    out: list[str] = []
    stack = list(reversed(children[None]))
    while stack:
        ident = stack.pop()
        out.append(ident)
        stack.extend(reversed(children.get(ident, [])))
    return out


def read_cprt(
    source: Path | bytes | None = None,
    *,
    name: str | None = None,
    version: str = "2.0",
    key: str | None = None,
    withdrawn_from: str = CSF_1_1,
) -> ImportBundle:
    """Read a CPRT JSON export of the CSF (by default the one that ships with csfpilot)."""
    if source is None:
        source = shipped_file(CPRT_JSON)
    if name is None:
        name = source.name if isinstance(source, Path) else "cprt.json"
    raw = read_limited(source, name=name)
    sha256 = hashlib.sha256(raw).hexdigest()
    doc = load_json(raw, name=name)
    response = doc.get("response") if isinstance(doc, dict) else None
    graph = response.get("elements") if isinstance(response, dict) else None
    if not isinstance(graph, dict):
        raise InputRefused(
            "this is not a CPRT export: no 'response.elements' object",
            file=name,
            field="response.elements",
        )
    where_els, where_rels = "response.elements.elements", "response.elements.relationships"

    records: dict[str, dict[str, str]] = {}
    ignored: dict[str, int] = defaultdict(int)
    for i, rec in enumerate(_list(graph, "elements", file=name, where="response.elements")):
        where = f"{where_els}[{i}]"
        kind = _str(rec, "element_type", file=name, where=where)
        ident = _str(rec, "element_identifier", file=name, where=where).strip()
        if kind not in _KNOWN_TYPES:
            ignored[kind] += 1
            continue
        if ident in records:
            raise InputRefused(
                "the same element_identifier appears twice", file=name, element=ident, field=where
            )
        records[ident] = {
            "type": kind,
            "title": _str(rec, "title", file=name, where=where, required=False),
            "text": _str(rec, "text", file=name, where=where, required=False),
            "where": where,
        }

    parent: dict[str, str] = {}
    examples: dict[str, list[Example]] = defaultdict(list)
    parties: dict[str, list[str]] = defaultdict(list)
    reason_of: dict[str, str] = {}
    targets: dict[str, list[tuple[Relationship, str]]] = defaultdict(list)
    references: list[ReferenceRow] = []

    for i, rel in enumerate(_list(graph, "relationships", file=name, where="response.elements")):
        where = f"{where_rels}[{i}]"
        kind = _str(rel, "relationship_identifier", file=name, where=where)
        src = _str(rel, "source_element_identifier", file=name, where=where).strip()
        dst = _str(rel, "dest_element_identifier", file=name, where=where).strip()
        if kind == "external_reference":
            references.append(
                ReferenceRow(
                    source=src,
                    relation="external_reference",
                    dataset="SP_800_53_5_1_1",
                    target=dst,
                    target_type="family",
                    title="",
                    text="",
                    where=where,
                )
            )
            continue
        if kind not in ("projection", *_WITHDRAWAL_RELATIONS):
            ignored[f"relationship {kind}"] += 1
            continue
        for end in (src, dst):
            if end not in records:
                raise InputRefused(
                    f"the {kind} relationship points at {end!r}, "
                    "which is not an element of the file",
                    file=name,
                    element=end,
                    field=where,
                )
        s_type, d_type = records[src]["type"], records[dst]["type"]
        if kind in _WITHDRAWAL_RELATIONS:
            if s_type != "withdraw_reason":
                raise InputRefused(
                    f"a {kind} relationship must start at a withdraw_reason, not a {s_type}",
                    file=name,
                    element=src,
                    field=where,
                )
            targets[src].append((_WITHDRAWAL_RELATIONS[kind], dst))
        elif d_type in _CORE_TYPES:
            if _PARENT_TYPE.get(d_type) != s_type:
                raise InputRefused(
                    f"a {d_type} cannot sit under a {s_type} ({src})",
                    file=name,
                    element=dst,
                    field=where,
                )
            if dst in parent:
                raise InputRefused(
                    f"the element has two parents, {parent[dst]} and {src}",
                    file=name,
                    element=dst,
                    field=where,
                )
            parent[dst] = src
        elif d_type == "implementation_example":
            if s_type != "subcategory":
                raise InputRefused(
                    f"an implementation example can only belong to a subcategory, not a {s_type}",
                    file=name,
                    element=dst,
                    field=where,
                )
            examples[src].append(
                Example(code=dst, title=records[dst]["title"], text=records[dst]["text"])
            )
        elif d_type == "party":
            parties[src].append(dst)
        elif d_type == "withdraw_reason":
            if src in reason_of:
                raise InputRefused("two withdrawal reasons", file=name, element=src, field=where)
            reason_of[src] = dst

    core = [ident for ident, rec in records.items() if rec["type"] in _CORE_TYPES]
    for ident in core:
        if records[ident]["type"] != "function" and ident not in parent:
            raise InputRefused(
                f"the {records[ident]['type']} has no parent", file=name, element=ident
            )
    elements: list[CoreElement] = []
    for ident in _document_order(core, parent):
        rec = records[ident]
        withdrawal = None
        if ident in reason_of:
            wr = reason_of[ident]
            withdrawal = WithdrawalRecord(
                reason=records[wr]["text"], targets=tuple(targets.get(wr, ()))
            )
        elements.append(
            CoreElement(
                code=ident,
                level=rec["type"],
                parent=parent.get(ident),
                title=rec["title"],
                text=rec["text"],
                examples=tuple(sorted(examples.get(ident, ()), key=_example_key)),
                parties=tuple(parties.get(ident, ())),
                withdrawal=withdrawal,
                where=rec["where"],
            )
        )

    info = csf_framework_info(
        key=key or f"csf-{version}", version=version, source_file=name, sha256=sha256
    )
    catalog = build_csf_catalog(elements, info)
    bundle = ImportBundle(catalogs=[catalog])
    bundle.extend(
        informative_reference_bundle(
            references,
            catalog=catalog,
            source_file=name,
            source_sha256=sha256,
            datasets=FAMILY_DATASETS,
        )
    )
    bundle.mapping_sets.append(
        withdrawal_migrations(
            elements, catalog, withdrawn_from=withdrawn_from, source_sha256=sha256
        )
    )
    for kind, count in sorted(ignored.items()):
        bundle.warnings.append(f"{name}: ignored {count} item(s) of unknown type {kind!r}")
    return bundle
