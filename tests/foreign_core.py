"""Another tool's copy of the CSF 2.0 Core, as GRC tools and scanner vendors ship one.

A CISO-Assistant-style YAML library written from the shipped Core, with what such copies
get wrong: one-digit ids for the GV.OC Subcategories (``GV.OC-1``), the CSF 1.1 Category
PR.AC with two of its Subcategories, ID.AM-01 in CSF 1.1's wording (ID.AM-1), one
statement reworded (PR.PS-01), one Subcategory left out (RC.CO-04), one id NIST never
used (DE.CM-10), and Implementation Examples in annotation text (``Ex1: …``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from csfpilot.core.ids import csf11_canonical

FW_URN = "urn:vendor:risk:framework:vendor-csf-2.0"
REWORDED = "Configuration baselines are kept for every system"


@cache
def _shipped() -> tuple[Any, Any]:
    from csfpilot.formats.nist.csf11 import read_csf11_workbook
    from csfpilot.formats.nist.reftool import read_reference_tool
    from csfpilot.formats.nist.shipped import CSF_1_1_WORKBOOK, shipped_file

    csf20 = next(c for c in read_reference_tool().catalogs if c.info.key == "csf-2.0")
    csf11 = read_csf11_workbook(shipped_file(CSF_1_1_WORKBOOK)).catalogs[0]
    return csf20, csf11


def _urn(code: str) -> str:
    return f"urn:vendor:risk:req_node:vendor-csf-2.0:{code.lower()}"


# Translations a library carries, written by hand in the library's shape (a node's
# ``translations: {language: {name, description}}``), keyed by NIST's id.
TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "GV": {
        "fr": {
            "name": "GOUVERNER",
            "description": "La stratégie, les attentes et la politique de gestion des risques "
            "de cybersécurité de l'organisation sont établies, communiquées et surveillées",
        },
        "es": {"name": "GOBERNAR"},
    },
    "GV.OC": {"fr": {"name": "Contexte organisationnel"}},
    "GV.OC-01": {
        "fr": {
            "description": "La mission organisationnelle est comprise et informe la gestion "
            "des risques de cybersécurité"
        },
        "zh_TW": {"description": "組織的使命已被理解，並為網路安全風險管理提供依據"},
        # The library's own language: not a translation.
        "en": {"description": "The mission is understood"},
    },
    "DE.CM-10": {"fr": {"description": "Les charges de travail infonuagiques sont surveillées"}},
}


def foreign_library(*, faithful: bool = False, translated: bool = False) -> bytes:
    """The library as YAML; ``faithful`` writes NIST's Core unchanged (ids and texts);
    ``translated`` adds the :data:`TRANSLATIONS` to their nodes, as CISO Assistant's
    libraries carry them."""
    csf20, csf11 = _shipped()
    nodes: list[dict[str, Any]] = []

    def add(code: str, parent: str | None, name: str, text: str, **extra: Any) -> None:
        node: dict[str, Any] = {"urn": _urn(code), "ref_id": code, "depth": 1}
        if parent:
            node["parent_urn"] = _urn(parent)
        if name:
            node["name"] = name
        if text:
            node["description"] = text
        node.update(extra)
        nist_id = code if code in TRANSLATIONS else (code[:-1] + "0" + code[-1])
        if translated and nist_id in TRANSLATIONS:
            node["translations"] = TRANSLATIONS[nist_id]
        nodes.append(node)

    for n in csf20.nodes:
        code, text = n.code, n.text
        if not faithful:
            if n.code == "RC.CO-04":
                continue
            if n.code.startswith("GV.OC-"):
                code = csf11_canonical(n.code)  # GV.OC-1
            if n.code == "ID.AM-01":
                text = csf11.get("ID.AM-1").text
            if n.code == "PR.PS-01":
                text = REWORDED
        extra: dict[str, Any] = {}
        if n.level == "subcategory":
            extra["assessable"] = True
            if n.examples:
                extra["annotation"] = "\n".join(f"{e.title}: {e.text}" for e in n.examples)
        parent = n.parent
        if not faithful and parent == "GV.OC":
            parent = "GV.OC"
        add(code, parent, n.title, text, **extra)
    if not faithful:
        add("PR.AC", "PR", "Identity Management, Authentication and Access Control", "")
        for old in ("PR.AC-1", "PR.AC-3"):
            add(old, "PR.AC", "", csf11.get(old).text, assessable=True)
        add("DE.CM-10", "DE.CM", "", "Cloud workloads are monitored", assessable=True)
    library = {
        "urn": "urn:vendor:risk:library:vendor-csf-2.0",
        "locale": "en",
        "ref_id": "vendor-csf-2.0",
        "name": "NIST CSF 2.0 (vendor edition)",
        "version": 3,
        "provider": "Example Vendor",
        "copyright": "Vendor's terms",
        # A library's own name in other languages: not an element's, so not read.
        "translations": {"fr": {"name": "NIST CSF 2.0 (édition du fournisseur)"}},
        "objects": {
            "framework": {
                "urn": FW_URN,
                "ref_id": "VENDOR-CSF-2.0",
                "name": "NIST CSF 2.0 (vendor edition)",
                "requirement_nodes": nodes,
            }
        },
    }
    return yaml.safe_dump(library, sort_keys=False, allow_unicode=True).encode()


def vendor_mapping(rows: list[tuple[str, str, str]]) -> bytes:
    """A CISO Assistant mapping library from ``vendor-csf-2.0`` to ``sp800-53r5`` rows
    ``(source ref, target control, relationship)``."""
    library = {
        "urn": "urn:vendor:risk:library:mapping-vendor-csf-2.0-to-sp800-53",
        "ref_id": "mapping-vendor-csf-2.0-to-sp800-53",
        "name": "Vendor CSF to SP 800-53",
        "version": 1,
        "provider": "Example Vendor",
        "objects": {
            "requirement_mapping_set": {
                "urn": "urn:vendor:risk:req_mapping_set:vendor-csf-2.0-to-sp800-53",
                "ref_id": "vendor-csf-to-sp800-53",
                "name": "Vendor CSF 2.0 → SP 800-53 Rev. 5",
                "source_framework_urn": FW_URN,
                "target_framework_urn": "urn:intuitem:risk:framework:nist-sp-800-53-rev5",
                "requirement_mappings": [
                    {
                        "source_requirement_urn": _urn(s),
                        "target_requirement_urn": (
                            f"urn:intuitem:risk:req_node:nist-sp-800-53-rev5:{t.lower()}"
                        ),
                        "relationship": r,
                        "rationale": "semantic",
                    }
                    for s, t, r in rows
                ],
            }
        },
    }
    return yaml.safe_dump(library, sort_keys=False).encode()
