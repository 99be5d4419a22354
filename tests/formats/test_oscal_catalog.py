"""OSCAL catalogs: NIST SP 800-53 Rev. 5 as shipped, and catalogs of other shapes."""

from __future__ import annotations

import json
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from csfpilot.core.catalog import Catalog, Relationship
from csfpilot.core.errors import InputRefused
from csfpilot.formats.nist.terms import NIST, US_GOVERNMENT_WORK
from csfpilot.formats.oscal import document as oscal_document
from csfpilot.formats.oscal import read_oscal_catalog
from csfpilot.formats.oscal.catalog import generic_key

CATALOG = "nist-sp800-53r5/oscal-5.0.1-2021/NIST_SP-800-53_rev5_catalog.json"
CATALOG_SHA256 = "95e025bfdc248269efb10ee2621b7a211116a2ef3a82f39676f7c5eb9c8acb64"


@pytest.fixture(scope="module")
def sp800_53(nist_data: Path) -> Catalog:
    bundle = read_oscal_catalog(nist_data / CATALOG)
    assert bundle.warnings == []
    assert bundle.mapping_sets == [] and bundle.baselines == []
    (catalog,) = bundle.catalogs
    return catalog


# --- NIST SP 800-53 Rev. 5 ------------------------------------------------------------


def test_sp800_53_is_recognised_with_its_identity(sp800_53: Catalog) -> None:
    info = sp800_53.info
    assert info.key == "sp800-53r5"
    assert info.family == "sp800-53"
    assert info.name == "NIST SP 800-53 Rev. 5 Security and Privacy Controls"
    assert info.version == "5.0.1"
    assert info.publisher == NIST
    assert info.terms == US_GOVERNMENT_WORK
    assert info.levels == ("family", "control", "enhancement")
    assert info.source_file == "NIST_SP-800-53_rev5_catalog.json"
    assert info.source_sha256 == CATALOG_SHA256


def test_sp800_53_counts(sp800_53: Catalog) -> None:
    levels = Counter(n.level for n in sp800_53.nodes)
    assert levels == {"family": 20, "control": 322, "enhancement": 867}
    assert levels["control"] + levels["enhancement"] == 1189
    assert sum(n.withdrawn for n in sp800_53.nodes) == 182
    assert [n.code for n in sp800_53.at_level("family", include_withdrawn=True)] == [
        "AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP",
        "PE", "PL", "PM", "PS", "PT", "RA", "SA", "SC", "SI", "SR",
    ]  # fmt: skip


def test_codes_are_canonical_and_in_document_order(sp800_53: Catalog) -> None:
    assert [n.code for n in sp800_53.nodes[:5]] == ["AC", "AC-1", "AC-2", "AC-2(1)", "AC-2(2)"]
    assert sp800_53.nodes[-1].code == "SR-12"
    assert [n.order for n in sp800_53.nodes] == list(range(len(sp800_53.nodes)))
    enhancement = sp800_53.get("AC-2(1)")
    assert enhancement.level == "enhancement" and enhancement.parent == "AC-2"
    assert sp800_53.get("AC-2").parent == "AC"
    assert sp800_53.get("AC").parent is None
    for node in sp800_53.at_level("enhancement", include_withdrawn=True):
        assert node.code.startswith(node.parent + "(")


def test_statement_is_printed_the_way_nist_prints_it(sp800_53: Catalog) -> None:
    ac2 = sp800_53.get("AC-2")
    assert ac2.title == "Account Management"
    lines = ac2.text.splitlines()
    assert lines[:5] == [
        "a. Define and document the types of accounts allowed and specifically prohibited "
        "for use within the system;",
        "b. Assign account managers;",
        "c. Require [Assignment: organization-defined prerequisites and criteria] for group "
        "and role membership;",
        "d. Specify:",
        "1. Authorized users of the system;",
    ]
    assert lines[-1] == (
        "l. Align account management processes with personnel termination and transfer processes."
    )
    assert len(lines) == 21


