"""Storing what the importers read: counts, idempotence, refusals, atomicity, late links.

The session fixture (tests/conftest.py) has loaded every bundled NIST file
into the test database; each test runs in a transaction that is rolled back.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from csfpilot.core.catalog import (
    Baseline,
    Catalog,
    DatasetInfo,
    ImportBundle,
    Mapping,
    MappingSet,
    Node,
)
from csfpilot.core.errors import InputRefused
from csfpilot.formats.bundled import read_bundled
from csfpilot.formats.nist.cprt import read_cprt
from csfpilot.formats.nist.reftool import read_reference_tool
from csfpilot.formats.oscal import read_oscal_catalog
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog.services import ensure_bundled_catalogs, load_bundle

pytestmark = pytest.mark.django_db

CPRT = "nist-csf-2.0/cprt_CSF_2_0_0_04-24-2024.json"

# framework key: (nodes, nodes per level, withdrawn)
FRAMEWORKS = {
    "csf-2.0": (134, {"function": 6, "category": 22, "subcategory": 106}, 0),
    "csf-1.1": (136, {"function": 5, "category": 23, "subcategory": 108}, 0),
    "sp800-53r5": (1209, {"family": 20, "control": 322, "enhancement": 867}, 182),
    "cis-v8.0": (64, {"control": 16, "safeguard": 48}, 0),
    "cis-v8.1": (65, {"control": 16, "safeguard": 49}, 0),
    "iso27001-2022": (105, {"clause": 8, "subclause": 22, "provision": 75}, 0),
}

# dataset key: (source framework, target framework, rows, rows whose target no catalog has)
DATASETS = {
    "olir-sp800-53r5-5.1.1": ("csf-2.0", "sp800-53r5", 740, 2),
    "olir-sp800-53r5-5.2.0": ("csf-2.0", "sp800-53r5", 746, 8),
    "olir-cis-v8.0": ("csf-2.0", "cis-v8.0", 60, 0),
    "olir-cis-v8.1": ("csf-2.0", "cis-v8.1", 62, 0),
    "olir-iso27001-2022": ("csf-2.0", "iso27001-2022", 414, 2),
    "olir-csf-1.1-csf-2.0": ("csf-2.0", "csf-1.1", 185, 0),
    "csf-2.0-sp800-53-families": ("csf-2.0", "sp800-53r5", 378, 0),
    "csf-1.1-to-csf-2.0-withdrawals": ("csf-1.1", "csf-2.0", 139, 3),
    "csf-1.1-sp800-53r5": ("csf-1.1", "sp800-53r5", 552, 0),
}

BASELINES = {"LOW": 149, "MODERATE": 287, "HIGH": 370, "PRIVACY": 96}


@pytest.fixture(scope="module")
def bundled() -> ImportBundle:
    return read_bundled()


def snapshot() -> dict[str, list[int]]:
    """Every stored catalog row's id, per table: equal snapshots mean nothing changed."""
    tables = (m.Framework, m.Node, m.Example, m.Withdrawal, m.MappingDataset, m.Mapping)
    out = {t.__name__: sorted(t.objects.values_list("id", flat=True)) for t in tables}
    out["BaselineMembership"] = sorted(m.BaselineMembership.objects.values_list("id", flat=True))
    return out


# --- What the bundle stores -------------------------------------------------------------


def test_frameworks_as_stored() -> None:
    stored = {fw.key: fw for fw in m.Framework.objects.all()}
    assert set(stored) == set(FRAMEWORKS)
    for key, (count, levels, withdrawn) in FRAMEWORKS.items():
        fw = stored[key]
        assert fw.bundled
        assert fw.node_count == count == fw.nodes.count(), key
        per_level = {lv: fw.nodes.filter(level=lv).count() for lv in fw.levels}
        assert per_level == levels, key
        assert fw.nodes.filter(withdrawn=True).count() == withdrawn, key
    sp = stored["sp800-53r5"]
    assert (sp.name, sp.version, sp.family) == (
        "NIST SP 800-53 Rev. 5 Security and Privacy Controls",
        "5.0.1",
        "sp800-53",
    )
    assert sp.source_sha256 == "95e025bfdc248269efb10ee2621b7a211116a2ef3a82f39676f7c5eb9c8acb64"
    assert m.Example.objects.filter(node__framework__key="csf-2.0").count() == 363


