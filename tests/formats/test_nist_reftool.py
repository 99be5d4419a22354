"""The Reference Tool importer against NIST's file, element by element."""

from __future__ import annotations

import collections
import hashlib
import json
import re
from typing import Any

import pytest

from csfpilot.core.catalog import Relationship
from csfpilot.core.catalog.csf2 import CATEGORY_IDS, FUNCTION_IDS, SUBCATEGORY_IDS
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import CSF_2_0, csf11_canonical, sp800_53_canonical
from csfpilot.formats.native.reference import DEFAULT_CONTROLS_DATASET, bundled_reference
from csfpilot.formats.nist import reftool
from csfpilot.formats.nist.reftool import read_reference_tool
from csfpilot.formats.nist.shipped import REFERENCE_TOOL_SHA256
from csfpilot.formats.safe_json import load_json

from .conftest import REFTOOL, is_withdrawn

CORE = ("function", "category", "subcategory")


def _active(reftool_nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n for n in reftool_nodes if n["elementTypeIdentifier"] in CORE and not is_withdrawn(n)]


def _raw_rows(reftool_nodes: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (n["elementIdentifier"], r)
        for n in _active(reftool_nodes)
        for r in n.get("externalRelationships", [])
    ]


def test_catalog_identity(reftool_bundle):
    info = reftool_bundle.catalogs[0].info
    assert info.key == "csf-2.0"
    assert info.name == "NIST Cybersecurity Framework"
    assert info.version == "2.0"
    assert info.publisher == "National Institute of Standards and Technology (NIST)"
    assert info.levels == ("function", "category", "subcategory")
    assert info.outcome_level == "subcategory"
    assert info.family == "csf"
    assert "public domain" in info.terms and "17 U.S.C." in info.terms
    assert info.source_file == "csf-2.0-reference-tool-elements.json"
    assert info.source_sha256 == hashlib.sha256(REFTOOL.read_bytes()).hexdigest()
    assert info.source_sha256.startswith("d5c6fecdc537")


def test_counts_are_nists(reftool_bundle):
    csf = reftool_bundle.catalogs[0]
    assert [n.code for n in csf.at_level("function")] == list(FUNCTION_IDS)
    assert [n.code for n in csf.at_level("category")] == list(CATEGORY_IDS)
    assert [n.code for n in csf.at_level("subcategory")] == list(SUBCATEGORY_IDS)
    assert len(csf) == 134
    assert sum(len(n.examples) for n in csf) == 363


def test_every_core_text_and_title_is_nists(reftool_bundle, reftool_nodes):
    csf = reftool_bundle.catalogs[0]
    raw = _active(reftool_nodes)
    assert len(raw) == 134
    for order, node in enumerate(raw):
        ours = csf.get(node["elementIdentifier"])
        assert ours is not None, node["elementIdentifier"]
        assert ours.title == node["title"]
        assert ours.text == node["text"]
        assert ours.order == order
        assert ours.level == node["elementTypeIdentifier"]
    assert [n.title for n in csf.at_level("function")] == [
        "GOVERN", "IDENTIFY", "PROTECT", "DETECT", "RESPOND", "RECOVER"
    ]  # fmt: skip
    assert csf.get("GV.OC-01").text == (
        "The organizational mission is understood and informs cybersecurity risk management"
    )
    assert csf.get("GV.OC-04").text.startswith(
        "Critical objectives, capabilities, and services that external stakeholders"
    )
    assert csf.get("GV.OC").title == "Organizational Context"


def test_all_106_subcategory_statements(reftool_bundle, reftool_nodes):
    csf = reftool_bundle.catalogs[0]
    raw = {
        n["elementIdentifier"]: n["text"]
        for n in _active(reftool_nodes)
        if n["elementTypeIdentifier"] == "subcategory"
    }
    assert len(raw) == 106
    assert {n.code: n.text for n in csf.at_level("subcategory")} == raw
    assert all(n.title == "" for n in csf.at_level("subcategory"))


