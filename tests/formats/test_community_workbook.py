"""A sector's Community Profile workbook read through a column mapping, exact values."""

from __future__ import annotations

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import Priority, ProfileKind
from csfpilot.formats.community_workbook import (
    read_community,
    read_spec,
    read_workbook,
    spec_from_dict,
    statements_as_framework,
)
from csfpilot.formats.native.reference import bundled_reference
from tests.community_workbooks import MAPPING, SECTOR_SPEC, STRUCTURE, sector_workbook
from tests.formats.profile_xlsx_helpers import libreoffice_resave


def read(data: bytes, spec_text: str = SECTOR_SPEC, **kw):
    nist = bundled_reference()
    return read_community(
        read_workbook(data, name="water.xlsx"),
        read_spec(spec_text.encode(), name="map.yaml"),
        nist.framework,
        nist.withdrawals,
        **kw,
    )


def check_sector_profile(result) -> None:
    profile = result.profile
    assert profile.kind is ProfileKind.COMMUNITY
    assert profile.name == "Water Sector Community Profile"
    assert profile.description == "Published by Example Water ISAC, version 1.2. Terms: CC BY 4.0"
    assert list(profile.outcomes) == [
        "GV.OC-01",
        "GV.OC-05",
        "GV.RR-02",
        "PR.AA-05",
        "PR.AT-01",
        "PR.DS-11",
        "PR.IR-01",
    ]
    targets = {c: (e.target.key if e.target else None) for c, e in profile.outcomes.items()}
    assert targets == {
        "GV.OC-01": "largely",  # Tier 3 → 3/4 → nearest is largely (2/3)
        "GV.OC-05": "fully",  # WS-1.1 Tier 3 and WS-1.2 Required: the highest
        "GV.RR-02": "fully",
        "PR.AA-05": "fully",
        "PR.AT-01": None,  # "Baseline" has no proposal: left for a decision
        "PR.DS-11": "partially",
        "PR.IR-01": "fully",
    }
    gv = profile.entry("GV.OC-05")
    assert gv.priority is Priority.HIGH
    assert gv.rationale == "WS-1.1: Service continuity"
    assert gv.considerations == (
        "WS-1.1: Know the utility's mission and dependencies\n"
        "Guidance: Start with SCADA dependencies\n"
        "WS-1.2: Name who owns cyber risk"
    )
    assert gv.notes == "Source: Structure!5, Mapping!3; Structure!6, Mapping!8"
    assert result.citations["PR.AA-05"] == ("Structure!8, Mapping!5",)
    values = {v.text: (v.proposed, v.chosen, v.cells) for v in result.values}
    assert values["Baseline"] == (None, None, ("Structure!D10",))
    assert values["Tier 3"] == ("largely", "largely", ("Structure!D5",))
    assert [v.text for v in result.values if v.needs_choice] == ["Baseline"]
    assert [s.code for s in result.statements] == [r[0] for r in STRUCTURE]


def test_sector_workbook_reads_exactly():
    check_sector_profile(read(sector_workbook()))


def test_the_same_workbook_resaved_by_libreoffice(tmp_path):
    check_sector_profile(read(libreoffice_resave(sector_workbook(), tmp_path)))


def test_value_choices_change_the_targets():
    result = read(sector_workbook(), choices={"baseline": "partially", "Tier 3": "fully"})
    assert result.profile.entry("PR.AT-01").target.key == "partially"
    assert result.profile.entry("GV.OC-01").target.key == "fully"
    assert {v.text: v.chosen for v in result.values}["Baseline"] == "partially"


def test_spec_values_decide_and_null_leaves_unrated():
    spec = SECTOR_SPEC + "values:\n  Baseline: partially\n  In progress: null\n"
    result = read(sector_workbook(), spec)
    assert result.profile.entry("PR.AT-01").target.key == "partially"
    assert result.profile.entry("PR.DS-11").target is None


def test_statements_become_a_framework_with_a_crosswalk():
    result = read(sector_workbook())
    catalog, crosswalk = statements_as_framework(result, "water-isac-1.2")
    assert catalog.info.levels == ("level_1", "level_2")
    assert catalog.info.outcome_level == "level_2"
    assert catalog.get("WS-2.1").parent == "WS-2"
    assert crosswalk.info.source_framework == "water-isac-1.2"
    assert crosswalk.info.target_framework == "csf-2.0"
    assert [(m.source, m.target) for m in crosswalk.mappings] == [
        ("WS-1.1", "GV.OC-01"),
        ("WS-1.1", "GV.OC-05"),
        ("WS-1.2", "GV.RR-02"),
        ("WS-2.1", "PR.AA-05"),
        ("WS-2.1", "PR.IR-01"),
        ("WS-2.2", "PR.DS-11"),
        ("WS-2.3", "PR.AT-01"),
        ("WS-1.2", "GV.OC-05"),
    ]
    assert crosswalk.mappings[0].comment == "mapped on Mapping!2"


