"""An organization's reviewed crosswalk as an OSCAL mapping collection: valid against NIST's
1.2.1 mapping schema, saying how it was made (hybrid, status, confidence), and read back by
csfpilot's crosswalk import as the same rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from csfpilot.core.catalog import DatasetInfo, Mapping, MappingSet, Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.formats.crosswalks.oscal_mapping import crosswalks_from_document
from csfpilot.formats.oscal.document import read_document
from csfpilot.formats.oscal.extension import NS
from csfpilot.formats.oscal.reviewed_mapping import (
    Review,
    reviewed_mapping_document,
    reviewed_mapping_json,
)
from tests.formats.oscal_validation import schema_errors

WHEN = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
INFO = DatasetInfo(
    key="acme-mapping-7",
    name="Acme Corp: Supplier rules",
    publisher="Acme Corp",
    version="2026-12-06",
    source_framework="acme-supplier-1",
    target_framework="csf-2.0",
    description="made by automation, reviewed by a person",
    reviewed_by="ana@acme.test",
)
ROWS = (
    Mapping("S-1", "GV.OC-01", Relationship.INTERSECTS_WITH),
    Mapping("S-2", "PR.DS-11", Relationship.EQUIVALENT, comment="backups, weekly"),
    Mapping("S-3", "PR.AA-05", Relationship.SUBSET_OF),
)
REVIEWS = [
    Review("accepted", 0.83, "GV.OC-01", 1, "ana@acme.test", WHEN),
    Review("accepted", 0.61, "PR.DS-11", 2, "ana@acme.test", WHEN),
    Review("changed", 0.4, "PR.AA-01", 1, "bo@acme.test", WHEN),
]


def _props(entry: dict, name: str) -> list[str]:
    return [p["value"] for p in entry.get("props", []) if p.get("ns") == NS and p["name"] == name]


def test_the_reviewed_crosswalk_is_a_valid_hybrid_mapping_collection() -> None:
    doc = reviewed_mapping_document(
        MappingSet(INFO, ROWS), REVIEWS, complete=False, generated_at=WHEN
    )
    assert schema_errors(doc) == []
    body = doc["mapping-collection"]
    assert body["provenance"]["method"] == "hybrid"
    assert body["provenance"]["status"] == "not-complete"
    mapping = body["mappings"][0]
    assert (mapping["method"], mapping["status"]) == ("hybrid", "not-complete")
    maps = mapping["maps"]
    assert [m["relationship"] for m in maps] == ["intersects-with", "equivalent-to", "subset-of"]
    # The assistant's score is the confidence of a pair accepted as proposed, and only then.
    assert [m.get("confidence-score") for m in maps] == [
        {"percentage": 0.83},
        {"percentage": 0.61},
        None,
    ]
    assert [_props(m, "review-state") for m in maps] == [["accepted"], ["accepted"], ["changed"]]
    assert _props(maps[2], "proposed-target") == ["PR.AA-01"]
    assert _props(maps[1], "assistant-rank") == ["2"]
    assert _props(maps[2], "reviewed-by") == ["bo@acme.test"]
    assert _props(maps[0], "reviewed-at") == ["2026-12-06T12:00:00Z"]


def test_a_fully_reviewed_crosswalk_is_complete() -> None:
    doc = reviewed_mapping_document(MappingSet(INFO, ROWS), REVIEWS, complete=True)
    assert doc["mapping-collection"]["provenance"]["status"] == "complete"
    assert schema_errors(doc) == []


def test_a_score_outside_zero_to_one_is_no_confidence() -> None:
    reviews = [Review("accepted", 3.2, "GV.OC-01", 1, "", None), *REVIEWS[1:]]
    doc = reviewed_mapping_document(MappingSet(INFO, ROWS), reviews, complete=True)
    assert "confidence-score" not in doc["mapping-collection"]["mappings"][0]["maps"][0]
    assert schema_errors(doc) == []


def test_an_empty_crosswalk_is_refused_with_the_reason() -> None:
    with pytest.raises(InputRefused, match="no pair has been accepted yet"):
        reviewed_mapping_document(MappingSet(INFO, ()), [], complete=False)


def test_the_crosswalk_import_reads_the_export_back_row_for_row() -> None:
    raw = reviewed_mapping_json(MappingSet(INFO, ROWS), REVIEWS, complete=True, generated_at=WHEN)
    assert json.loads(raw)["mapping-collection"]["metadata"]["title"] == INFO.name
    doc = read_document(raw, expected="mapping-collection", name="acme.json")
    (pending,) = crosswalks_from_document(doc)
    assert pending.info.key == INFO.key
    assert pending.info.source_framework == "acme-supplier-1"
    assert [(r.source, r.target, r.relationship, r.comment) for r in pending.rows] == [
        (m.source, m.target, m.relationship, m.comment) for m in ROWS
    ]