def test_all_363_implementation_examples(reftool_bundle, reftool_nodes):
    csf = reftool_bundle.catalogs[0]
    raw = [
        (n["elementIdentifier"], c["elementIdentifier"], c["title"], c["text"])
        for n in _active(reftool_nodes)
        for c in n.get("elements", [])
        if c["elementTypeIdentifier"] == "implementation_example"
    ]
    ours = [(n.code, e.code, e.title, e.text) for n in csf for e in n.examples]
    assert len(raw) == 363
    assert ours == raw
    first = csf.get("GV.OC-01").examples[0]
    assert (first.code, first.title) == ("GV.OC-01.001", "Ex1")
    assert [e.title for e in csf.get("GV.SC-04").examples] == [
        f"Ex{i}" for i in range(1, len(csf.get("GV.SC-04").examples) + 1)
    ]


def test_party_tags(reftool_bundle, reftool_nodes):
    csf = reftool_bundle.catalogs[0]
    raw = {
        n["elementIdentifier"]: sorted(
            c["elementIdentifier"]
            for c in n.get("elements", [])
            if c["elementTypeIdentifier"] == "party"
        )
        for n in _active(reftool_nodes)
        if n["elementTypeIdentifier"] == "subcategory"
    }
    ours = {n.code: n.props["parties"] for n in csf.at_level("subcategory")}
    assert ours == raw
    assert sum(len(p) for p in ours.values()) == 125
    assert ours["GV.OC-01"] == ["first"]
    assert all(n.props == {} for n in csf if n.level != "subcategory")


def test_withdrawn_elements_are_not_nodes(reftool_bundle, reftool_nodes):
    csf = reftool_bundle.catalogs[0]
    withdrawn = [
        n["elementIdentifier"]
        for n in reftool_nodes
        if n["elementTypeIdentifier"] in CORE and is_withdrawn(n)
    ]
    assert len(withdrawn) == 91
    assert not any(csf.get(code) for code in withdrawn)
    assert not any(n.withdrawn for n in csf)


# Rows per OLIR dataset as counted in PROVENANCE.md §1a.
DATASET_ROWS = {
    "olir-sp800-53r5-5.1.1": ("SP-800-53-Rev-5-to-Cybersecurity-Framework-v2.0", 740),
    "olir-sp800-53r5-5.2.0": ("Cybersecurity-Framework-v2.0-to-SP-800-53-Rev-5-2-0", 746),
    "olir-cis-v8.0": ("CIS-Controls-8.0-to-Cybersecurity-Framework-v2.0", 60),
    "olir-cis-v8.1": ("CIS-Controls-8.1-to-Cybersecurity-Framework-v2.0", 62),
    "olir-iso27001-2022": ("ISO/IEC-27001:2022-to-Cybersecurity-Framework-v2.0", 492 - 78),
    "olir-csf-1.1-csf-2.0": ("Cybersecurity-Framework-v1.1-to-Cybersecurity-Framework-v2.0", 185),
}


@pytest.mark.parametrize("key", sorted(DATASET_ROWS))
def test_dataset_row_counts_equal_the_file(key, reftool_bundle, reftool_nodes, mapping_set):
    olir_name, expected = DATASET_ROWS[key]
    raw = [(s, r) for s, r in _raw_rows(reftool_nodes) if r.get("olirName") == olir_name]
    # ISO entries such as "Mandatory Clause: None" map to nothing and are left out.
    raw = [
        (s, r) for s, r in raw if not re.search(r":\s*(none)?\s*$", r["elementIdentifier"], re.I)
    ]
    ms = mapping_set(reftool_bundle, key)
    assert len(raw) == expected
    assert len(ms.mappings) == expected
    assert [m.source for m in ms.mappings] == [s for s, _ in raw]
    assert all(m.relationship is Relationship.RELATED_TO for m in ms.mappings)
    assert ms.info.source_framework == "csf-2.0"
    assert ms.info.terms and ms.info.publisher
    assert ms.info.source_file == "csf-2.0-reference-tool-elements.json"


def test_family_references(reftool_bundle, reftool_nodes, mapping_set):
    raw = [
        (s, r["elementIdentifier"])
        for s, r in _raw_rows(reftool_nodes)
        if r["relationIdentifier"] == "external_reference"
    ]
    ms = mapping_set(reftool_bundle, "csf-2.0-sp800-53-families")
    assert len(raw) == len(ms.mappings) == 378
    assert [(m.source, m.target) for m in ms.mappings] == raw
    assert (ms.info.source_framework, ms.info.target_framework) == ("csf-2.0", "sp800-53r5")
    assert ms.info.version == "5.1.1"
    first = ms.mappings[0]
    assert (first.source, first.target, first.target_title) == (
        "GV.OC-01",
        "PT",
        "PERSONALLY IDENTIFIABLE INFORMATION PROCESSING AND TRANSPARENCY",
    )


