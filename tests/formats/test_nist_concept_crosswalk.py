"""NIST's OLIR concept crosswalk workbook (OLIR 131, SP 800-53 5.1.1 → CSF 2.0)."""

from __future__ import annotations

import collections
import io

import openpyxl
import pytest

from csfpilot.core.catalog import Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.formats.nist.concept_crosswalk import read_concept_crosswalk

from .conftest import CROSSWALK


@pytest.fixture(scope="module")
def crosswalk():
    (ms,) = read_concept_crosswalk(CROSSWALK).mapping_sets
    return ms


def test_rows(crosswalk):
    assert crosswalk.info.key == "olir-sp800-53r5-5.1.1"
    assert crosswalk.info.source_file == CROSSWALK.name
    assert len(crosswalk.mappings) == 740
    assert len({m.source for m in crosswalk.mappings}) == 108
    assert len({m.target for m in crosswalk.mappings}) == 211
    assert {"RS.MA", "RC.RP"} <= {m.source for m in crosswalk.mappings}
    assert all(m.comment == "" and m.strength is None for m in crosswalk.mappings)


def test_trailing_newlines_are_trimmed(crosswalk):
    targets = [m.target for m in crosswalk.mappings if m.source == "GV.OC-02"]
    assert targets[0] == "PM-9"
    assert not any(t != t.strip() for t in targets)


def test_pairs_equal_the_reference_tool_but_one(crosswalk, reftool_bundle, mapping_set):
    ours = collections.Counter((m.source, m.target) for m in crosswalk.mappings)
    theirs = collections.Counter(
        (m.source, m.target) for m in mapping_set(reftool_bundle, "olir-sp800-53r5-5.1.1").mappings
    )
    assert sum((ours & theirs).values()) == 739
    # NIST later corrected the withdrawn RA-4 to RA-3 in the served dataset.
    assert ours - theirs == {("DE.AE-06", "RA-4"): 1}
    assert theirs - ours == {("DE.AE-06", "RA-3"): 1}


def _workbook(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Relationships"
    ws.append(
        [
            "Focal Document\nElement",
            "Focal Document Element Description",
            "Reference Document\nElement",
            "Reference Document\nElement Description\n(Optional)",
            "Comments\n(Optional)",
            "Strength of\nRelationship\n(Optional)",
            "Relationship",
        ]
    )
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_comments_strength_and_relationship_are_read():
    data = _workbook(
        [
            ["GV", "heading", None, None, None, None, None],
            ["GV.OC-01", "text", "PM-11\n", "Mission and Business Process Definition",
             "core of the outcome", 8, "subset of"],
            ["GV.OC-02", "text", "AC-02(01)", None, None, "3", None],
        ]
    )  # fmt: skip
    (ms,) = read_concept_crosswalk(data, name="mine.xlsx", key="mine").mapping_sets
    first, second = ms.mappings
    assert (first.source, first.target, first.strength) == ("GV.OC-01", "PM-11", 8)
    assert first.comment == "core of the outcome"
    assert first.relationship is Relationship.SUBSET_OF
    assert first.target_title == "Mission and Business Process Definition"
    assert (second.target, second.strength, second.relationship) == (
        "AC-2(1)",
        3,
        Relationship.RELATED_TO,
    )


def test_bad_strength_is_refused_with_its_cell():
    data = _workbook([["GV.OC-01", "text", "PM-11", None, None, "strong", None]])
    with pytest.raises(InputRefused) as err:
        read_concept_crosswalk(data, name="mine.xlsx")
    assert (err.value.file, err.value.sheet, err.value.row, err.value.column) == (
        "mine.xlsx",
        "Relationships",
        2,
        "F",
    )


def test_bad_control_id_is_refused():
    data = _workbook([["GV.OC-01", "text", "Access Control", None, None, None, None]])
    with pytest.raises(InputRefused, match="not an SP 800-53 control id") as err:
        read_concept_crosswalk(data, name="mine.xlsx")
    assert (err.value.row, err.value.column, err.value.element) == (2, "C", "GV.OC-01")
