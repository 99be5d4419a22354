"""CISO Assistant framework libraries (YAML): read into frameworks, and hostile YAML refused.

The sample below follows the structure of the libraries CISO Assistant ships
(``backend/library/libraries/*.yaml`` in intuitem/ciso-assistant-community):
library metadata, translations, ``objects.framework`` with scores and flat
``requirement_nodes`` linked by ``parent_urn``. Its requirement texts are NIST's
CSF 2.0 (public domain); the rest is written for this test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats.cisoassistant import read_ciso_assistant_library
from csfpilot.formats.detect import read_framework_file
from csfpilot.formats.framework_export import export_framework
from csfpilot.formats.oscal import read_oscal_catalog

LIBRARY = """\
convert_library_version: 'v2 ; Compat Mode: [0] (DEFAULT)'
urn: urn:intuitem:risk:library:example-csf-2.0
locale: en
ref_id: EXAMPLE-CSF-2.0
name: Example CSF 2.0 library
description: A few CSF 2.0 outcomes in CISO Assistant's library format
copyright: A work of the U.S. Government, not subject to copyright in the United States.
version: 6
publication_date: 2025-07-09
provider: NIST
packager: intuitem
translations:
  fr:
    name: Exemple CSF 2.0
objects:
  framework:
    urn: urn:intuitem:risk:framework:example-csf-2.0
    ref_id: NIST-CSF-2.0
    name: NIST CSF v2.0
    description: NIST Cybersecurity Framework
    min_score: 1
    max_score: 4
    scores_definition:
    - score: 1
      name: Partial
      description: Ad hoc.
    requirement_nodes:
    - urn: urn:intuitem:risk:req_node:example-csf-2.0:gv
      assessable: false
      depth: 1
      ref_id: GV
      name: GOVERN
      description: The organization's cybersecurity risk management strategy, expectations,
        and policy are established, communicated, and monitored
      translations:
        fr:
          name: GOUVERNER
    - urn: urn:intuitem:risk:req_node:example-csf-2.0:gv.oc
      assessable: false
      depth: 2
      parent_urn: urn:intuitem:risk:req_node:example-csf-2.0:gv
      ref_id: GV.OC
      name: Organizational Context
      description: The circumstances surrounding the organization's cybersecurity risk
        management decisions are understood
    - urn: urn:intuitem:risk:req_node:example-csf-2.0:gv.oc-01
      assessable: true
      depth: 3
      parent_urn: urn:intuitem:risk:req_node:example-csf-2.0:gv.oc
      ref_id: GV.OC-01
      description: The organizational mission is understood and informs cybersecurity
        risk management
      annotation: '1st: 1st Party Risk

        Ex1: Share the organization''s mission'
      typical_evidence: Mission statement
      implementation_groups:
      - core
      reference_controls:
      - urn:intuitem:risk:function:doc-pol:doc.context
    - urn: urn:intuitem:risk:req_node:example-csf-2.0:gv.oc-02
      assessable: true
      depth: 3
      parent_urn: urn:intuitem:risk:req_node:example-csf-2.0:gv.oc
      ref_id: GV.OC-02
      description: Internal and external stakeholders are understood
      importance: mandatory
      weight: 2
    - urn: urn:intuitem:risk:req_node:example-csf-2.0:gv.oc:node6
      assessable: false
      depth: 3
      parent_urn: urn:intuitem:risk:req_node:example-csf-2.0:gv.oc
      name: Notes for auditors
