"""Crosswalk files read as the format alone (no database): what is kept, and what is refused
with the file, line, sheet, row, column or JSON path at fault."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from csfpilot.core.catalog import Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.formats.detect import read_framework_file

MAPPING = """\
urn: urn:intuitem:risk:library:mapping-iso27001-2022-to-nist-csf-2.0
ref_id: mapping-iso27001-2022-to-nist-csf-2.0
name: ISO/IEC 27001:2022 to NIST CSF 2.0
version: 2
provider: Example provider
copyright: Example terms
objects:
  requirement_mapping_set:
    urn: urn:intuitem:risk:req_mapping_set:iso27001-2022_to_nist-csf-2.0
    ref_id: iso27001-2022_to_nist-csf-2.0
    name: ISO 27001 → CSF 2.0
    source_framework_urn: urn:intuitem:risk:framework:iso27001-2022
    target_framework_urn: urn:intuitem:risk:framework:nist-csf-2.0
    requirement_mappings:
    - source_requirement_urn: urn:intuitem:risk:req_node:iso27001-2022:a.5.1
      target_requirement_urn: urn:intuitem:risk:req_node:nist-csf-2.0:gv.po-01
      relationship: equal
      rationale: semantic
      strength_of_relationship: 8
    - source_requirement_urn: urn:intuitem:risk:req_node:iso27001-2022:a.5.2
      target_requirement_urn: urn:intuitem:risk:req_node:nist-csf-2.0:gv.rr-02
      relationship: not_related
"""


def test_a_ciso_assistant_mapping_set_keeps_relationship_rationale_and_strength():
    bundle = read_framework_file(MAPPING.encode(), name="mapping.yaml")
    assert bundle.catalogs == []
    (cw,) = bundle.crosswalks
    assert (cw.info.key, cw.info.name, cw.info.publisher, cw.info.version, cw.info.terms) == (
        "iso27001-2022-to-nist-csf-2.0",
        "ISO 27001 → CSF 2.0",
        "Example provider",
        "2",
        "Example terms",
    )
    assert (cw.source.keys, cw.target.keys) == (("iso27001-2022",), ("nist-csf-2.0",))
    (row,) = cw.rows
    assert (row.relationship, row.comment, row.strength) == (Relationship.EQUIVALENT, "semantic", 8)
    assert bundle.warnings == [
        "mapping.yaml: objects.requirement_mapping_set: 1 not_related row(s) left out"
    ]


def test_an_unknown_relationship_names_its_line_and_field():
    bad = MAPPING.replace("relationship: equal", "relationship: roughly")
    with pytest.raises(InputRefused) as caught:
        read_framework_file(bad.encode(), name="mapping.yaml")
    assert (caught.value.line, caught.value.field) == (17, "relationship")
    assert caught.value.message.startswith("relationship 'roughly' is none of equal")


def test_an_oscal_mapping_collection_against_the_schema_names_the_json_path():
    doc = {
        "mapping-collection": {
            "uuid": "6f1c2d3e-4a5b-4c6d-8e7f-000000000001",
            "metadata": {
                "title": "T",
                "last-modified": "2026-05-11T16:01:09Z",
                "version": "1",
                "oscal-version": "v1.2.2",
            },
            "provenance": {
                "method": "human",
                "matching-rationale": "semantic",
                "status": "complete",
                "mapping-description": "x",
            },
            "mappings": [
                {
                    "uuid": "6f1c2d3e-4a5b-4c6d-8e7f-000000000002",
                    "source-resource": {"type": "catalog", "href": "#a"},
                    "target-resource": {"type": "catalog", "href": "#b"},
                    "maps": [
                        {
                            "uuid": "6f1c2d3e-4a5b-4c6d-8e7f-000000000003",
                            "relationship": "subset-of",
                            "sources": [{"type": "control", "id-ref": "a"}],
                        }
                    ],
                }
            ],
        }
    }
    with pytest.raises(InputRefused) as caught:
        read_framework_file(json.dumps(doc).encode(), name="m.json")
    assert caught.value.field == "mapping-collection.mappings[0].maps[0]"
    assert "'targets' is a required property" in caught.value.message


def test_an_excel_crosswalk_names_sheet_row_and_column():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Mine"
    ws.append(
        [
            "Notes",
            "Source framework",
            "Source ID",
            "Relationship",
            "Target framework",
            "Target ID",
            "Strength",
        ]
    )
    ws.append(["", "csf-2.0", "GV.OC-01", "subset of", "sp800-53r5", "PM-11", 3])
    ws.append(["", "csf-2.0", "GV.OC-02", "subset of", "sp800-53r5", "PM-11", "strong"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InputRefused) as caught:
        read_framework_file(out.getvalue(), name="mine.xlsx")
    err = caught.value
    assert (err.file, err.sheet, err.row, err.column) == ("mine.xlsx", "Mine", 3, "G (strength)")
    assert err.message == "the strength must be a whole number"
