"""The CPRT export gives the Reference Tool's Core, withdrawals and family references."""

from __future__ import annotations

import collections
import dataclasses
import json

import pytest

from csfpilot.core.catalog import Catalog
from csfpilot.core.errors import InputRefused
from csfpilot.formats.nist.cprt import read_cprt

from .conftest import CPRT

OLD_GV_OC_04 = (
    "Critical objectives, capabilities, and services that stakeholders depend on or expect "
    "from the organization are understood and communicated"
)
NEW_GV_OC_04 = (
    "Critical objectives, capabilities, and services that external stakeholders depend on or "
    "expect from the organization are understood and communicated"
)


def _with_text(catalog: Catalog, code: str, text: str) -> Catalog:
    nodes = tuple(dataclasses.replace(n, text=text) if n.code == code else n for n in catalog)
    return Catalog(info=catalog.info, nodes=nodes)


def test_raw_export_counts():
    doc = json.loads(CPRT.read_bytes())["response"]["elements"]
    assert len(doc["elements"]) == 906
    assert len(doc["relationships"]) == 1566


def test_same_core_as_the_reference_tool_node_by_node(cprt_bundle, reftool_bundle):
    ours, theirs = cprt_bundle.catalogs[0], reftool_bundle.catalogs[0]
    assert [n.code for n in ours] == [n.code for n in theirs]
    differing = [a.code for a, b in zip(ours, theirs, strict=True) if a != b]
    # The only difference is NIST's later correction of GV.OC-04 (see cprt.py).
    assert differing == ["GV.OC-04"]
    assert ours.get("GV.OC-04").text == OLD_GV_OC_04
    assert theirs.get("GV.OC-04").text == NEW_GV_OC_04
    assert dataclasses.replace(ours.get("GV.OC-04"), text=NEW_GV_OC_04) == theirs.get("GV.OC-04")


def test_same_digest_once_gv_oc_04_is_corrected(cprt_bundle, reftool_bundle):
    ours, theirs = cprt_bundle.catalogs[0], reftool_bundle.catalogs[0]
    assert ours.content_digest() != theirs.content_digest()
    assert _with_text(ours, "GV.OC-04", NEW_GV_OC_04).content_digest() == theirs.content_digest()


def test_a_current_export_gives_the_identical_catalog(reftool_bundle):
    doc = json.loads(CPRT.read_bytes())
    for el in doc["response"]["elements"]["elements"]:
        if el["element_identifier"] == "GV.OC-04":
            el["text"] = NEW_GV_OC_04
    bundle = read_cprt(json.dumps(doc).encode(), name="cprt-current.json")
    assert bundle.catalogs[0].content_digest() == reftool_bundle.catalogs[0].content_digest()


def test_detect_is_in_the_publications_order(cprt_bundle):
    cats = [n.code for n in cprt_bundle.catalogs[0].at_level("category") if n.parent == "DE"]
    assert cats == ["DE.CM", "DE.AE"]


def test_identical_withdrawals(cprt_bundle, reftool_bundle, mapping_set):
    key = "csf-1.1-to-csf-2.0-withdrawals"
    ours, theirs = mapping_set(cprt_bundle, key), mapping_set(reftool_bundle, key)
    assert ours.content_digest() == theirs.content_digest()
    assert sorted(ours.mappings, key=str) == sorted(theirs.mappings, key=str)
    assert len(ours.mappings) == 139


def test_identical_family_references(cprt_bundle, reftool_bundle, mapping_set):
    key = "csf-2.0-sp800-53-families"
    ours, theirs = mapping_set(cprt_bundle, key), mapping_set(reftool_bundle, key)
    assert len(ours.mappings) == 378
    assert ours.content_digest() == theirs.content_digest()
    categories = mapping_set(cprt_bundle, "csf-2.0-categories-sp800-53-families")
    assert len(categories.mappings) == 30
    assert collections.Counter(m.source for m in categories.mappings) == {
        "GV.PO": 20,
        "DE.AE": 8,
        "GV.RR": 2,
    }
    assert [m.target for m in categories.mappings if m.source == "DE.AE"] == [
        "AU", "CA", "CM", "IR", "RA", "SC", "SI", "SR"
    ]  # fmt: skip
    assert all("." in m.source and "-" not in m.source for m in categories.mappings)
    assert cprt_bundle.warnings == []


def test_dangling_relationship_is_refused():
    doc = json.loads(CPRT.read_bytes())
    rels = doc["response"]["elements"]["relationships"]
    rels.append(
        {
            "source_element_identifier": "GV.OC",
            "source_doc_identifier": "CSF_2_0_0",
            "dest_element_identifier": "GV.OC-77",
            "dest_doc_identifier": "CSF_2_0_0",
            "relationship_identifier": "projection",
            "provenance_doc_identifier": "CSF_2_0_0",
        }
    )
    with pytest.raises(InputRefused) as err:
        read_cprt(json.dumps(doc).encode(), name="cprt.json")
    assert err.value.element == "GV.OC-77"
    assert f"relationships[{len(rels) - 1}]" in str(err.value)
    assert str(err.value).startswith("cprt.json")


def test_duplicated_element_is_refused():
    doc = json.loads(CPRT.read_bytes())
    els = doc["response"]["elements"]["elements"]
    els.append(dict(next(e for e in els if e["element_identifier"] == "PR.AA-01")))
    with pytest.raises(InputRefused, match="appears twice") as err:
        read_cprt(json.dumps(doc).encode(), name="cprt.json")
    assert err.value.element == "PR.AA-01"