def test_outcome_rows_without_a_mapping_sheet():
    spec = spec_from_dict(
        {
            "name": "Direct",
            "sheet": "Mapping",
            "columns": {"id": "CSF 2.0 Subcategory", "rationale": "Statement ID"},
        }
    )
    data = sector_workbook(mapping=[("WS-1.1", "GV.OC-01"), ("WS-1.2", "PR.AT-1")])
    nist = bundled_reference()
    result = read_community(read_workbook(data, name="w.xlsx"), spec, nist.framework)
    assert list(result.profile.outcomes) == ["GV.OC-01", "PR.AT-01"]
    assert result.profile.entry("PR.AT-01").rationale == "WS-1.2"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            [("WS-9", "GV.OC-01")],
            "water.xlsx: sheet 'Mapping': row 2: column A: the statement "
            "WS-9 is not on the sheet 'Structure'",
        ),
        (
            [("WS-1.1", "PR.AC-1")],
            "water.xlsx: sheet 'Mapping': row 2: column B: PR.AC-1 is not "
            "an outcome of csf-2.0: it was withdrawn",
        ),
        (
            [("WS-1.1", "GV.OC")],
            "water.xlsx: sheet 'Mapping': row 2: column B: GV.OC is a "
            "category, not an assessable outcome",
        ),
        ([("WS-1.1", "")], "row 2: column B: the statement WS-1.1 is mapped to no Subcategory"),
    ],
)
def test_bad_mapping_rows_name_file_sheet_row_column(mapping, message):
    with pytest.raises(InputRefused) as err:
        read(sector_workbook(mapping=mapping))
    assert message in str(err.value)


def test_bad_structure_cells_are_refused():
    rows = [*STRUCTURE[:2], ("WS-1.2", "WS-1", "x", "Tier 2", "urgent!", "", "")]
    with pytest.raises(InputRefused) as err:
        read(sector_workbook(structure=rows, mapping=MAPPING[:1]))
    assert str(err.value) == (
        "water.xlsx: sheet 'Structure': row 6: column E: 'urgent!' is not a priority; "
        "write high, medium or low (or 1-3)"
    )
    twice = [*STRUCTURE[:2], STRUCTURE[1]]
    with pytest.raises(InputRefused, match=r"row 6: column A: the statement WS-1\.1 appears twice"):
        read(sector_workbook(structure=twice, mapping=MAPPING[:1]))


def test_formula_cells_are_refused_not_evaluated():
    rows = [*STRUCTURE[:1], ("WS-1.1", "WS-1", "x", "=1+2", "", "", "")]
    with pytest.raises(InputRefused, match=r"row 5: column D: the cell holds a formula"):
        read(sector_workbook(structure=rows, mapping=MAPPING[:1]))


def test_a_missing_column_lists_the_header():
    with pytest.raises(InputRefused) as err:
        read(sector_workbook(), SECTOR_SPEC.replace("target: Tiering", "target: Level"))
    assert "sheet 'Structure': row 3: no column 'Level' for the target in the header" in str(
        err.value
    )
    assert "'Tiering\\n(target)'" in str(err.value)


def test_a_bad_mapping_file_names_its_line():
    with pytest.raises(InputRefused) as err:
        read_spec(b"name: x\nsheet: S\ncolumns:\n  id: ID\n  colour: C\n", name="map.yaml")
    assert str(err.value).startswith("map.yaml:5: field columns.colour: unknown column role")


def test_a_file_that_is_not_a_workbook_is_refused_by_name():
    with pytest.raises(InputRefused) as err:
        read_workbook(b"ID,Parent\nWS-1,\n", name="water.xlsx")
    assert str(err.value).startswith("water.xlsx: ")


def test_a_sheet_that_does_not_exist_is_named_with_the_sheets():
    with pytest.raises(InputRefused) as err:
        read(sector_workbook(), SECTOR_SPEC.replace("sheet: Structure", "sheet: Targets"))
    assert str(err.value) == "water.xlsx: no sheet 'Targets' (sheets: About, Structure, Mapping)"


@pytest.mark.parametrize("key", ["csf-2.1", "sp800-53r5", "Water ISAC", ""])
def test_nists_keys_and_bad_keys_are_refused_for_statements(key):
    with pytest.raises(InputRefused, match="cannot name a sector's framework"):
        statements_as_framework(read(sector_workbook()), key)