def test_other_olir_datasets_stay_out(reftool_bundle):
    keys = [ms.info.key for ms in reftool_bundle.mapping_sets]
    assert keys == [
        "olir-sp800-53r5-5.1.1",
        "olir-sp800-53r5-5.2.0",
        "olir-cis-v8.0",
        "olir-cis-v8.1",
        "olir-iso27001-2022",
        "olir-csf-1.1-csf-2.0",
        "csf-2.0-sp800-53-families",
        "csf-1.1-to-csf-2.0-withdrawals",
    ]
    assert not any("nice" in k or "pci" in k or "ccm" in k for k in keys)


def test_duplicate_rows_are_kept(reftool_variant, mapping_set):
    def duplicate_a_cis_row(doc):
        for fn in doc["response"]["elements"]:
            for cat in fn["elements"]:
                for sub in cat.get("elements", []):
                    if sub["elementIdentifier"] == "GV.RR-01":
                        rels = sub["externalRelationships"]
                        cis = next(
                            r
                            for r in rels
                            if r.get("olirName")
                            == "CIS-Controls-8.0-to-Cybersecurity-Framework-v2.0"
                        )
                        rels.append(dict(cis))
                        return

    bundle = read_reference_tool(reftool_variant(duplicate_a_cis_row), name="dup.json")
    rows = mapping_set(bundle, "olir-cis-v8.0").mappings
    assert len(rows) == 61
    counts = collections.Counter((m.source, m.target) for m in rows)
    assert counts[("GV.RR-01", "14.1")] == 2


def test_shipped_datasets_have_no_duplicate_rows(reftool_bundle):
    # NIST's file has duplicates only in datasets csfpilot does not ship
    # (SP 800-221A, PCI DSS, the UK code of practice, the Invariant Reality Prism).
    for ms in reftool_bundle.mapping_sets:
        if ms.info.key.startswith("olir-") or ms.info.key.endswith("families"):
            pairs = [(m.source, m.target, m.comment) for m in ms.mappings]
            assert len(set(pairs)) == len(pairs), ms.info.key


def test_sp800_53_ids_are_canonical(reftool_bundle, reftool_nodes, mapping_set):
    for key, olir in (
        ("olir-sp800-53r5-5.1.1", "SP-800-53-Rev-5-to-Cybersecurity-Framework-v2.0"),
        ("olir-sp800-53r5-5.2.0", "Cybersecurity-Framework-v2.0-to-SP-800-53-Rev-5-2-0"),
    ):
        raw = [
            r["elementIdentifier"] for _, r in _raw_rows(reftool_nodes) if r.get("olirName") == olir
        ]
        ours = [m.target for m in mapping_set(reftool_bundle, key).mappings]
        assert ours == [sp800_53_canonical(r) for r in raw]
    targets = {m.target for m in mapping_set(reftool_bundle, "olir-sp800-53r5-5.2.0").mappings}
    assert {"SI-2(7)", "IA-13", "PM-11", "CP"} <= targets
    assert not any("-0" in t or "(0" in t for t in targets)


def test_csf_1_1_targets_use_csf_1_1_spelling(reftool_bundle, csf11_bundle, mapping_set):
    ms = mapping_set(reftool_bundle, "olir-csf-1.1-csf-2.0")
    assert ms.info.target_framework == "csf-1.1"
    assert ("GV.OC-01", "ID.BE-2") in {(m.source, m.target) for m in ms.mappings}
    csf11 = csf11_bundle.catalogs[0]
    assert all(csf11.get(m.target) is not None for m in ms.mappings)