def test_tree_and_withdrawals_are_linked() -> None:
    enhancement = m.Node.objects.select_related("parent__parent").get(
        framework__key="sp800-53r5", code="AC-2(1)"
    )
    assert (enhancement.depth, enhancement.parent.code, enhancement.parent.parent.code) == (
        2,
        "AC-2",
        "AC",
    )
    withdrawals = m.Withdrawal.objects.filter(node__framework__key="sp800-53r5")
    assert withdrawals.count() == 200
    assert not withdrawals.filter(target__isnull=True).exists()
    moved = withdrawals.select_related("target").get(node__code="AT-3(4)")
    assert (moved.relation, moved.target_code, moved.target.code) == (
        "moved_to",
        "AT-2(4)",
        "AT-2(4)",
    )
    ac2 = m.Node.objects.get(framework__key="sp800-53r5", code="AC-2")
    assert ac2.props["oscal_id"] == "ac-2"
    assert "account management" in ac2.search_text


def test_datasets_as_stored() -> None:
    stored = {ds.key: ds for ds in m.MappingDataset.objects.all()}
    assert set(stored) == set(DATASETS)
    for key, (source, target, rows, unlinked) in DATASETS.items():
        ds = stored[key]
        assert (ds.source_framework_key, ds.target_framework_key) == (source, target), key
        assert ds.row_count == rows == ds.rows.count(), key
        assert ds.rows.filter(source__isnull=True).count() == 0, key
        assert ds.rows.filter(target__isnull=True).count() == unlinked, key


def test_crosswalk_rows_naming_ids_the_catalog_lacks_are_kept() -> None:
    rows = m.Mapping.objects.filter(dataset__key="olir-sp800-53r5-5.2.0", target__isnull=True)
    assert sorted(set(rows.values_list("target_code", flat=True))) == [
        "IA-13",
        "SA-15(13)",
        "SA-24",
        "SI-2(7)",
    ]
    ia13 = rows.filter(target_code="IA-13").order_by("source_code")
    assert list(ia13.values_list("source_code", flat=True)) == ["PR.AA-04", "PR.AA-05"]
    assert all(r.source is not None for r in ia13)
    assert not m.Node.objects.filter(framework__key="sp800-53r5", code="IA-13").exists()
    # A control the 5.0.1 catalog has is linked in the same dataset.
    linked = m.Mapping.objects.get(
        dataset__key="olir-sp800-53r5-5.2.0", source_code="GV.OC-01", target_code="PM-11"
    )
    assert linked.target.framework.key == "sp800-53r5"


def test_baseline_memberships() -> None:
    rows = m.BaselineMembership.objects.filter(framework__key="sp800-53r5")
    counts = {name: rows.filter(name=name).count() for name in BASELINES}
    assert counts == BASELINES
    assert not rows.filter(node__isnull=True).exists()
    assert not rows.filter(node__withdrawn=True).exists()
    assert set(rows.values_list("node__framework__key", flat=True)) == {"sp800-53r5"}
    assert rows.filter(name="LOW", code="AC-2").exists()
    assert not rows.filter(name="LOW", code="AC-2(1)").exists()
    assert rows.filter(name="MODERATE", code="AC-2(1)").exists()


# --- Loading again --------------------------------------------------------------------------


def test_loading_the_bundle_again_changes_nothing(bundled: ImportBundle) -> None:
    before = snapshot()
    report = load_bundle(bundled, bundled=True)
    assert report.created == []
    assert not report.changed
    assert set(report.unchanged) == (
        set(FRAMEWORKS) | set(DATASETS) | {f"baseline sp800-53r5/{n}" for n in BASELINES}
    )
    assert snapshot() == before


def test_ensure_bundled_is_a_no_op_when_every_file_is_loaded() -> None:
    before = snapshot()
    assert ensure_bundled_catalogs().unchanged == ["bundled"]
    assert snapshot() == before


