"""Crosswalk files from outside, and other tools' copies of the Core, loaded into the database.

The session fixture has loaded every bundled NIST file; each test runs in a transaction
that is rolled back. Every refusal leaves the database as it was.
"""

from __future__ import annotations

import json

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats.detect import DatasetIdentity, read_framework_file
from csfpilot.formats.framework_export import export_crosswalk
from csfpilot.webapp.catalog import export_queries
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog.services import load_bundle
from tests.csf_oscal_catalog import csf_oscal_catalog
from tests.foreign_core import foreign_library, vendor_mapping

pytestmark = pytest.mark.django_db


def rows(key: str) -> list[tuple]:
    return sorted(
        m.Mapping.objects.filter(dataset__key=key).values_list(
            "source_code", "target_code", "relationship", "comment", "strength"
        )
    )


def linked(key: str) -> tuple[int, int]:
    qs = m.Mapping.objects.filter(dataset__key=key)
    return qs.filter(source__isnull=False).count(), qs.filter(target__isnull=False).count()


def identity(key: str) -> tuple:
    return m.MappingDataset.objects.values_list(
        "name",
        "publisher",
        "version",
        "terms",
        "description",
        "source_framework_key",
        "target_framework_key",
    ).get(key=key)


# --- csfpilot's own exports: a lossless round trip ---------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "oscal-mapping", "csv"])
@pytest.mark.parametrize("key", ["olir-cis-v8.1", "csf-1.1-to-csf-2.0-withdrawals"])
def test_an_exported_crosswalk_imports_back_unchanged(fmt: str, key: str) -> None:
    ms = export_queries.mapping_set(key)
    source = export_queries.loaded_catalog(ms.info.source_framework)
    target = export_queries.loaded_catalog(ms.info.target_framework)
    file = export_crosswalk(ms, fmt, source=source, target=target)
    # The same dataset again: recognised as already loaded. A CSV has no About sheet: its
    # key is its file name (the same here) and its release is given on import.
    version = ms.info.version if fmt == "csv" else None
    again = load_bundle(read_framework_file(file.content, name=file.filename, version=version))
    assert again.unchanged == [key] and again.created == []
    # Under another key, every row and (but for a CSV) every word of its identity.
    copy = read_framework_file(
        file.content, name=file.filename, dataset=DatasetIdentity(key="copy", reviewed_by="Ana")
    )
    assert load_bundle(copy).created == ["copy"]
    assert rows("copy") == rows(key)
    assert linked("copy") == linked(key)
    if fmt == "csv":
        assert identity("copy")[5:] == identity(key)[5:]
    else:
        assert identity("copy") == identity(key)
    stored = m.MappingDataset.objects.get(key="copy")
    assert (stored.reviewed_by, stored.reviewed_at is not None) == ("Ana", True)
    assert stored.source_file == file.filename


def test_a_crosswalk_whose_framework_is_not_loaded_names_it_and_stores_nothing() -> None:
    csv = (
        b"Source framework,Source ID,Relationship,Target framework,Target ID\r\n"
        b"csf-2.0,GV.OC-01,subset of,pci-dss-4.0,12.1\r\n"
    )
    bundle = read_framework_file(csv, name="pci.csv")
    with pytest.raises(InputRefused) as caught:
        load_bundle(bundle)
    assert str(caught.value) == (
        "pci.csv: field row 2 Target framework: the crosswalk's target framework pci-dss-4.0 "
        "is not loaded; load it first with `csfpilot import-framework FILE` or the framework "
        "import page"
    )
    assert not m.MappingDataset.objects.filter(key="pci").exists()


def test_a_bad_row_names_sheet_row_and_column() -> None:
    csv = (
        b"Source framework;Source ID;Relationship;Target framework;Target ID\n"
        b"csf-2.0;GV.OC-01;subset of;sp800-53r5;AC-2\n"
        b"csf-2.0;GV.OC-02;roughly like;sp800-53r5;AC-3\n"
    )
    with pytest.raises(InputRefused) as caught:
        read_framework_file(csv, name="mine.csv")
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        "mine.csv",
        3,
        "relationship",
    )
    assert caught.value.message.startswith("'roughly like' is not a relationship; use one of")