"""


def _refused(text: str | bytes, name: str = "library.yaml") -> InputRefused:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(InputRefused) as info:
        read_framework_file(data, name=name)
    return info.value


def test_a_library_becomes_a_framework() -> None:
    bundle = read_ciso_assistant_library(LIBRARY.encode(), name="example-csf-2.0.yaml")
    assert bundle.warnings == []
    (cat,) = bundle.catalogs
    info = cat.info
    assert (info.key, info.name, info.version, info.publisher, info.language) == (
        "nist-csf-2.0",
        "NIST CSF v2.0",
        "6",
        "NIST",
        "en",
    )
    assert info.levels == ("level_1", "level_2", "level_3")
    assert info.outcome_level == "level_3"  # where the assessable requirements are
    assert info.terms.startswith("A work of the U.S. Government")
    assert [(n.code, n.parent, n.level, n.title) for n in cat.nodes] == [
        ("GV", None, "level_1", "GOVERN"),
        ("GV.OC", "GV", "level_2", "Organizational Context"),
        ("GV.OC-01", "GV.OC", "level_3", ""),
        ("GV.OC-02", "GV.OC", "level_3", ""),
        ("node6", "GV.OC", "level_3", "Notes for auditors"),
    ]
    gv_oc_01 = cat.get("GV.OC-01")
    assert gv_oc_01.text == (
        "The organizational mission is understood and informs cybersecurity risk management"
    )
    assert gv_oc_01.props == {
        "urn": "urn:intuitem:risk:req_node:example-csf-2.0:gv.oc-01",
        "assessable": True,
        "annotation": "1st: 1st Party Risk\nEx1: Share the organization's mission",
        "typical_evidence": "Mission statement",
        "implementation_groups": ["core"],
    }
    assert cat.get("GV.OC-02").props["weight"] == 2
    assert cat.get("GV.OC-02").props["importance"] == "mandatory"


def test_the_dispatcher_knows_a_library_by_name_or_by_its_first_lines() -> None:
    # The sample claims to be NIST-CSF-2.0 but holds five outcomes: kept apart on request.
    with pytest.raises(InputRefused, match=r"claims to be NIST's csf-2\.0 but differs"):
        read_framework_file(LIBRARY.encode(), name="lib.yml")
    by_name = read_framework_file(LIBRARY.encode(), name="lib.yml", core_copy="separate")
    by_content = read_framework_file(LIBRARY.encode(), name="upload", core_copy="separate")
    by_name, by_content = by_name.catalogs[0], by_content.catalogs[0]
    assert by_name.content_digest() == by_content.content_digest()
    override = read_framework_file(
        LIBRARY.encode(), name="lib.yaml", key="ca-fw", version="7", core_copy="separate"
    )
    assert (override.catalogs[0].info.key, override.catalogs[0].info.version) == ("ca-fw", "7")
    with pytest.raises(InputRefused, match=r"the key csf-ca is kept for NIST's releases"):
        read_framework_file(LIBRARY.encode(), name="lib.yaml", key="csf-ca", core_copy="separate")


def test_an_imported_library_exports_to_oscal_and_back_unchanged() -> None:
    (cat,) = read_ciso_assistant_library(LIBRARY.encode(), name="lib.yaml").catalogs
    exported = export_framework(cat, "oscal").content
    assert read_oscal_catalog(exported, name="lib.oscal.json").catalogs[0] == cat


# --- hostile or wrong YAML ---------------------------------------------------------------------


def test_a_billion_laughs_alias_bomb_is_refused() -> None:
    bomb = "urn: urn:x:library:bomb\nobjects:\n  a: &a [lol, lol, lol, lol, lol, lol, lol]\n"
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        bomb += f"  {level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}]\n"
    err = _refused(bomb)
    assert err.line == 3
    assert "anchors (&a) are not allowed" in err.message


def test_python_tags_are_refused() -> None:
    err = _refused("urn: urn:x\nobjects: !!python/object/apply:os.system ['echo owned']\n")
    assert err.line == 2
    assert "tag" in err.message


def test_a_mapping_set_without_rows_is_refused_naming_its_line() -> None:
    text = (
        "urn: urn:intuitem:risk:library:mapping-a-to-b\nref_id: mapping-a-to-b\nobjects:\n"
        "  requirement_mapping_set:\n    source_framework_urn: urn:a\n"
        "    target_framework_urn: urn:b\n"
    )
    err = _refused(text)
    assert err.line == 4  # the mapping set
    assert (err.field, err.message) == (
        "requirement_mappings",
        "the mapping set has no requirement_mappings",
    )


def test_a_parent_urn_outside_the_framework_names_its_line() -> None:
    text = LIBRARY.replace(
        "parent_urn: urn:intuitem:risk:req_node:example-csf-2.0:gv\n",
        "parent_urn: urn:intuitem:risk:req_node:example-csf-2.0:zz\n",
    )
    err = _refused(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.endswith("2.0:zz"))
    assert (err.file, err.line, err.field) == ("library.yaml", line, "parent_urn")
    assert err.message == (
        "parent_urn 'urn:intuitem:risk:req_node:example-csf-2.0:zz' is not a node of this framework"
    )


def test_a_duplicated_urn_and_a_duplicate_key() -> None:
    lines = LIBRARY.splitlines(keepends=True)
    twice = LIBRARY.replace("example-csf-2.0:gv.oc-02\n", "example-csf-2.0:gv.oc-01\n", 1)
    err = _refused(twice)
    assert err.message == (
        "the urn 'urn:intuitem:risk:req_node:example-csf-2.0:gv.oc-01' appears twice"
    )
    assert err.line == next(
        i for i, line in enumerate(lines, 1) if "example-csf-2.0:gv.oc-02" in line
    )
    err = _refused(LIBRARY.replace("locale: en\n", "locale: en\nlocale: fr\n"))
    assert err.line == 4 and "appears twice" in err.message


def test_not_a_library() -> None:
    assert (
        _refused("urn: urn:x\nname: nothing\n").message
        == "objects must be a mapping of keys to values"
    )
    err = _refused("urn: urn:x\nobjects:\n  threats: []\n")
    assert err.message == (
        "this CISO Assistant library holds no framework (objects.framework) and no mapping "
        "set (objects.requirement_mapping_set)"
    )


def test_wrong_encoding_and_size(tmp_path: Path) -> None:
    err = _refused("urn: urn:x\nname: Überwachung\n".encode("latin-1"))
    assert err.line == 2 and err.message.startswith("the file is not UTF-8")
    big = tmp_path / "huge.yaml"
    with big.open("wb") as fh:
        fh.truncate(40 * 1024 * 1024)
    with pytest.raises(InputRefused) as info:
        read_ciso_assistant_library(big)
    assert str(info.value) == (
        "huge.yaml: the file is 41,943,040 bytes; the limit is 33,554,432 bytes "
        "(refused before reading it)"
    )