def test_ensure_bundled_loads_a_file_that_is_new_since_the_last_start() -> None:
    # As after an upgrade from a release that did not ship SP 800-53.
    m.Framework.objects.filter(key="sp800-53r5").delete()
    assert not m.BaselineMembership.objects.exists()
    report = ensure_bundled_catalogs()
    assert "sp800-53r5" in report.created
    assert {f"baseline sp800-53r5/{n}" for n in BASELINES} <= set(report.created)
    assert "csf-2.0" in report.unchanged
    assert m.Node.objects.filter(framework__key="sp800-53r5").count() == 1209
    # Crosswalk rows that were left without a target are linked again.
    assert (
        m.Mapping.objects.filter(dataset__key="olir-sp800-53r5-5.1.1", target__isnull=True).count()
        == 2
    )


def _current_cprt(nist_data: Path) -> bytes:
    """The shipped CPRT export with the one correction NIST made since (GV.OC-04)."""
    doc = json.loads((nist_data / CPRT).read_bytes())
    (element,) = [
        e for e in doc["response"]["elements"]["elements"] if e["element_identifier"] == "GV.OC-04"
    ]
    element["text"] = element["text"].replace(
        "services that stakeholders", "services that external stakeholders"
    )
    return json.dumps(doc).encode()


def test_the_cprt_export_of_the_same_core_changes_no_csf_row(nist_data: Path) -> None:
    csf_rows = list(
        m.Node.objects.filter(framework__key="csf-2.0").values_list("id", "code", "text")
    )
    datasets = dict(m.MappingDataset.objects.values_list("key", "id"))
    report = load_bundle(read_cprt(_current_cprt(nist_data), name="cprt-current.json"))
    assert "csf-2.0" in report.unchanged
    assert {"csf-2.0-sp800-53-families", "csf-1.1-to-csf-2.0-withdrawals"} <= set(report.unchanged)
    # The CPRT export alone also lists SP 800-53 families for Categories.
    assert report.created == ["csf-2.0-categories-sp800-53-families"]
    assert csf_rows == list(
        m.Node.objects.filter(framework__key="csf-2.0").values_list("id", "code", "text")
    )
    after = dict(m.MappingDataset.objects.values_list("key", "id"))
    assert {k: after[k] for k in datasets} == datasets


def test_the_shipped_cprt_export_predates_a_correction_and_is_refused(nist_data: Path) -> None:
    before = snapshot()
    with pytest.raises(InputRefused) as caught:
        load_bundle(read_cprt(nist_data / CPRT))
    assert caught.value.file == "cprt_CSF_2_0_0_04-24-2024.json"
    assert caught.value.message.startswith("csf-2.0 is already loaded with different content")
    assert snapshot() == before


# --- Refusals and atomicity --------------------------------------------------------------


def _edited(catalog: Catalog, code: str, **changes: Any) -> Catalog:
    nodes = tuple(dataclasses.replace(n, **changes) if n.code == code else n for n in catalog.nodes)
    return Catalog(info=catalog.info, nodes=nodes)


def _catalog(bundle: ImportBundle, key: str) -> Catalog:
    (found,) = [c for c in bundle.catalogs if c.info.key == key]
    return found


def test_other_content_under_a_loaded_key_is_refused(bundled: ImportBundle) -> None:
    before = snapshot()
    edited = _edited(_catalog(bundled, "sp800-53r5"), "AC-2", title="Account Management (edited)")
    with pytest.raises(InputRefused) as caught:
        load_bundle(ImportBundle(catalogs=[edited]))
    assert caught.value.message.startswith("sp800-53r5 is already loaded with different content")
    assert caught.value.file == "NIST_SP-800-53_rev5_catalog.json"
    assert snapshot() == before
    assert (
        m.Node.objects.get(framework__key="sp800-53r5", code="AC-2").title == "Account Management"
    )