def test_cis_catalogs(reftool_bundle, mapping_set):
    catalogs = {c.info.key: c for c in reftool_bundle.catalogs}
    for key, safeguards in (("cis-v8.0", 48), ("cis-v8.1", 49)):
        cat = catalogs[key]
        assert cat.info.publisher == "Center for Internet Security (CIS)"
        assert "Center for Internet Security" in cat.info.terms
        assert cat.info.levels == ("control", "safeguard")
        assert len(cat.at_level("safeguard")) == safeguards
        assert cat.get("14.1").title == "Establish and Maintain a Security Awareness Program"
        assert cat.get("14.1").parent == "14"
        assert cat.get("14").title == ""
        dataset = mapping_set(reftool_bundle, f"olir-{key}")
        assert {m.target for m in dataset.mappings} == {n.code for n in cat.at_level("safeguard")}
    assert catalogs["cis-v8.1"].get("5.6") is not None
    assert catalogs["cis-v8.0"].get("5.6") is None
    assert [n.code for n in catalogs["cis-v8.1"].at_level("control")][:3] == ["1", "2", "3"]


def test_iso_identifiers_are_normalised(reftool_bundle, mapping_set):
    rows = mapping_set(reftool_bundle, "olir-iso27001-2022").mappings
    by_source = collections.defaultdict(list)
    for m in rows:
        by_source[m.source].append(m)
    # GV.OC-01's bare "Annex A Controls:" names nothing: it is no row.
    assert [m.target for m in by_source["GV.OC-01"]] == ["4.1", "6.1", "8.1", "8.2", "8.3"]
    (listed,) = [m for m in by_source["GV.RR-03"] if m.target == "7.1"]
    assert "7.1, 7.2" in listed.comment
    assert [m.target for m in by_source["PR"]] == ["8.3", "A"]
    targets = collections.Counter(m.target for m in rows)
    assert targets["4.2(a)"] == 5  # "4.2 (a)" twice and "4.2(a)" three times
    assert targets[""] == 0  # "None" in either part (66 + 9), and the bare prefix (3)
    assert len(rows) == 492 - 66 - 9 - 3
    assert targets["A.5.1"] == 20
    assert not any(t.startswith(("Mandatory", "Annex")) or "," in t for t in targets)


def test_iso_catalog_holds_only_real_identifiers(reftool_bundle):
    (iso,) = [c for c in reftool_bundle.catalogs if c.info.key == "iso27001-2022"]
    assert iso.info.publisher == "ISO/IEC"
    assert "not included" in iso.info.terms
    assert iso.get("6.11") is None and iso.get("6.13") is None
    assert iso.get("A.5.1").parent == "A.5" and iso.get("A.5").parent == "A"
    assert iso.get("6.1.2").level == "provision" and iso.get("6.1").level == "subclause"
    assert iso.get("4.2(a)").parent == "4.2"
    assert all(n.text == "" and n.title == "" for n in iso)
    assert [n.code for n in iso.at_level("clause")] == ["4", "5", "6", "7", "8", "9", "10", "A"]
    assert reftool_bundle.warnings == [
        "csf-2.0-reference-tool-elements.json: "
        "ISO/IEC-27001:2022-to-Cybersecurity-Framework-v2.0: 2 row(s) name ids that "
        "iso27001-2022 does not have, kept as written: 6.11, 6.13"
    ]


def test_withdrawal_migrations_cover_all_91_elements(reftool_bundle, reftool_nodes, mapping_set):
    ms = mapping_set(reftool_bundle, "csf-1.1-to-csf-2.0-withdrawals")
    assert (ms.info.source_framework, ms.info.target_framework) == ("csf-1.1", "csf-2.0")
    raw = {
        n["elementIdentifier"]: next(
            c for c in n["elements"] if c["elementTypeIdentifier"] == "withdraw_reason"
        )
        for n in reftool_nodes
        if n["elementTypeIdentifier"] in CORE and is_withdrawn(n)
    }
    kinds = collections.Counter(
        n["elementTypeIdentifier"]
        for n in reftool_nodes
        if n["elementIdentifier"] in raw and n["elementTypeIdentifier"] in CORE
    )
    assert kinds == {"category": 12, "subcategory": 79}
    sources = {m.source for m in ms.mappings}
    assert sources == {csf11_canonical(code) for code in raw}
    assert "ID.AM-6" in sources and "ID.AM-06" not in sources
    for code, reason in raw.items():
        rows = [m for m in ms.mappings if m.source == csf11_canonical(code)]
        assert all(m.comment == reason["text"] for m in rows)
        stubs = [
            (s["relationIdentifier"], s["elementIdentifier"]) for s in reason.get("elements", [])
        ]
        if stubs:
            assert [(str(m.relationship), m.target) for m in rows] == stubs
    assert len(ms.mappings) == 134 + 2 + 3