# --- another tool's copy of the Core, and its mapping set ------------------------------------


def test_a_vendor_copy_of_the_core_is_refused_until_the_person_chooses() -> None:
    with pytest.raises(InputRefused) as caught:
        read_framework_file(foreign_library(), name="vendor-csf.yaml")
    message = caught.value.message
    assert "5 id(s) written another way: GV.OC-1 → GV.OC-01" in message
    assert "3 id(s) of the previous release: PR.AC (now PR.AA), PR.AC-1 (now PR.AA-01" in message
    assert "1 id(s) csf-2.0 does not have: DE.CM-10" in message
    assert "1 text(s) in the previous release's wording: ID.AM-01" in message
    assert "1 text(s) differ from NIST's: PR.PS-01" in message
    assert "1 element(s) of csf-2.0 missing: RC.CO-04" in message
    assert not m.Framework.objects.filter(key="vendor-csf-2.0").exists()


def test_a_vendor_copy_kept_separate_is_labelled_and_its_mappings_follow_its_urns() -> None:
    bundle = read_framework_file(foreign_library(), name="vendor.yaml", core_copy="separate")
    assert load_bundle(bundle).created == ["vendor-csf-2.0"]
    fw = m.Framework.objects.get(key="vendor-csf-2.0")
    assert fw.name == "NIST CSF 2.0 (vendor edition) (a copy that differs from NIST's csf-2.0)"
    mapping = vendor_mapping([("GV.OC-1", "AC-2", "intersect"), ("PR.AC-1", "IA-2", "subset")])
    report = load_bundle(read_framework_file(mapping, name="map.yaml"))
    assert report.created == ["vendor-csf-to-sp800-53"]
    assert rows("vendor-csf-to-sp800-53") == [
        ("GV.OC-1", "AC-2", "intersects_with", "semantic", None),
        ("PR.AC-1", "IA-2", "subset_of", "semantic", None),
    ]
    assert linked("vendor-csf-to-sp800-53") == (2, 2)
    assert identity("vendor-csf-to-sp800-53")[5:] == ("vendor-csf-2.0", "sp800-53r5")


def test_a_vendor_copy_mapped_onto_nist_s_core_links_its_mappings_to_nist_s_elements() -> None:
    bundle = read_framework_file(foreign_library(), name="vendor.yaml", core_copy="official")
    report = load_bundle(bundle)
    assert report.created == ["vendor-csf-2.0 → csf-2.0"]
    assert not m.Framework.objects.filter(key="vendor-csf-2.0").exists()
    good = vendor_mapping([("GV.OC-1", "AC-2", "intersect"), ("ID.AM-01", "CM-8", "equal")])
    load_bundle(read_framework_file(good, name="map.yaml"))
    stored = m.Mapping.objects.filter(dataset__key="vendor-csf-to-sp800-53").select_related(
        "source__framework"
    )
    assert sorted((r.source.framework.key, r.source.code, r.relationship) for r in stored) == [
        ("csf-2.0", "GV.OC-01", "intersects_with"),
        ("csf-2.0", "ID.AM-01", "equivalent"),
    ]


def test_a_mapping_row_that_names_no_element_refuses_the_whole_file() -> None:
    load_bundle(read_framework_file(foreign_library(), name="v.yaml", core_copy="official"))
    bad = vendor_mapping([("GV.OC-1", "AC-2", "intersect"), ("PR.AC-1", "IA-2", "subset")])
    with pytest.raises(InputRefused) as caught:
        load_bundle(read_framework_file(bad, name="map.yaml"))
    assert str(caught.value) == (
        "map.yaml: field objects.requirement_mapping_set.requirement_mappings[1].source: "
        "'urn:vendor:risk:req_node:vendor-csf-2.0:pr.ac-1' is not an element of csf-2.0"
    )
    assert not m.MappingDataset.objects.filter(key="vendor-csf-to-sp800-53").exists()


def test_a_faithful_copy_is_nist_s_release_and_stores_no_framework() -> None:
    bundle = read_framework_file(foreign_library(faithful=True), name="vendor.yaml")
    assert bundle.warnings == [
        "vendor.yaml: recognised as NIST's csf-2.0: the same ids and texts; nothing new is "
        "stored; 363 of 363 Implementation Examples are NIST's"
    ]
    assert load_bundle(bundle).created == ["vendor-csf-2.0 → csf-2.0"]