def test_a_newer_release_is_stored_beside_the_loaded_one() -> None:
    csf20 = list(
        m.Node.objects.filter(framework__key="csf-2.0").values_list(
            "id", "code", "title", "text", "parent_id", "depth", "order"
        )
    )
    csf20_mappings = sorted(
        m.Mapping.objects.filter(dataset__source_framework_key="csf-2.0").values_list(
            "id", "source_id", "target_id"
        )
    )
    framework = m.Framework.objects.get(key="csf-2.0")
    report = load_bundle(read_reference_tool(version="2.1"))
    assert "csf-2.1" in report.created
    assert {"cis-v8.0", "cis-v8.1", "iso27001-2022"} <= set(report.unchanged)
    newer = m.Framework.objects.get(key="csf-2.1")
    assert (newer.version, newer.node_count) == ("2.1", 134)
    assert newer.content_digest != framework.content_digest
    assert m.Node.objects.filter(framework=newer).count() == 134
    assert not m.Node.objects.filter(framework=newer).filter(parent__framework=framework).exists()
    assert (
        m.MappingDataset.objects.get(key="olir-sp800-53r5-5.2.0-csf-2.1")
        .rows.filter(source__framework=newer)
        .count()
        == 746
    )
    # Nothing of 2.0 moved.
    again = list(
        m.Node.objects.filter(framework__key="csf-2.0").values_list(
            "id", "code", "title", "text", "parent_id", "depth", "order"
        )
    )
    assert again == csf20
    assert (
        sorted(
            m.Mapping.objects.filter(dataset__source_framework_key="csf-2.0").values_list(
                "id", "source_id", "target_id"
            )
        )
        == csf20_mappings
    )
    assert m.Framework.objects.get(key="csf-2.0").content_digest == framework.content_digest


def test_a_bundle_that_fails_halfway_stores_nothing(bundled: ImportBundle) -> None:
    before = snapshot()
    newer = read_reference_tool(version="2.1")
    good = _catalog(newer, "csf-2.1")
    bad = _edited(_catalog(bundled, "csf-2.0"), "GV.OC-01", text="Something else.")
    with pytest.raises(InputRefused):
        load_bundle(ImportBundle(catalogs=[good, bad], mapping_sets=newer.mapping_sets))
    assert snapshot() == before
    assert not m.Framework.objects.filter(key="csf-2.1").exists()

    # Failing on a mapping set, after a new catalog was written in the same transaction.
    (olir,) = [ms for ms in bundled.mapping_sets if ms.info.key == "olir-cis-v8.1"]
    changed_rows = MappingSet(info=olir.info, mappings=olir.mappings[:-1])
    with pytest.raises(InputRefused) as caught:
        load_bundle(ImportBundle(catalogs=[good], mapping_sets=[changed_rows]))
    assert "olir-cis-v8.1 is already loaded with different rows" in caught.value.message
    assert snapshot() == before

    # Failing on the last step: a baseline of a framework nobody loaded.
    orphan = Baseline(framework="nist-800-999", name="LOW", codes=("AC-1",), source_file="x.json")
    with pytest.raises(InputRefused) as caught:
        load_bundle(ImportBundle(catalogs=[good], baselines=[orphan]))
    assert "which is not loaded" in caught.value.message
    assert snapshot() == before


def test_the_same_rows_between_other_frameworks_are_not_unchanged(bundled: ImportBundle) -> None:
    (olir,) = [ms for ms in bundled.mapping_sets if ms.info.key == "olir-cis-v8.1"]
    elsewhere = MappingSet(
        info=dataclasses.replace(olir.info, target_framework="cis-v8.0"), mappings=olir.mappings
    )
    before = snapshot()
    with pytest.raises(InputRefused):
        load_bundle(ImportBundle(mapping_sets=[elsewhere]))
    assert snapshot() == before


def test_a_baseline_with_other_controls_under_a_loaded_name_is_refused(
    bundled: ImportBundle,
) -> None:
    (low,) = [b for b in bundled.baselines if b.name == "LOW"]
    before = snapshot()
    with pytest.raises(InputRefused) as caught:
        load_bundle(ImportBundle(baselines=[dataclasses.replace(low, codes=low.codes[:-1])]))
    assert (
        caught.value.message == "baseline LOW of sp800-53r5 is already loaded with other controls"
    )
    assert snapshot() == before


def test_a_parent_loop_is_refused_before_anything_is_stored() -> None:
    from csfpilot.core.catalog import FrameworkInfo

    info = FrameworkInfo(
        key="loop-1.0",
        name="Loop",
        version="1.0",
        publisher="x",
        levels=("item",),
        source_file="loop.json",
    )
    nodes = (
        Node(code="A", level="item", parent="B", title="A", text="", order=0),
        Node(code="B", level="item", parent="A", title="B", text="", order=1),
    )
    before = snapshot()
    with pytest.raises(InputRefused) as caught:
        load_bundle(ImportBundle(catalogs=[Catalog(info=info, nodes=nodes)]))
    assert caught.value.element in ("A", "B") and "loops" in caught.value.message
    assert snapshot() == before


