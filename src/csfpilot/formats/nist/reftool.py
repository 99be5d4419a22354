"""NIST's CSF 2.0 Reference Tool JSON, the primary source of the CSF 2.0 Core.

The file is the raw answer of the Reference Tool's ``csf/elements`` service:
``{"response": {"elements": [<Function>, ...]}}`` where every node has the same
recursive shape (``elementIdentifier``, ``elementTypeIdentifier``, ``title``,
``text``, optional ``elements`` and ``externalRelationships``).

- Functions nest Categories, Categories nest Subcategories; a Subcategory's
  outcome statement is its ``text`` (its ``title`` is empty).
- ``implementation_example`` children are NIST's Implementation Examples
  (``title`` "Ex1"..., id ``GV.OC-01.001`` with a global running number).
- ``party`` children tag a Subcategory as first- or third-party risk.
- A ``withdraw_reason`` child marks its parent as a withdrawn CSF 1.1 element;
  the reason's own children are stubs that point at the targets (they reuse
  real ids, so they are never read as Core elements).
- ``externalRelationships`` are the Informative References: one entry per OLIR
  row (``olirName`` names the dataset, ``elementIdentifier`` is the id in the
  *other* document) and the SP 800-53 family references (``external_reference``).

:func:`read_reference_tool` returns the CSF catalog, the informative-reference
datasets csfpilot ships (see :mod:`csfpilot.formats.nist.olir`), the catalogs
of the third-party documents those datasets point at, and the CSF 1.1 → 2.0
withdrawal migrations.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csfpilot.core.catalog import Catalog, Example, ImportBundle, MappingSet, Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import CSF_1_1
from csfpilot.formats.nist.csf_core import (
    CoreElement,
    WithdrawalRecord,
    build_csf_catalog,
    csf_framework_info,
    withdrawal_migrations,
)
from csfpilot.formats.nist.olir import ReferenceRow, informative_reference_bundle
from csfpilot.formats.nist.shipped import REFERENCE_TOOL_JSON, REFERENCE_TOOL_SHA256, shipped_file
from csfpilot.formats.safe_json import load_json, read_limited

_CORE_TYPES = ("function", "category", "subcategory")
_CHILD_LEVEL = {"function": "category", "category": "subcategory"}
_WITHDRAWAL_RELATIONS = {
    "incorporated_into": Relationship.INCORPORATED_INTO,
    "moved_to": Relationship.MOVED_TO,
}


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.elements: list[CoreElement] = []
        # (relationship, element, where): turned into rows by ``references``, which the
        # reader of the Core alone (``read_reference_tool_core``) may never need.
        self.relationships: list[tuple[dict[str, Any], str, str]] = []
        self.ignored: dict[str, int] = {}

    def refuse(self, message: str, *, where: str, element: str | None = None) -> InputRefused:
        return InputRefused(message, file=self.file, element=element, field=where)

    def string(self, node: dict[str, Any], key: str, *, where: str, required: bool = False) -> str:
        value = node.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.refuse(
                f"{key} must be a non-empty string" if required else f"{key} must be a string",
                where=f"{where}.{key}",
                element=node.get("elementIdentifier")
                if isinstance(node.get("elementIdentifier"), str)
                else None,
            )
        return value

    def children(self, node: dict[str, Any], key: str, *, where: str) -> list[dict[str, Any]]:
        value = node.get(key, [])
        if not isinstance(value, list) or not all(isinstance(c, dict) for c in value):
            raise self.refuse(f"{key} must be a list of objects", where=f"{where}.{key}")
        return value

    def core_node(
        self, node: dict[str, Any], *, level: str, parent: str | None, where: str
    ) -> None:
        code = self.string(node, "elementIdentifier", where=where, required=True).strip()
        kind = self.string(node, "elementTypeIdentifier", where=where, required=True)
        if kind != level:
            raise self.refuse(
                f"expected a {level} here, found a {kind!r}", where=where, element=code
            )
        examples: list[Example] = []
        parties: list[str] = []
        withdrawal: WithdrawalRecord | None = None
        nested: list[tuple[dict[str, Any], str]] = []
        for i, child in enumerate(self.children(node, "elements", where=where)):
            cwhere = f"{where}.elements[{i}]"
            ckind = self.string(child, "elementTypeIdentifier", where=cwhere, required=True)
            if ckind == "implementation_example":
                if level != "subcategory":
                    raise self.refuse(
                        "an implementation example can only belong to a subcategory, "
                        f"not a {level}",
                        where=cwhere,
                        element=code,
                    )
                examples.append(
                    Example(
                        code=self.string(child, "elementIdentifier", where=cwhere, required=True),
                        title=self.string(child, "title", where=cwhere),
                        text=self.string(child, "text", where=cwhere, required=True),
                    )
                )
            elif ckind == "party":
                parties.append(self.string(child, "elementIdentifier", where=cwhere, required=True))
            elif ckind == "withdraw_reason":
                if withdrawal is not None:
                    raise self.refuse("two withdrawal reasons", where=cwhere, element=code)
                withdrawal = self.withdrawal(child, where=cwhere, element=code)
            elif ckind in _CORE_TYPES:
                nested.append((child, cwhere))
            else:
                self.ignored[ckind] = self.ignored.get(ckind, 0) + 1
        self.elements.append(
            CoreElement(
                code=code,
                level=level,
                parent=parent,
                title=self.string(node, "title", where=where),
                text=self.string(node, "text", where=where),
                examples=tuple(examples),
                parties=tuple(parties),
                withdrawal=withdrawal,
                where=where,
            )
        )
        if withdrawal is None:
            for rel in self.children(node, "externalRelationships", where=where):
                self.relationships.append((rel, code, where))
        for child, cwhere in nested:
            if level not in _CHILD_LEVEL:
                raise self.refuse(
                    f"a {level} cannot contain other Core elements", where=cwhere, element=code
                )
            self.core_node(child, level=_CHILD_LEVEL[level], parent=code, where=cwhere)

    def withdrawal(self, node: dict[str, Any], *, where: str, element: str) -> WithdrawalRecord:
        reason = self.string(node, "text", where=where, required=True)
        targets: list[tuple[Relationship, str]] = []
        for i, stub in enumerate(self.children(node, "elements", where=where)):
            swhere = f"{where}.elements[{i}]"
            relation = self.string(stub, "relationIdentifier", where=swhere, required=True)
            if relation not in _WITHDRAWAL_RELATIONS:
                raise self.refuse(
                    f"unknown withdrawal relation {relation!r} "
                    f"(expected one of {sorted(_WITHDRAWAL_RELATIONS)})",
                    where=f"{swhere}.relationIdentifier",
                    element=element,
                )
            target = self.string(stub, "elementIdentifier", where=swhere, required=True)
            targets.append((_WITHDRAWAL_RELATIONS[relation], target.strip()))
        return WithdrawalRecord(reason=reason, targets=tuple(targets))

    def references(self) -> list[ReferenceRow]:
        rows = []
        index: dict[str, int] = {}
        for rel, source, parent in self.relationships:
            i = index[parent] = index.get(parent, -1) + 1
            rows.append(
                self.reference(rel, source=source, where=f"{parent}.externalRelationships[{i}]")
            )
        return rows

    def reference(self, rel: dict[str, Any], *, source: str, where: str) -> ReferenceRow:
        kind = self.string(rel, "relationIdentifier", where=where, required=True)
        dataset = (
            self.string(rel, "olirName", where=where)
            if kind == "olir_focal"
            else self.string(rel, "frameworkVersionIdentifier", where=where)
        )
        return ReferenceRow(
            source=source,
            relation=kind,
            dataset=dataset,
            target=self.string(rel, "elementIdentifier", where=where),
            target_type=self.string(rel, "elementTypeIdentifier", where=where),
            title=self.string(rel, "title", where=where),
            text=self.string(rel, "text", where=where),
            where=where,
        )


@dataclass
class ReferenceToolCore:
    """The Core of a Reference Tool export, its withdrawals, and its Informative
    References on request (building them is half the time of reading the file)."""

    catalog: Catalog
    withdrawals: MappingSet
    warnings: list[str]
    _reader: _Reader
    _sha256: str

    def informative_references(self) -> ImportBundle:
        return informative_reference_bundle(
            self._reader.references(),
            catalog=self.catalog,
            source_file=self._reader.file,
            source_sha256=self._sha256,
        )


def read_reference_tool_core(
    source: Path | bytes | None = None,
    *,
    name: str | None = None,
    version: str = "2.0",
    key: str | None = None,
    withdrawn_from: str = CSF_1_1,
) -> ReferenceToolCore:
    """Read a Reference Tool JSON file up to its Core (see ``read_reference_tool``)."""
    if source is None:
        source = shipped_file(REFERENCE_TOOL_JSON)
    if name is None:
        name = source.name if isinstance(source, Path) else "reference-tool.json"
    raw = read_limited(source, name=name)
    sha256 = hashlib.sha256(raw).hexdigest()
    if sha256 == REFERENCE_TOOL_SHA256:
        # NIST's export exactly as shipped: the tests show that the defensive reader
        # accepts it and builds the same document, and its checks cost twice the parse
        # (a twentieth of a second at each start of a command on a profile file). Any
        # other file, a changed copy of this one included, goes through them.
        doc = json.loads(raw.decode("utf-8"))
    else:
        doc = load_json(raw, name=name)
    key = key or f"csf-{version}"

    reader = _Reader(name)
    response = doc.get("response") if isinstance(doc, dict) else None
    if not isinstance(response, dict):
        raise InputRefused(
            "this is not a CSF Reference Tool export: no top-level 'response' object",
            file=name,
            field="response",
        )
    functions = reader.children(response, "elements", where="response")
    if not functions:
        raise InputRefused("the export lists no Functions", file=name, field="response.elements")
    for i, fn in enumerate(functions):
        reader.core_node(fn, level="function", parent=None, where=f"response.elements[{i}]")

    info = csf_framework_info(key=key, version=version, source_file=name, sha256=sha256)
    catalog = build_csf_catalog(reader.elements, info)
    withdrawals = withdrawal_migrations(
        reader.elements, catalog, withdrawn_from=withdrawn_from, source_sha256=sha256
    )
    warnings = [
        f"{name}: ignored {count} element(s) of unknown type {kind!r}"
        for kind, count in sorted(reader.ignored.items())
    ]
    return ReferenceToolCore(catalog, withdrawals, warnings, reader, sha256)


def read_reference_tool(
    source: Path | bytes | None = None,
    *,
    name: str | None = None,
    version: str = "2.0",
    key: str | None = None,
    withdrawn_from: str = CSF_1_1,
) -> ImportBundle:
    """Read a Reference Tool JSON file (by default the one that ships with csfpilot).

    ``version``/``key`` let a later NIST release load as a framework of its own
    (``csf-2.1``) beside 2.0; the 6/22/106 check only applies to 2.0.
    ``withdrawn_from`` is the release whose withdrawn elements the file lists.
    """
    core = read_reference_tool_core(
        source, name=name, version=version, key=key, withdrawn_from=withdrawn_from
    )
    bundle = ImportBundle(catalogs=[core.catalog])
    bundle.extend(core.informative_references())
    bundle.mapping_sets.append(core.withdrawals)
    bundle.warnings.extend(core.warnings)
    return bundle
