"""Crosswalks as OSCAL mapping collections (OSCAL 1.2's control-mapping model), checked
against NIST's 1.2.1 mapping schema and against the catalogs they point into."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from csfpilot.core.catalog import (
    Catalog,
    DatasetInfo,
    ImportBundle,
    Mapping,
    MappingSet,
    Relationship,
)
from csfpilot.formats.bundled import read_bundled
from csfpilot.formats.oscal.catalog_writer import catalog_document
from csfpilot.formats.oscal.extension import NS
from csfpilot.formats.oscal.mapping_writer import mapping_document
from tests.formats.oscal_validation import schema_errors

WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DATASETS = [
    "olir-sp800-53r5-5.1.1",
    "olir-sp800-53r5-5.2.0",
    "olir-cis-v8.0",
    "olir-cis-v8.1",
    "olir-iso27001-2022",
    "olir-csf-1.1-csf-2.0",
    "csf-2.0-sp800-53-families",
    "csf-1.1-to-csf-2.0-withdrawals",
    "csf-1.1-sp800-53r5",
]


@pytest.fixture(scope="module")
def bundle() -> ImportBundle:
    return read_bundled()


@pytest.fixture(scope="module")
def catalogs(bundle: ImportBundle) -> dict[str, Catalog]:
    return {c.info.key: c for c in bundle.catalogs}


@pytest.fixture(scope="module")
def documents(bundle: ImportBundle, catalogs: dict[str, Catalog]) -> dict[str, dict[str, Any]]:
    return {
        ms.info.key: mapping_document(
            ms,
            source=catalogs.get(ms.info.source_framework),
            target=catalogs.get(ms.info.target_framework),
            generated_at=WHEN,
        )
        for ms in bundle.mapping_sets
    }


def _maps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    (mapping,) = doc["mapping-collection"]["mappings"]
    return mapping["maps"]


@pytest.mark.parametrize("key", DATASETS)
def test_every_bundled_crosswalk_is_a_valid_oscal_mapping_collection(
    documents: dict[str, dict[str, Any]], key: str
) -> None:
    assert schema_errors(documents[key]) == []


def test_one_map_per_row_with_the_ids_the_catalog_export_gives(
    documents: dict[str, dict[str, Any]], catalogs: dict[str, Catalog]
) -> None:
    maps = _maps(documents["olir-sp800-53r5-5.1.1"])
    assert len(maps) == 740
    first = maps[0]
    assert first["ns"] == NS and first["relationship"] == "related-to"
    assert first["sources"] == [
        {"type": "control", "id-ref": "GV.OC-01", "props": [{"name": "label", "value": "GV.OC-01"}]}
    ]
    assert first["targets"] == [
        {"type": "control", "id-ref": "pm-11", "props": [{"name": "label", "value": "PM-11"}]}
    ]
    # Every map points at a control the two catalog exports have, but IA-13: the 5.1.1
    # dataset cites it, and the loaded SP 800-53 release (5.0.1) predates it.
    csf_ids = {
        obj["id"]
        for obj in _all(catalog_document(catalogs["csf-2.0"], generated_at=WHEN)["catalog"])
    }
    sp_ids = {
        obj["id"]
        for obj in _all(catalog_document(catalogs["sp800-53r5"], generated_at=WHEN)["catalog"])
    }
    assert {m["sources"][0]["id-ref"] for m in maps} <= csf_ids
    assert {m["targets"][0]["id-ref"] for m in maps} - sp_ids == {"ia-13"}


def _all(container: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key in ("groups", "controls"):
        for obj in container.get(key, ()):
            out.append(obj)
            out.extend(_all(obj))
    return out


def test_provenance_metadata_and_the_two_catalogs(documents: dict[str, dict[str, Any]]) -> None:
    body = documents["olir-sp800-53r5-5.1.1"]["mapping-collection"]
    assert body["metadata"]["title"] == "CSF 2.0 ↔ SP 800-53 Rev. 5 (release 5.1.1), NIST OLIR 131"
    assert body["metadata"]["version"] == "5.1.1"
    assert body["metadata"]["last-modified"] == "2026-03-01T12:00:00Z"
    assert body["provenance"] == {
        "method": "human",
        "matching-rationale": "semantic",
        "status": "complete",
        "mapping-description": "NIST OLIR dataset 'SP-800-53-Rev-5-to-Cybersecurity-Framework"
        "-v2.0', as republished in the CSF 2.0 Reference Tool.",
    }
    resources = body["back-matter"]["resources"]
    assert [r["title"] for r in resources] == [
        "NIST Cybersecurity Framework 2.0",
        "NIST SP 800-53 Rev. 5 Security and Privacy Controls 5.0.1",
    ]
    (mapping,) = body["mappings"]
    assert mapping["source-resource"] == {"type": "catalog", "href": "#" + resources[0]["uuid"]}
    assert mapping["target-resource"] == {"type": "catalog", "href": "#" + resources[1]["uuid"]}


def test_migrations_keep_their_relationship_and_targetless_rows_go_to_remarks(
    documents: dict[str, dict[str, Any]],
) -> None:
    doc = documents["csf-1.1-to-csf-2.0-withdrawals"]
    maps = _maps(doc)
    assert Counter(m["relationship"] for m in maps) == {"incorporated-into": 111, "moved-to": 25}
    assert all(m["ns"] == NS for m in maps)
    id_am_6 = [m for m in maps if m["sources"][0]["id-ref"] == "ID.AM-6"]
    assert [m["targets"][0]["id-ref"] for m in id_am_6] == ["GV.RR-02", "GV.SC-02"]
    assert id_am_6[0]["remarks"] == "Incorporated into GV.RR-02, GV.SC-02"
    (mapping,) = doc["mapping-collection"]["mappings"]
    assert mapping["source-gap-summary"]["unmapped-controls"] == [
        {"with-ids": ["PR.IP", "PR.PT", "DE.DP"]}
    ]
    assert mapping["remarks"].splitlines() == [
        "Rows that name no element of the target framework:",
        "- PR.IP (incorporated into): Incorporated into other Categories and Functions",
        "- PR.PT (incorporated into): Incorporated into other Protect Categories",
        "- DE.DP (incorporated into): Incorporated into other Categories and Functions",
    ]


def test_iso_entries_naming_nothing_are_not_rows_at_all(
    documents: dict[str, dict[str, Any]],
) -> None:
    doc = documents["olir-iso27001-2022"]
    assert len(_maps(doc)) == 492 - 78
    (mapping,) = doc["mapping-collection"]["mappings"]
    assert "source-gap-summary" not in mapping
    assert "remarks" not in mapping  # "Mandatory Clause: None" is no longer read as a row


def test_set_relationships_use_oscals_own_vocabulary() -> None:
    info = DatasetInfo(
        key="example-set-theory",
        name="Example *set theory* mapping",
        publisher="Example Org",
        version="1",
        source_framework="csf-2.0",
        target_framework="sp800-53r5",
    )
    rows = tuple(
        Mapping(source="GV.OC-01", target="AC-2(1)", relationship=r, strength=s, comment=c)
        for r, s, c in (
            (Relationship.EQUIVALENT, 10, ""),
            (Relationship.SUBSET_OF, 7, "[see](x) _note_"),
            (Relationship.SUPERSET_OF, None, ""),
            (Relationship.INTERSECTS_WITH, None, ""),
            (Relationship.RELATED_TO, None, ""),
        )
    )
    doc = mapping_document(MappingSet(info=info, mappings=rows), generated_at=WHEN)
    assert schema_errors(doc) == []
    maps = _maps(doc)
    assert [(m.get("ns"), m["relationship"]) for m in maps] == [
        (None, "equivalent-to"),
        (None, "subset-of"),
        (None, "superset-of"),
        (None, "intersects-with"),
        (NS, "related-to"),
    ]
    # Without the catalogs at hand, SP 800-53 ids still take NIST's OSCAL form.
    assert maps[0]["targets"][0]["id-ref"] == "ac-2.1"
    assert maps[0]["props"] == [{"name": "strength", "ns": NS, "value": "10"}]
    assert maps[1]["remarks"] == "\\[see\\](x) \\_note\\_"
    assert doc["mapping-collection"]["metadata"]["title"] == "Example \\*set theory\\* mapping"