def test_children_listed_before_their_parents_get_the_right_depth() -> None:
    from csfpilot.core.catalog import FrameworkInfo

    info = FrameworkInfo(
        key="order-1.0", name="Order", version="1.0", publisher="x", levels=("a", "b", "c")
    )
    nodes = (
        Node(code="C", level="c", parent="B", title="C", text="", order=0),
        Node(code="B", level="b", parent="A", title="B", text="", order=1),
        Node(code="A", level="a", parent=None, title="A", text="", order=2),
    )
    load_bundle(ImportBundle(catalogs=[Catalog(info=info, nodes=nodes)]))
    stored = dict(m.Node.objects.filter(framework__key="order-1.0").values_list("code", "depth"))
    assert stored == {"A": 0, "B": 1, "C": 2}


# --- Links made late ------------------------------------------------------------------------


def _acme_catalog() -> bytes:
    def control(cid: str, label: str) -> dict[str, Any]:
        return {
            "id": cid,
            "title": f"Control {label}",
            "props": [{"name": "label", "value": label}],
        }

    return json.dumps(
        {
            "catalog": {
                "uuid": "9f3c2b7e-1d2a-4c3b-8a4d-5e6f7a8b9c0d",
                "metadata": {
                    "title": "ACME Controls",
                    "last-modified": "2024-02-13T17:43:49Z",
                    "version": "1.0",
                    "oscal-version": "1.1.2",
                },
                "groups": [
                    {
                        "id": "a",
                        "title": "Area A",
                        "props": [{"name": "label", "value": "A"}],
                        "controls": [control("a-1", "A-1"), control("a-2", "A-2")],
                    }
                ],
            }
        }
    ).encode()


def test_a_mapping_stored_before_its_framework_is_linked_when_it_arrives() -> None:
    def dataset(key: str, source: str, target: str, rows: list[tuple[str, str]]) -> MappingSet:
        info = DatasetInfo(
            key=key,
            name=key,
            publisher="ACME",
            version="1",
            source_framework=source,
            target_framework=target,
        )
        return MappingSet(info=info, mappings=tuple(Mapping(source=s, target=t) for s, t in rows))

    to_800_53 = dataset(
        "acme-to-sp800-53", "acme-1.0", "sp800-53r5", [("A-1", "AC-2"), ("A-2", "IA-13")]
    )
    from_csf = dataset(
        "csf-to-acme", "csf-2.0", "acme-1.0", [("GV.OC-01", "A-1"), ("GV.OC-02", "A-9")]
    )
    report = load_bundle(ImportBundle(mapping_sets=[to_800_53, from_csf]))
    assert report.created == ["acme-to-sp800-53", "csf-to-acme"]
    out = m.Mapping.objects.filter(dataset__key="acme-to-sp800-53").order_by("source_code")
    assert [(r.source_id, r.target.code if r.target else None) for r in out] == [
        (None, "AC-2"),
        (None, None),
    ]
    into = m.Mapping.objects.filter(dataset__key="csf-to-acme").order_by("source_code")
    assert [(r.source.code, r.target_id) for r in into] == [("GV.OC-01", None), ("GV.OC-02", None)]

    report = load_bundle(read_oscal_catalog(_acme_catalog(), key="acme-1.0"))
    assert report.created == ["acme-1.0"]
    acme = dict(m.Node.objects.filter(framework__key="acme-1.0").values_list("code", "id"))
    assert set(acme) == {"A", "A-1", "A-2"}
    assert [(r.source_id, r.target_code) for r in out.all()] == [
        (acme["A-1"], "AC-2"),
        (acme["A-2"], "IA-13"),
    ]
    assert [(r.source_code, r.target_id) for r in into.all()] == [
        ("GV.OC-01", acme["A-1"]),
        ("GV.OC-02", None),  # A-9 is not in the catalog either: kept as written
    ]