def test_a_reserved_key_takes_only_nist_s_content() -> None:
    csv = b"ID,Parent,Title,Text\nA,,Area,Something\n"
    with pytest.raises(InputRefused, match=r"the key csf-2\.1 is kept for NIST's releases"):
        read_framework_file(csv, name="mine.csv", key="csf-2.1")


# --- NIST's CSF 2.0 OSCAL catalog ------------------------------------------------------------


def test_nist_s_csf_oscal_catalog_is_the_loaded_release() -> None:
    before = m.Node.objects.count(), m.Mapping.objects.count()
    bundle = read_framework_file(csf_oscal_catalog(), name="NIST_CSF_v2.0_catalog.json")
    assert bundle.warnings == [
        "NIST_CSF_v2.0_catalog.json: recognised as NIST's csf-2.0: the same ids and texts; "
        "nothing new is stored; 361 of 363 Implementation Examples are NIST's; these differ: "
        "GV.RM-07.030, ID.RA-06.166; its 136 CSF 1.1 withdrawal links agree with NIST's"
    ]
    report = load_bundle(bundle)
    assert (report.created, report.unchanged) == ([], [])
    assert (m.Node.objects.count(), m.Mapping.objects.count()) == before


def _uuid(n: int) -> str:
    return f"6f1c2d3e-4a5b-4c6d-8e7f-{n:012d}"


def test_another_tool_s_oscal_mapping_collection_is_read_by_titles_and_ids() -> None:
    doc = {
        "mapping-collection": {
            "uuid": _uuid(1),
            "metadata": {
                "title": "CSF 2.0 to SP 800-53 (a tool's mapping)",
                "last-modified": "2026-05-11T16:01:09Z",
                "version": "2026.1",
                "oscal-version": "v1.2.2",
                "roles": [{"id": "publisher", "title": "Publisher"}],
                "parties": [{"uuid": _uuid(2), "type": "organization", "name": "A Tool"}],
                "responsible-parties": [{"role-id": "publisher", "party-uuids": [_uuid(2)]}],
            },
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "status": "complete",
                "mapping-description": "Hand-made.",
            },
            "mappings": [
                {
                    "uuid": _uuid(3),
                    "source-resource": {"type": "catalog", "href": "#" + _uuid(4)},
                    "target-resource": {"type": "catalog", "href": "#" + _uuid(5)},
                    "maps": [
                        {
                            "uuid": _uuid(6),
                            "relationship": "subset-of",
                            "sources": [{"type": "control", "id-ref": "gv.oc-01"}],
                            "targets": [
                                {"type": "control", "id-ref": "pm-11"},
                                {"type": "control", "id-ref": "ac-2.1"},
                            ],
                            "remarks": "Mission *first*.",
                        },
                        {
                            "uuid": _uuid(7),
                            "relationship": "no-relationship",
                            "sources": [{"type": "control", "id-ref": "gv.oc-02"}],
                            "targets": [{"type": "control", "id-ref": "ac-3"}],
                        },
                    ],
                }
            ],
            "back-matter": {
                "resources": [
                    {"uuid": _uuid(4), "title": "NIST Cybersecurity Framework 2.0"},
                    {"uuid": _uuid(5), "title": "NIST SP 800-53 Rev. 5"},
                ]
            },
        }
    }
    bundle = read_framework_file(json.dumps(doc).encode(), name="tool-mapping.json")
    report = load_bundle(bundle)
    key = "csf-2.0-to-sp-800-53-a-tool-s-mapping"
    assert report.created == [key]
    assert rows(key) == [
        ("GV.OC-01", "AC-2(1)", "subset_of", "Mission *first*.", None),
        ("GV.OC-01", "PM-11", "subset_of", "Mission *first*.", None),
    ]
    assert linked(key) == (2, 2)
    assert identity(key) == (
        "CSF 2.0 to SP 800-53 (a tool's mapping)",
        "A Tool",
        "2026.1",
        "",
        "Hand-made.",
        "csf-2.0",
        "sp800-53r5",
    )
