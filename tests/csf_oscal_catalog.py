"""NIST's CSF 2.0 OSCAL catalog (``NIST_CSF_v2.0_catalog.json``), written from the shipped
Reference Tool content in the shape NIST published it in 2026.

NIST's file could not be shipped (see data/SOURCES.md); this writes the same shape from
the Core csfpilot ships: Functions as groups of class ``function`` with an ``overview``
part, Categories and Subcategories as controls with ``statement`` parts and labels such as
``Organizational Context (GV.OC)``, examples as ``guidance`` parts of class ``example``,
``risk-party`` markings, the 12 Categories and 79 Subcategories of CSF 1.1 that 2.0
withdrew (zero-padded ids, ``incorporated_into``/``moved_to`` links whose href has no
``#``), metadata version 1.2.0 and ``oscal-version`` ``v1.2.2``. Two examples use ``( )``
where the Reference Tool has ``[ ]``, as in NIST's file.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from typing import Any

from csfpilot.core.ids import csf_canonical

NIST_BRACKETS = {"GV.RM-07.030": ("[SWOT]", "(SWOT)"), "ID.RA-06.166": ("[POA&M]", "(POA&M)")}
_PARTY = {"first": "1st", "third": "3rd"}


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "test:csf-oscal:" + ":".join(parts)))


@cache
def _shipped() -> tuple[Any, Any, Any]:
    from csfpilot.formats.nist.csf11 import read_csf11_workbook
    from csfpilot.formats.nist.reftool import read_reference_tool
    from csfpilot.formats.nist.shipped import CSF_1_1_WORKBOOK, shipped_file

    bundle = read_reference_tool()
    csf20 = next(c for c in bundle.catalogs if c.info.key == "csf-2.0")
    moves = next(m for m in bundle.mapping_sets if m.info.key.endswith("-withdrawals"))
    csf11 = read_csf11_workbook(shipped_file(CSF_1_1_WORKBOOK)).catalogs[0]
    return csf20, moves, csf11


def _statement(code: str, text: str, name: str = "statement") -> dict[str, Any]:
    part = {"id": f"{code}_{name}", "name": name}
    return {**part, "prose": text} if text else part


def _active(node: Any, sort_id: str, brackets: bool) -> dict[str, Any]:
    props: list[dict[str, Any]] = []
    for party in node.props.get("parties", []):
        props.append(
            {
                "name": "marking",
                "class": "risk-party",
                "value": _PARTY[party],
                "remarks": f"{_PARTY[party]} Party Risk",
            }
        )
    label = node.code if node.level == "subcategory" else f"{node.title} ({node.code})"
    props += [{"name": "sort-id", "value": sort_id}, {"name": "label", "value": label}]
    parts = [_statement(node.code, node.text)]
    for ex in node.examples:
        text = ex.text
        if brackets and ex.code in NIST_BRACKETS:
            text = text.replace(*NIST_BRACKETS[ex.code])
        parts.append({"id": ex.code, "name": "guidance", "class": "example", "prose": text})
    return {
        "id": node.code,
        "class": node.level,
        "title": node.title or node.code,
        "props": props,
        "parts": parts,
    }


def _withdrawn(code: str, level: str, title: str, text: str, links: list[Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": code,
        "class": level,
        "title": title or code,
        "props": [
            {"name": "label", "value": code if level == "subcategory" else f"{title} ({code})"},
            {"name": "status", "value": "withdrawn"},
        ],
        "parts": [_statement(code, text)],
    }
    if links:
        entry["links"] = [{"href": target, "rel": rel} for rel, target in links]
    return entry


def csf_oscal_catalog(*, brackets: bool = True) -> bytes:
    """The catalog as NIST's JSON (see the module docstring)."""
    csf20, moves, csf11 = _shipped()
    went: dict[str, list[tuple[str, str]]] = {}
    for m in moves.mappings:
        if m.target:
            went.setdefault(m.source, []).append((str(m.relationship), m.target))
        else:
            went.setdefault(m.source, [])
    groups: list[dict[str, Any]] = []
    by_code: dict[str, dict[str, Any]] = {}
    for fi, fn in enumerate(csf20.at_level("function"), start=1):
        group = {
            "id": fn.code,
            "class": "function",
            "title": fn.title,
            "props": [
                {"name": "sort-id", "value": f"{fi:05d}"},
                {"name": "label", "value": f"{fn.title} ({fn.code})"},
            ],
            "parts": [_statement(fn.code, fn.text, "overview")],
            "controls": [],
        }
        groups.append(group)
        by_code[fn.code] = group
        for ci, cat in enumerate(csf20.children(fn.code), start=1):
            control = _active(cat, f"{fi:05d}.{ci:05d}", brackets)
            control["controls"] = [
                _active(sub, f"{fi:05d}.{ci:05d}.{si:05d}", brackets)
                for si, sub in enumerate(csf20.children(cat.code), start=1)
            ]
            group["controls"].append(control)
            by_code[cat.code] = control
    # CSF 1.1's withdrawn elements, categories first so that their subcategories find them.
    old = sorted(went, key=lambda c: ("-" in c, c))
    for code in old:
        node = csf11.get(code)
        padded = csf_canonical(code)
        parent_code = padded.split("-")[0] if "-" in padded else padded.split(".")[0]
        parent = by_code[parent_code]
        entry = _withdrawn(
            padded,
            "subcategory" if "-" in padded else "category",
            node.title if node else "",
            "" if "-" not in padded else (node.text if node else ""),
            went[code],
        )
        parent.setdefault("controls", []).append(entry)
        by_code[padded] = entry
    doc = {
        "catalog": {
            "uuid": _uuid("catalog"),
            "metadata": {
                "title": "Electronic Version of NIST Cybersecurity Framework 2.0",
                "published": "2026-05-13T12:30:00-00:00",
                "last-modified": "2026-05-11T16:01:09.00000-00:00",
                "version": "1.2.0",
                "oscal-version": "v1.2.2",
                "props": [
                    {
                        "name": "framework-identifier",
                        "ns": "https://csrc.nist.gov/ns/cprt",
                        "value": "CSF",
                    },
                    {
                        "name": "framework-version-identifier",
                        "ns": "https://csrc.nist.gov/ns/cprt",
                        "value": "CSF_2_0_0",
                    },
                ],
                "roles": [{"id": "publisher", "title": "Document converter to OSCAL"}],
                "parties": [
                    {
                        "uuid": _uuid("nist"),
                        "type": "organization",
                        "name": "National Institute of Standards and Technology",
                    }
                ],
                "responsible-parties": [{"role-id": "publisher", "party-uuids": [_uuid("nist")]}],
            },
            "groups": groups,
        }
    }
    return json.dumps(doc, indent=1).encode()