def test_withdrawal_rows_follow_nists_edges(reftool_bundle, mapping_set):
    rows = mapping_set(reftool_bundle, "csf-1.1-to-csf-2.0-withdrawals").mappings
    by = collections.defaultdict(list)
    for m in rows:
        by[m.source].append((m.relationship, m.target))
    assert by["ID.AM-6"] == [
        (Relationship.INCORPORATED_INTO, "GV.RR-02"),
        (Relationship.INCORPORATED_INTO, "GV.SC-02"),
    ]
    assert by["PR.AC"] == [(Relationship.MOVED_TO, "PR.AA")]
    # NIST's reason says "Moved to", its edge says incorporated_into: the edge wins.
    assert by["PR.IP-5"] == [(Relationship.INCORPORATED_INTO, "PR.IR-02")]
    # No structured target: the ids named in the reason.
    assert by["ID.GV"] == [(Relationship.INCORPORATED_INTO, "GV")]
    assert by["RS.RP"] == [(Relationship.INCORPORATED_INTO, "RS.MA")]
    # No target at all: one row that keeps the reason.
    for code in ("PR.IP", "PR.PT", "DE.DP"):
        assert [t for _, t in by[code]] == [""]
    assert all(m.relationship.is_migration for m in rows)


def test_withdrawn_sources_are_csf_1_1_elements(reftool_bundle, csf11_bundle, mapping_set):
    csf11 = csf11_bundle.catalogs[0]
    rows = mapping_set(reftool_bundle, "csf-1.1-to-csf-2.0-withdrawals").mappings
    assert all(csf11.get(m.source) is not None for m in rows)
    csf20 = reftool_bundle.catalogs[0]
    assert all(csf20.get(m.target) is not None for m in rows if m.target)


def test_a_later_release_loads_under_its_own_key():
    bundle = read_reference_tool(REFTOOL, version="2.1")
    assert bundle.catalogs[0].info.key == "csf-2.1"
    assert bundle.catalogs[0].info.version == "2.1"
    keys = {ms.info.key for ms in bundle.mapping_sets}
    assert "olir-sp800-53r5-5.1.1-csf-2.1" in keys
    assert "csf-1.1-to-csf-2.1-withdrawals" in keys
    assert {ms.info.source_framework for ms in bundle.mapping_sets} == {"csf-2.1", "csf-1.1"}


def test_the_shipped_exports_digest_is_the_one_recorded():
    recorded = re.search(
        r"`nist-csf-2\.0/csf-2\.0-reference-tool-elements\.json`.*?`([0-9a-f]{64})`",
        (REFTOOL.parents[1] / "SOURCES.md").read_text("utf-8"),
    )
    assert recorded is not None
    digest = hashlib.sha256(REFTOOL.read_bytes()).hexdigest()
    assert digest == REFERENCE_TOOL_SHA256 == recorded.group(1)


def test_the_defensive_reader_accepts_the_shipped_export_and_reads_it_alike():
    raw = REFTOOL.read_bytes()
    assert load_json(raw, name=REFTOOL.name) == json.loads(raw)


def test_the_shipped_export_is_parsed_without_the_defensive_checks(monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the defensive reader ran")

    monkeypatch.setattr(reftool, "load_json", refuse)
    assert len(read_reference_tool().catalogs[0]) == 134


def test_a_changed_export_is_read_defensively_again():
    # The same document with its top-level key written twice: no longer the shipped bytes.
    changed = b'{"response": {}, ' + REFTOOL.read_bytes().lstrip()[1:]
    with pytest.raises(InputRefused, match="appears twice"):
        read_reference_tool(changed, name=REFTOOL.name)


def test_profile_tools_build_the_crosswalks_when_first_looked_up(monkeypatch):
    built = []
    real = reftool.informative_reference_bundle

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(reftool, "informative_reference_bundle", counted)
    ref = bundled_reference.__wrapped__(CSF_2_0)
    assert len(ref.framework.outcomes) == 106 and ref.withdrawals.lookup("ID.BE-01")
    assert built == []
    controls = ref.mapping_set(DEFAULT_CONTROLS_DATASET)
    assert ref.mapping_set(DEFAULT_CONTROLS_DATASET) is controls
    assert built == [1]
    assert dict(ref.mapping_sets) == {m.info.key: m for m in read_reference_tool().mapping_sets}