def test_selection_parameters_and_nested_assignments(sp800_53: Catalog) -> None:
    assert sp800_53.get("AC-4(4)").text == (
        "Prevent encrypted information from bypassing [Assignment: organization-defined "
        "information flow control mechanisms] by [Selection (one or more): decrypting the "
        "information; blocking the flow of the encrypted information; terminating "
        "communications sessions attempting to pass encrypted information; [Assignment: "
        "organization-defined procedure or method]]."
    )
    assert sp800_53.get("AC-1").text.splitlines()[1] == (
        "1. [Selection (one or more): Organization-level; Mission/business process-level; "
        "System-level] access control policy that:"
    )
    # NIST's own qualifier inside a label stays as NIST wrote it.
    assert sp800_53.get("SA-4(3)").text.splitlines()[2] == (
        "(b) [Assignment: organization-defined [Selection (one or more): systems security; "
        "privacy] engineering methods]; and"
    )


def test_no_markup_is_left_in_any_text(sp800_53: Catalog) -> None:
    for node in sp800_53.nodes:
        for text in (node.title, node.text, node.props.get("guidance", "")):
            assert "{{" not in text, node.code
            assert "](#" not in text, node.code
            assert "**" not in text, node.code
    # A cross-reference keeps the words NIST printed for it.
    assert sp800_53.get("AU-12").text.startswith(
        "a. Provide audit record generation capability for the event types the system is "
        "capable of auditing as defined in AU-2a on [Assignment: organization-defined system "
        "components];"
    )
    assert sp800_53.get("AC-11(1)").text == (
        "Conceal, via the device lock, information previously visible on the display with "
        "a publicly viewable image."
    )


def test_props_carry_oscal_id_sort_id_guidance_related_and_references(
    sp800_53: Catalog,
) -> None:
    props = sp800_53.get("AC-2").props
    assert props["oscal_id"] == "ac-2"
    assert props["sort_id"] == "ac-02"
    assert props["guidance"].startswith(
        "Examples of system account types include individual, shared, group, system, guest,"
    )
    assert len(props["guidance"]) == 2948
    assert props["related"][:4] == ["AC-3", "AC-5", "AC-6", "AC-17"]
    assert len(props["related"]) == 28
    assert props["references"] == ["SP 800-162", "SP 800-178", "SP 800-192"]
    assert sp800_53.get("AC-2(1)").props["oscal_id"] == "ac-2.1"
    assert "label" not in props  # the label is the canonical code
    assert sp800_53.get("AC").props == {"oscal_id": "ac"}


def test_family_overview_is_the_family_text(sp800_53: Catalog) -> None:
    pm = sp800_53.get("PM")
    assert pm.title == "Program Management"
    assert pm.text.startswith("Program Management Controls\nFISMA, PRIVACT, and OMB A-130 require")
    assert sp800_53.get("AC").text == ""


def test_withdrawn_controls_say_where_they_went(sp800_53: Catalog) -> None:
    into_part = sp800_53.get("AC-2(10)")
    assert into_part.withdrawn and into_part.text == ""
    assert into_part.withdrawal_note == "Incorporated into AC-2k."
    assert [(w.relation, w.target) for w in into_part.withdrawn_to] == [
        (Relationship.INCORPORATED_INTO, "AC-2")
    ]
    two = sp800_53.get("AC-3(6)")
    assert two.withdrawal_note == "Incorporated into MP-4, SC-28."
    assert [w.target for w in two.withdrawn_to] == ["MP-4", "SC-28"]
    moved = sp800_53.get("AT-3(4)")
    assert moved.withdrawal_note == "Moved to AT-2(4)."
    assert [(w.relation, w.target) for w in moved.withdrawn_to] == [
        (Relationship.MOVED_TO, "AT-2(4)")
    ]
    to_family = sp800_53.get("SA-12")
    assert [w.target for w in to_family.withdrawn_to] == ["SR"]
    tailoring = sp800_53.get("CP-10(3)")
    assert tailoring.withdrawn and tailoring.withdrawn_to == ()
    assert tailoring.withdrawal_note == "Addressed through tailoring."


def test_every_withdrawal_points_inside_the_catalog(sp800_53: Catalog) -> None:
    relations = Counter(w.relation for n in sp800_53.nodes for w in n.withdrawn_to)
    assert relations == {Relationship.INCORPORATED_INTO: 166, Relationship.MOVED_TO: 34}
    for node in sp800_53.nodes:
        assert bool(node.withdrawn_to) <= node.withdrawn
        for w in node.withdrawn_to:
            assert sp800_53.get(w.target) is not None, (node.code, w.target)
    unexplained = [n.code for n in sp800_53.nodes if n.withdrawn and not n.withdrawal_note]
    assert unexplained == []


