"""Fixtures for the importer tests: NIST's shipped files, read once per session.

The raw documents are parsed here with the standard library alone, so the
fidelity tests compare the importers against the file itself, not against
another run of the same code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from csfpilot.core.catalog import ImportBundle, MappingSet
from csfpilot.formats.nist.cprt import read_cprt
from csfpilot.formats.nist.csf11 import read_csf11_workbook
from csfpilot.formats.nist.reftool import read_reference_tool

DATA = Path(__file__).resolve().parents[2] / "src" / "csfpilot" / "data"
REFTOOL = DATA / "nist-csf-2.0" / "csf-2.0-reference-tool-elements.json"
CPRT = DATA / "nist-csf-2.0" / "cprt_CSF_2_0_0_04-24-2024.json"
CSF11 = DATA / "nist-csf-1.1" / "csf-pf-to-sp800-53r5-mappings.xlsx"
CROSSWALK = DATA / "crosswalks" / "Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_final.xlsx"


def walk_reftool(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a Reference Tool tree, not descending into withdrawal stubs."""
    yield node
    for child in node.get("elements", []):
        if child["elementTypeIdentifier"] == "withdraw_reason":
            yield child
        else:
            yield from walk_reftool(child)


def is_withdrawn(node: dict[str, Any]) -> bool:
    return any(c["elementTypeIdentifier"] == "withdraw_reason" for c in node.get("elements", []))


@pytest.fixture(scope="session")
def reftool_doc() -> dict[str, Any]:
    return json.loads(REFTOOL.read_bytes())


@pytest.fixture(scope="session")
def reftool_nodes(reftool_doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for fn in reftool_doc["response"]["elements"] for n in walk_reftool(fn)]


@pytest.fixture(scope="session")
def reftool_bundle() -> ImportBundle:
    return read_reference_tool(REFTOOL)


@pytest.fixture(scope="session")
def cprt_bundle() -> ImportBundle:
    return read_cprt(CPRT)


@pytest.fixture(scope="session")
def csf11_bundle() -> ImportBundle:
    return read_csf11_workbook(CSF11)


@pytest.fixture(scope="session")
def mapping_set() -> Callable[[ImportBundle, str], MappingSet]:
    def pick(bundle: ImportBundle, key: str) -> MappingSet:
        (found,) = [ms for ms in bundle.mapping_sets if ms.info.key == key]
        return found

    return pick


@pytest.fixture
def reftool_variant(reftool_doc: dict[str, Any]) -> Callable[[Callable[[Any], None]], bytes]:
    """The Reference Tool JSON after ``change`` edited a deep copy of it."""

    def make(change: Callable[[Any], None]) -> bytes:
        doc = json.loads(json.dumps(reftool_doc))
        change(doc)
        return json.dumps(doc).encode()

    return make
