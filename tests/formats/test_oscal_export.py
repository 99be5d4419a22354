"""Frameworks as OSCAL catalogs: valid against NIST's 1.2.1 schema, shaped like NIST's own
OSCAL editions, and read back by csfpilot exactly as they went out."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from csfpilot.core.catalog import Catalog, ImportBundle, Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.formats.bundled import read_bundled
from csfpilot.formats.detect import read_framework_file
from csfpilot.formats.oscal import read_oscal_catalog
from csfpilot.formats.oscal.catalog_writer import catalog_document, catalog_json
from csfpilot.formats.oscal.extension import NS
from tests.formats.oscal_validation import schema_errors

WHEN = datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def bundle() -> ImportBundle:
    return read_bundled()


@pytest.fixture(scope="module")
def catalogs(bundle: ImportBundle) -> dict[str, Catalog]:
    return {c.info.key: c for c in bundle.catalogs}


@pytest.fixture(scope="module")
def documents(catalogs: dict[str, Catalog]) -> dict[str, dict[str, Any]]:
    return {key: catalog_document(c, generated_at=WHEN) for key, c in catalogs.items()}


def _walk(container: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key in ("groups", "controls"):
        for obj in container.get(key, ()):
            out.append(obj)
            out.extend(_walk(obj))
    return out


def _by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {obj["id"]: obj for obj in _walk(doc["catalog"])}


def _own(obj: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in obj.get("props", ()):
        if p.get("ns") == NS:
            out.setdefault(p["name"], []).append(p["value"])
    return out


# --- every loaded framework ---------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["csf-2.0", "csf-1.1", "sp800-53r5", "cis-v8.0", "cis-v8.1", "iso27001-2022"]
)
def test_every_bundled_framework_is_a_valid_oscal_catalog(
    documents: dict[str, dict[str, Any]], key: str
) -> None:
    assert schema_errors(documents[key]) == []


@pytest.mark.parametrize(
    "key", ["csf-2.0", "csf-1.1", "sp800-53r5", "cis-v8.0", "cis-v8.1", "iso27001-2022"]
)
def test_export_import_export_is_lossless(catalogs: dict[str, Catalog], key: str) -> None:
    original = catalogs[key]
    exported = catalog_json(original, generated_at=WHEN)
    back = read_oscal_catalog(exported, name=f"{key}.oscal.json")
    assert back.warnings == []
    (again,) = back.catalogs
    assert again == original  # every field of the info and of every element
    assert again.content_digest() == original.content_digest()
    # The provenance of the NIST file survives the exchange, as the content did.
    assert again.info.source_sha256 == original.info.source_sha256
    assert catalog_json(again, generated_at=WHEN) == exported


def test_the_import_dispatcher_reads_an_export_like_any_framework_file(
    catalogs: dict[str, Catalog],
) -> None:
    exported = catalog_json(catalogs["csf-2.0"], generated_at=WHEN)
    (again,) = read_framework_file(exported, name="csf.json").catalogs
    assert again == catalogs["csf-2.0"]


def test_the_document_is_deterministic_but_for_the_export_time(
    catalogs: dict[str, Catalog],
) -> None:
    one = catalog_document(catalogs["cis-v8.1"], generated_at=WHEN)
    two = catalog_document(catalogs["cis-v8.1"], generated_at=datetime(2027, 1, 1, tzinfo=UTC))
    assert one["catalog"]["metadata"].pop("last-modified") == "2026-03-01T12:30:05Z"
    assert two["catalog"]["metadata"].pop("last-modified") == "2027-01-01T00:00:00Z"
    assert one == two


# --- CSF 2.0, shaped the way NIST's OSCAL edition of CSF 2.0 is -------------------------


def test_csf_functions_are_groups_categories_and_subcategories_controls(
    documents: dict[str, dict[str, Any]],
) -> None:
    doc = documents["csf-2.0"]["catalog"]
    assert [(g["id"], g["class"], g["title"]) for g in doc["groups"]] == [
        ("GV", "function", "GOVERN"),
        ("ID", "function", "IDENTIFY"),
        ("PR", "function", "PROTECT"),
        ("DE", "function", "DETECT"),
        ("RS", "function", "RESPOND"),
        ("RC", "function", "RECOVER"),
    ]
    assert "controls" not in doc
    classes = Counter(obj.get("class") for obj in _walk(doc))
    assert classes == {"function": 6, "category": 22, "subcategory": 106}
    gv = doc["groups"][0]
    assert gv["parts"] == [
        {
            "id": "GV_smt",
            "name": "overview",
            "prose": "The organization's cybersecurity risk management strategy, expectations, "
            "and policy are established, communicated, and monitored",
        }
    ]
    assert gv["controls"][0]["id"] == "GV.OC"


def test_a_subcategory_as_nist_writes_it(documents: dict[str, dict[str, Any]]) -> None:
    gv_oc_01 = _by_id(documents["csf-2.0"])["GV.OC-01"]
    assert gv_oc_01["title"] == "GV.OC-01"  # a Subcategory has no title of its own
    assert gv_oc_01["props"] == [
        {"name": "label", "value": "GV.OC-01"},
        {"name": "untitled", "ns": NS, "value": "true"},
        {"name": "props", "ns": NS, "value": '{"parties":["first"]}'},
    ]
    assert gv_oc_01["parts"] == [
        {
            "id": "GV.OC-01_smt",
            "name": "statement",
            "prose": "The organizational mission is understood and informs cybersecurity risk "
            "management",
        },
        {
            "id": "GV.OC-01.001",
            "name": "guidance",
            "class": "example",
            "title": "Ex1",
            "prose": "Share the organization's mission (e.g., through vision and mission "
            "statements, marketing, and service strategies) to provide a basis for identifying "
            "risks that may impede that mission",
        },
    ]
    examples = [
        p for obj in _walk(documents["csf-2.0"]["catalog"]) for p in obj.get("parts", ())
        if p.get("class") == "example"
    ]  # fmt: skip
    assert len(examples) == 363


def test_framework_identity_is_in_the_metadata(documents: dict[str, dict[str, Any]]) -> None:
    meta = documents["csf-2.0"]["catalog"]["metadata"]
    assert meta["title"] == "NIST Cybersecurity Framework"
    assert meta["version"] == "2.0"
    assert meta["oscal-version"] == "1.2.1"
    assert meta["parties"][0]["name"] == "National Institute of Standards and Technology (NIST)"
    assert meta["responsible-parties"] == [
        {"role-id": "publisher", "party-uuids": [meta["parties"][0]["uuid"]]}
    ]
    own = _own(meta)
    assert own["framework-key"] == ["csf-2.0"]
    assert own["level"] == ["function", "category", "subcategory"]
    assert own["outcome-level"] == ["subcategory"]
    assert own["source-file"] == ["csf-2.0-reference-tool-elements.json"]
    assert own["source-sha256"] == [
        "d5c6fecdc5372dc51698cb0f12a6124d781bf5242cfe74f9ab8068b2080044d9"
    ]
    terms = documents["csf-2.0"]["catalog"]["back-matter"]["resources"][-1]
    assert terms["title"] == "Terms of use"
    assert terms["description"].startswith("A work of the U.S. Government (NIST)")


# --- SP 800-53 keeps NIST's OSCAL ids, links and back matter -----------------------------


def test_sp800_53_keeps_nists_ids_labels_and_sort_ids(documents: dict[str, dict[str, Any]]) -> None:
    doc = documents["sp800-53r5"]
    assert _own(doc["catalog"]["metadata"])["ids"] == ["oscal"]
    controls = _by_id(doc)
    assert len(controls) == 1209
    ac_2_1 = controls["ac-2.1"]
    assert ac_2_1["class"] == "enhancement"
    assert ac_2_1["title"] == "Automated System Account Management"
    assert ac_2_1["props"][:2] == [
        {"name": "label", "value": "AC-2(1)"},
        {"name": "sort-id", "value": "ac-02.01"},
    ]
    assert [g["id"] for g in doc["catalog"]["groups"]][:3] == ["ac", "at", "au"]


def test_sp800_53_withdrawals_related_controls_and_references(
    documents: dict[str, dict[str, Any]],
) -> None:
    controls = _by_id(documents["sp800-53r5"])
    withdrawn = controls["ac-2.10"]
    assert {"name": "status", "value": "withdrawn"} in withdrawn["props"]
    assert withdrawn["links"] == [{"href": "#ac-2", "rel": "incorporated-into", "text": "AC-2"}]
    assert withdrawn["parts"] == [
        {"name": "withdrawal-note", "ns": NS, "prose": "Incorporated into AC-2k."}
    ]
    statuses = Counter(
        p["value"] for obj in controls.values() for p in obj["props"] if p["name"] == "status"
    )
    assert statuses == {"withdrawn": 182}
    ac_1 = controls["ac-1"]
    related = [link["href"] for link in ac_1["links"] if link["rel"] == "related"]
    assert related == ["#ia-1", "#pm-9", "#pm-24", "#ps-8", "#si-12"]
    resources = {
        r["uuid"]: r["title"]
        for r in documents["sp800-53r5"]["catalog"]["back-matter"]["resources"]
    }
    cited = [resources[link["href"][1:]] for link in ac_1["links"] if link["rel"] == "reference"]
    assert cited == ["OMB A-130", "SP 800-12", "SP 800-30", "SP 800-39", "SP 800-100", "IR 7874"]
    guidance = [p for p in ac_1["parts"] if p["name"] == "guidance"]
    assert guidance[0]["id"] == "ac-1_gdn"
    assert guidance[0]["prose"].startswith("Access control policy and procedures address")


def test_ids_that_are_not_oscal_tokens_are_derived_and_the_code_kept(
    documents: dict[str, dict[str, Any]],
) -> None:
    controls = _by_id(documents["iso27001-2022"])
    provision = controls["_4.2_a_"]
    assert provision["props"][0] == {"name": "label", "value": "4.2(a)"}
    assert controls["A.8.32"]["props"][0] == {"name": "label", "value": "A.8.32"}
    cis = documents["cis-v8.1"]["catalog"]
    assert [g["id"] for g in cis["groups"]][:3] == ["_1", "_2", "_3"]
    assert cis["groups"][0]["controls"][0]["id"] == "_1.1"


# --- what the exact reader guards ----------------------------------------------------------


def test_an_export_edited_elsewhere_is_read_with_this_file_as_its_source(
    catalogs: dict[str, Catalog], documents: dict[str, dict[str, Any]]
) -> None:
    doc = copy.deepcopy(documents["cis-v8.1"])
    doc["catalog"]["groups"][0]["controls"][0]["title"] = "Inventory everything"
    raw = json.dumps(doc).encode()
    bundle = read_oscal_catalog(raw, name="edited.json")
    (cat,) = bundle.catalogs
    assert cat.get("1.1").title == "Inventory everything"
    assert cat.info.source_file == "edited.json"
    assert cat.info.source_sha256 != catalogs["cis-v8.1"].info.source_sha256
    assert bundle.warnings == [
        "edited.json: the framework changed after csfpilot exported it, so it is recorded "
        "as coming from this file rather than from its original source"
    ]


def test_key_and_version_options_apply_to_an_export(catalogs: dict[str, Catalog]) -> None:
    raw = catalog_json(catalogs["cis-v8.1"], generated_at=WHEN)
    bundle = read_oscal_catalog(raw, name="cis.json", key="cis-internal", version="8.1.2")
    (cat,) = bundle.catalogs
    assert (cat.info.key, cat.info.version, cat.info.source_file) == (
        "cis-internal",
        "8.1.2",
        "cis.json",
    )
    assert bundle.warnings == []  # asked for, so not a surprise
    assert [n.code for n in cat.nodes] == [n.code for n in catalogs["cis-v8.1"].nodes]


def test_an_export_from_a_newer_csfpilot_is_refused(documents: dict[str, dict[str, Any]]) -> None:
    doc = copy.deepcopy(documents["cis-v8.1"])
    for p in doc["catalog"]["metadata"]["props"]:
        if p["name"] == "export-format":
            p["value"] = "7"
    with pytest.raises(InputRefused) as info:
        read_oscal_catalog(json.dumps(doc).encode(), name="future.json")
    assert str(info.value) == (
        "future.json: field metadata.props: this file was written by a newer csfpilot "
        "(export format '7'; this one reads format '1'); upgrade csfpilot to import it"
    )


def test_an_export_that_breaks_the_schema_is_refused(documents: dict[str, dict[str, Any]]) -> None:
    doc = copy.deepcopy(documents["csf-2.0"])
    del doc["catalog"]["groups"][1]["controls"][0]["title"]
    with pytest.raises(InputRefused) as info:
        read_oscal_catalog(json.dumps(doc).encode(), name="broken.json")
    err = info.value
    assert err.file == "broken.json"
    assert err.element == "ID.AM"
    assert "'title' is a required property" in err.message
    assert err.message.startswith("not a valid OSCAL catalog (NIST OSCAL 1.2.1 schema)")


def test_a_level_the_metadata_does_not_declare_is_refused(
    documents: dict[str, dict[str, Any]],
) -> None:
    doc = copy.deepcopy(documents["csf-2.0"])
    doc["catalog"]["groups"][0]["controls"][0]["class"] = "domain"
    with pytest.raises(InputRefused) as info:
        read_oscal_catalog(json.dumps(doc).encode(), name="x.json")
    assert info.value.element == "GV.OC"
    assert info.value.message == (
        "level 'domain' is not one of the declared levels ['function', 'category', 'subcategory']"
    )


# --- NIST's own OSCAL edition of CSF 2.0, read without csfpilot's marks ---------------------


def test_nist_style_examples_are_read_as_examples_not_guidance() -> None:
    doc = {
        "catalog": {
            "uuid": "720a010b-253c-4a94-bb65-cb58400966f5",
            "metadata": {
                "title": "Electronic Version of NIST Cybersecurity Framework 2.0",
                "last-modified": "2025-05-14T12:08:20Z",
                "version": "1.2.0",
                "oscal-version": "1.1.3",
            },
            "groups": [
                {
                    "id": "GV",
                    "class": "function",
                    "title": "GOVERN",
                    "controls": [
                        {
                            "id": "GV.OC-01",
                            "class": "subcategory",
                            "title": "GV.OC-01",
                            "props": [{"name": "label", "value": "GV.OC-01"}],
                            "parts": [
                                {
                                    "id": "GV.OC-01_statement",
                                    "name": "statement",
                                    "prose": "The organizational mission is understood",
                                },
                                {
                                    "id": "GV.OC-01.001",
                                    "name": "guidance",
                                    "class": "example",
                                    "prose": "Share the organization's mission",
                                },
                                {"name": "guidance", "prose": "Some discussion."},
                            ],
                        }
                    ],
                }
            ],
        }
    }
    (cat,) = read_oscal_catalog(json.dumps(doc).encode(), name="csf.xml.json").catalogs
    node = cat.get("GV.OC-01")
    assert [(e.code, e.title, e.text) for e in node.examples] == [
        ("GV.OC-01.001", "Ex1", "Share the organization's mission")
    ]
    assert node.props["guidance"] == "Some discussion."
    assert node.text == "The organizational mission is understood"


# --- the schema check itself is strict enough to trust ------------------------------------


def test_the_test_validator_catches_what_pythons_re_would_let_through(
    documents: dict[str, dict[str, Any]],
) -> None:
    doc = copy.deepcopy(documents["cis-v8.1"])
    doc["catalog"]["metadata"]["title"] = "Trailing line break\n"  # markup-line: one line
    doc["catalog"]["metadata"]["links"] = [{"href": "#not a uri", "rel": "alternate"}]
    doc["catalog"]["metadata"]["last-modified"] = "2026-02-30T10:00:00Z"
    errors = schema_errors(doc)
    assert any(e.startswith("catalog/metadata/title:") for e in errors)
    assert any(e.startswith("catalog/metadata/links/0/href:") for e in errors)
    assert any(e.startswith("catalog/metadata/last-modified:") for e in errors)


def test_withdrawal_relations_are_written_as_oscal_link_relations(
    catalogs: dict[str, Catalog],
) -> None:
    moved = catalogs["sp800-53r5"].get("AT-3(4)")
    assert [(w.relation, w.target) for w in moved.withdrawn_to] == [
        (Relationship.MOVED_TO, "AT-2(4)")
    ]
    doc = catalog_document(catalogs["sp800-53r5"], generated_at=WHEN)
    assert _by_id(doc)["at-3.4"]["links"] == [
        {"href": "#at-2.4", "rel": "moved-to", "text": "AT-2(4)"}
    ]