def test_bytes_and_path_read_the_same(nist_data: Path, sp800_53: Catalog) -> None:
    raw = (nist_data / CATALOG).read_bytes()
    again = read_oscal_catalog(raw, name="upload.json").catalogs[0]
    assert again.content_digest() == sp800_53.content_digest()
    assert again.info.source_file == "upload.json"
    assert again.info.source_sha256 == CATALOG_SHA256


def test_another_release_gets_its_own_key(nist_data: Path) -> None:
    bundle = read_oscal_catalog(nist_data / CATALOG, version="5.1.1")
    info = bundle.catalogs[0].info
    assert (info.key, info.version) == ("sp800-53r5.1.1", "5.1.1")
    assert read_oscal_catalog(nist_data / CATALOG, key="sp800-53r5-x").catalogs[0].info.key == (
        "sp800-53r5-x"
    )


def test_nothing_is_fetched(nist_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the reader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    doc = _catalog(
        [
            _group(
                "g1",
                "Group",
                [_control("c-1", "One", prose="See [the site](https://example.org).")],
            )
        ],
        links=[{"href": "https://example.org/catalog.json", "rel": "alternate"}],
    )
    doc["catalog"]["back-matter"] = {
        "resources": [
            {
                "uuid": "11111111-2222-4333-8444-555555555555",
                "title": "Remote",
                "rlinks": [{"href": "https://example.org/remote.json"}],
            }
        ]
    }
    node = read_oscal_catalog(_bytes(doc)).catalogs[0].get("c-1")
    assert node.text == "See the site."
    read_oscal_catalog(nist_data / CATALOG)


# --- Other OSCAL catalogs -----------------------------------------------------------------


def _control(
    cid: str,
    title: str,
    *,
    label: str | None = None,
    prose: str = "",
    controls: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    c: dict[str, Any] = {"id": cid, "title": title, **extra}
    if label:
        c["props"] = [{"name": "label", "value": label}]
    if prose:
        c["parts"] = [{"id": f"{cid}_smt", "name": "statement", "prose": prose}]
    if controls:
        c["controls"] = controls
    return c


def _group(
    gid: str | None,
    title: str,
    controls: list[dict[str, Any]] | None = None,
    groups: list[dict[str, Any]] | None = None,
    label: str | None = None,
) -> dict[str, Any]:
    g: dict[str, Any] = {"title": title}
    if gid:
        g["id"] = gid
    if label:
        g["props"] = [{"name": "label", "value": label}]
    if controls:
        g["controls"] = controls
    if groups:
        g["groups"] = groups
    return g


def _catalog(
    groups: list[dict[str, Any]],
    *,
    title: str = "Example Control Catalog",
    version: str = "1.0",
    **meta: Any,
) -> dict[str, Any]:
    return {
        "catalog": {
            "uuid": "9f3c2b7e-1d2a-4c3b-8a4d-5e6f7a8b9c0d",
            "metadata": {
                "title": title,
                "last-modified": "2024-02-13T17:43:49Z",
                "version": version,
                "oscal-version": "1.1.2",
                **meta,
            },
            "groups": groups,
        }
    }


def _bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def test_generic_catalog_any_depth_coded_by_labels() -> None:
    doc = _catalog(
        [
            _group(
                "dom-1",
                "Domain One",
                label="D1",
                groups=[
                    _group(
                        "sub-1",
                        "Area",
                        label="D1.A",
                        controls=[
                            _control(
                                "c-1",
                                "First",
                                label="D1.A.1",
                                prose="Do the {{ insert: param, c-1_prm }} thing.",
                                params=[
                                    {"id": "c-1_prm", "select": {"choice": ["first", "right"]}}
                                ],
                                controls=[
                                    _control(
                                        "c-1.1",
                                        "Deeper",
                                        label="D1.A.1.a",
                                        controls=[
                                            _control("c-1.1.1", "Deepest", label="D1.A.1.a.i")
                                        ],
                                    )
                                ],
                            )
                        ],
                    )
                ],
            )
        ],
        title="ACME Cloud Controls",
        version="2024.1",
        parties=[
            {
                "uuid": "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5",
                "type": "organization",
                "name": "ACME Standards Board",
            }
        ],
        **{
            "responsible-parties": [
                {"role-id": "creator", "party-uuids": ["0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"]}
            ]
        },
    )
    bundle = read_oscal_catalog(_bytes(doc), name="acme.json")
    catalog = bundle.catalogs[0]
    info = catalog.info
    assert info.key == "acme-cloud-controls-2024.1"
    assert info.name == "ACME Cloud Controls"
    assert info.publisher == "ACME Standards Board"
    assert info.family == "acme-cloud-controls"
    assert info.levels == ("group", "subgroup", "control", "subcontrol", "control-3")
    assert [(n.code, n.level, n.parent) for n in catalog.nodes] == [
        ("D1", "group", None),
        ("D1.A", "subgroup", "D1"),
        ("D1.A.1", "control", "D1.A"),
        ("D1.A.1.a", "subcontrol", "D1.A.1"),
        ("D1.A.1.a.i", "control-3", "D1.A.1.a"),
    ]
    assert catalog.get("D1.A.1").text == "Do the [Selection: first; right] thing."
    assert catalog.get("D1.A.1").props["oscal_id"] == "c-1"
    assert bundle.warnings == []


def test_generic_catalog_with_shared_labels_falls_back_to_ids() -> None:
    doc = _catalog(
        [
            _group("g-a", "A", controls=[_control("a-1", "One", label="1")]),
            _group("g-b", "B", controls=[_control("b-1", "One", label="1")]),
        ]
    )
    bundle = read_oscal_catalog(_bytes(doc), key="example")
    assert [n.code for n in bundle.catalogs[0].nodes] == ["g-a", "a-1", "g-b", "b-1"]
    assert bundle.catalogs[0].get("a-1").props["label"] == "1"
    assert bundle.warnings == [
        "<upload>: some groups or controls share a label, so elements are coded by their "
        "OSCAL ids instead"
    ]


def test_group_without_id_still_parents_its_controls() -> None:
    doc = _catalog([_group(None, "Loose group", controls=[_control("x-1", "X")])])
    nodes = read_oscal_catalog(_bytes(doc)).catalogs[0].nodes
    assert [(n.code, n.parent) for n in nodes] == [("Loose group", None), ("x-1", "Loose group")]


def test_parameters_values_cycles_and_undefined_ids() -> None:
    params = [
        {"id": "p-val", "label": "frequency", "values": ["annually"]},
        {
            "id": "p-loop",
            "select": {
                "how-many": "one-or-more",
                "choice": ["this", "{{ insert: param, p-loop }}"],
            },
        },
    ]
    prose = (
        "Review {{ insert: param, p-val }}, choose {{ insert: param, p-loop }}, "
        "and ask {{ insert: param, p-missing }}."
    )
    doc = _catalog([_group("g", "G", controls=[_control("c-1", "C", prose=prose, params=params)])])
    bundle = read_oscal_catalog(_bytes(doc))
    assert bundle.catalogs[0].get("c-1").text == (
        "Review annually, choose [Selection (one or more): this; [Assignment: p-loop]], "
        "and ask [Assignment: p-missing]."
    )
    assert bundle.warnings == [
        "<upload>: statements insert 1 parameter(s) the catalog does not define, shown by "
        "id: p-missing"
    ]


def test_generic_key_fits_the_key_rules() -> None:
    key = generic_key("A " * 80 + "Very Long Title", "1.0.0+build 7")
    assert len(key) <= 64 and key.endswith("-1.0.0-build-7")
    assert generic_key("!!!", "") == "oscal-catalog-0"


def test_resolved_baseline_catalog_is_not_taken_for_the_full_catalog() -> None:
    doc = _catalog(
        [_group("ac", "Access Control", controls=[_control("ac-1", "Policy", label="AC-1")])],
        title="NIST Special Publication 800-53 Revision 5.1.1 LOW IMPACT BASELINE",
        version="5.1.1+u4",
        props=[{"name": "resolution-tool", "value": "OSCAL Profile Resolver XSLT Pipeline"}],
    )
    bundle = read_oscal_catalog(_bytes(doc), name="low-resolved.json")
    info = bundle.catalogs[0].info
    assert info.key == "nist-special-publication-800-53-revision-5.1.1-low-5.1.1-u4"
    assert info.key != "sp800-53r5"
    assert "resolved from a profile" in bundle.warnings[0]


# --- Refusals -------------------------------------------------------------------------


def _refusal(source: bytes, **kwargs: Any) -> InputRefused:
    with pytest.raises(InputRefused) as caught:
        read_oscal_catalog(source, name="bad.json", **kwargs)
    return caught.value


def _sp800_53_doc(groups: list[dict[str, Any]]) -> dict[str, Any]:
    return _catalog(groups, title="NIST Special Publication 800-53 Revision 5", version="5.0.1")


def test_refuses_what_is_not_json_or_not_a_catalog() -> None:
    err = _refusal(b'{"catalog": ')
    assert err.file == "bad.json" and err.line == 1 and "not valid JSON" in err.message
    err = _refusal(b'{"response": {"elements": []}}')
    assert "not an OSCAL document" in err.message
    profile = {"profile": {"uuid": "9f3c2b7e-1d2a-4c3b-8a4d-5e6f7a8b9c0d"}}
    err = _refusal(_bytes(profile))
    assert err.message == "this is an OSCAL profile, not an OSCAL catalog"


def test_schema_violations_name_the_element_and_field() -> None:
    doc = _catalog([_group("g", "G", controls=[_control("c-1", "C")])])
    del doc["catalog"]["groups"][0]["controls"][0]["title"]
    err = _refusal(_bytes(doc))
    assert err.element == "c-1"
    assert err.field == "catalog.groups[0].controls[0]"
    assert err.message.endswith("'title' is a required property")
    assert "NIST OSCAL 1.2.1 schema" in err.message

    doc = _catalog([_group("g", "G", controls=[_control("c 1", "C")])])
    err = _refusal(_bytes(doc))
    assert err.field == "catalog.groups[0].controls[0].id"
    assert "'c 1' is not an OSCAL token" in err.message

    doc = _catalog([_group("g", "G", controls=[_control("c-1", "C")])])
    doc["catalog"]["metadata"]["last-modified"] = "yesterday"
    err = _refusal(_bytes(doc))
    assert err.field == "catalog.metadata.last-modified"
    assert "'yesterday' is not a date and time with a time zone" in err.message


def test_sp800_53_ids_must_fit_their_place() -> None:
    doc = _sp800_53_doc([_group("ac", "Access Control", controls=[_control("ac-2.1", "X")])])
    err = _refusal(_bytes(doc))
    assert (err.element, err.field) == ("ac-2.1", "catalog.groups[0].controls[0].id")
    assert "not the id of a control (AC-2) under AC" in err.message

    doc = _sp800_53_doc([_group("ac", "AC", controls=[_control("au-2", "Misfiled")])])
    assert "under AC" in _refusal(_bytes(doc)).message

    deep = _control(
        "ac-2", "A", controls=[_control("ac-2.1", "B", controls=[_control("ac-2.1.1", "C")])]
    )
    err = _refusal(_bytes(_sp800_53_doc([_group("ac", "AC", controls=[deep])])))
    assert err.element == "ac-2.1.1" and "nest one level only" in err.message


def test_duplicate_ids_are_refused() -> None:
    doc = _catalog([_group("g", "G", controls=[_control("c-1", "A"), _control("c-1", "B")])])
    err = _refusal(_bytes(doc))
    assert err.element == "c-1" and "appears twice" in err.message


def test_bad_key_is_refused() -> None:
    doc = _catalog([_group("g", "G", controls=[_control("c-1", "A")])])
    err = _refusal(_bytes(doc), key="Not A Key")
    assert err.field == "key"


def test_size_and_depth_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _bytes(_catalog([_group("g", "G", controls=[_control("c-1", "A")])]))
    monkeypatch.setattr(oscal_document, "MAX_OSCAL_BYTES", len(doc) - 1)
    err = _refusal(doc)
    assert "limit" in err.message
    monkeypatch.undo()
    nested = b'{"catalog": ' + b"[" * 200 + b"]" * 200 + b"}"
    assert "nested too deeply" in _refusal(nested).message


def test_parameters_that_insert_each_other_over_and_over_are_refused() -> None:
    # Each parameter offers the previous one twice: filled in, the text doubles
    # at every step (2^40 copies at the end) unless the reader stops it.
    params = [{"id": "p0", "label": "a value of some length"}]
    params += [
        {"id": f"p{i}", "select": {"choice": [f"{{{{ insert: param, p{i - 1} }}}}"] * 2}}
        for i in range(1, 41)
    ]
    doc = _catalog(
        [
            _group(
                "g",
                "G",
                controls=[_control("c-1", "C", prose="{{ insert: param, p40 }}", params=params)],
            )
        ]
    )
    err = _refusal(_bytes(doc))
    assert (err.element, err.field) == ("c-1", "params")
    assert "grows past 20,000 characters" in err.message
