"""OSCAL profiles as baselines: NIST's SP 800-53 Rev. 5 baselines as shipped, and refusals."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats.oscal import read_oscal_baseline, read_oscal_catalog

PROFILES = "nist-sp800-53r5/oscal-5.1.1"
CATALOG = "nist-sp800-53r5/oscal-5.0.1-2021/NIST_SP-800-53_rev5_catalog.json"

EXPECTED = {
    # name: (controls, sha256 of NIST's file, first five codes)
    "LOW": (
        149,
        "79b7c450ab62ba012e5ad95f6255ece75fc165b2c421fefda276d82240542219",
        ("AC-1", "AC-2", "AC-3", "AC-7", "AC-8"),
    ),
    "MODERATE": (
        287,
        "d88e64e1e4b3a2d65de2367f4ec31828c04f1be93375fd597c41af1409578e03",
        ("AC-1", "AC-2", "AC-2(1)", "AC-2(2)", "AC-2(3)"),
    ),
    "HIGH": (
        370,
        "c98eb266f3c78c622c6573e032ab1b7619a30821840bb10f7f21fdee78281058",
        ("AC-1", "AC-2", "AC-2(1)", "AC-2(2)", "AC-2(3)"),
    ),
    "PRIVACY": (
        96,
        "ee4e7f0ff8f1141d3974f9072d287af919d081e1dfc6666ac0b579504aeddbcb",
        ("AC-1", "AC-3(14)", "AT-1", "AT-2", "AT-3"),
    ),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_nist_baselines(nist_data: Path, name: str) -> None:
    count, sha256, first = EXPECTED[name]
    file = f"NIST_SP-800-53_rev5_{name}-baseline_profile.json"
    bundle = read_oscal_baseline(nist_data / PROFILES / file)
    assert bundle.catalogs == [] and bundle.mapping_sets == [] and bundle.warnings == []
    (baseline,) = bundle.baselines
    assert baseline.name == name
    assert baseline.framework == "sp800-53r5"
    assert len(baseline.codes) == count == len(set(baseline.codes))
    assert baseline.codes[:5] == first
    assert baseline.source_file == file
    assert baseline.source_sha256 == sha256


def test_baselines_select_controls_the_shipped_catalog_has(nist_data: Path) -> None:
    catalog = read_oscal_catalog(nist_data / CATALOG).catalogs[0]
    selected: dict[str, set[str]] = {}
    for name in EXPECTED:
        file = nist_data / PROFILES / f"NIST_SP-800-53_rev5_{name}-baseline_profile.json"
        selected[name] = set(read_oscal_baseline(file).baselines[0].codes)
        for code in selected[name]:
            node = catalog.get(code)
            assert node is not None and not node.withdrawn, (name, code)
            assert node.level in ("control", "enhancement")
    # SP 800-53B: each impact level adds to the one below it.
    assert selected["LOW"] < selected["MODERATE"] < selected["HIGH"]
    assert len(selected["PRIVACY"] - selected["HIGH"]) == 53


def test_the_import_href_is_never_resolved(
    nist_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the reader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    doc = _profile(
        [{"href": "https://example.org/catalog.json", "include-controls": [{"with-ids": ["ac-1"]}]}]
    )
    assert read_oscal_baseline(_bytes(doc)).baselines[0].codes == ("AC-1",)


# --- Profiles of other shapes -----------------------------------------------------------


def _profile(
    imports: list[dict[str, Any]], *, title: str = "Example baseline", **extra: Any
) -> dict[str, Any]:
    return {
        "profile": {
            "uuid": "6a917bb8-b705-4b60-bcf9-6f10bdf24d3b",
            "metadata": {
                "title": title,
                "last-modified": "2024-02-04T23:16:00Z",
                "version": "1.0",
                "oscal-version": "1.1.2",
            },
            "imports": imports,
            **extra,
        }
    }


def _bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def test_exclusions_multiple_imports_and_duplicates() -> None:
    doc = _profile(
        [
            {
                "href": "#84cbf061-eb87-4ec1-8112-1f529232e907",
                "include-controls": [{"with-ids": ["ac-1", "ac-2", "ac-2.1", "ac-1"]}],
                "exclude-controls": [{"with-ids": ["ac-2"]}],
            },
            {"href": "#other", "include-controls": [{"with-ids": ["si-4", "ac-1"]}]},
        ],
        title="ACME tailored moderate",
    )
    (baseline,) = read_oscal_baseline(_bytes(doc)).baselines
    assert baseline.name == "ACME tailored moderate"
    assert baseline.codes == ("AC-1", "AC-2(1)", "SI-4")


def test_name_override_and_other_framework() -> None:
    doc = _profile([{"href": "#x", "include-controls": [{"with-ids": ["s1.1", "s2.3"]}]}])
    (baseline,) = read_oscal_baseline(
        _bytes(doc), framework="example-1.0", baseline="Tier 1"
    ).baselines
    assert (baseline.framework, baseline.name, baseline.codes) == (
        "example-1.0",
        "Tier 1",
        ("s1.1", "s2.3"),
    )


def test_tailoring_is_reported_as_not_kept() -> None:
    doc = _profile(
        [{"href": "#x", "include-controls": [{"with-ids": ["ac-1"]}]}],
        modify={"set-parameters": [{"param-id": "ac-1_prm_1", "values": ["the CISO"]}]},
    )
    bundle = read_oscal_baseline(_bytes(doc), name="tailored.json")
    assert bundle.warnings == [
        "tailored.json: the profile also tailors parameters or parts; csfpilot keeps only "
        "which controls it selects"
    ]


def _refusal(doc: dict[str, Any] | bytes, **kwargs: Any) -> InputRefused:
    raw = doc if isinstance(doc, bytes) else _bytes(doc)
    with pytest.raises(InputRefused) as caught:
        read_oscal_baseline(raw, name="bad.json", **kwargs)
    assert caught.value.file == "bad.json"
    return caught.value


def test_selections_that_need_the_catalog_are_refused() -> None:
    err = _refusal(_profile([{"href": "#x", "include-all": {}}]))
    assert err.field == "profile.imports[0].include-all"
    assert "includes every control" in err.message
    err = _refusal(
        _profile([{"href": "#x", "include-controls": [{"matching": [{"pattern": "ac-*"}]}]}])
    )
    assert err.field == "profile.imports[0].include-controls[0].matching"
    err = _refusal(
        _profile(
            [
                {
                    "href": "#x",
                    "include-controls": [{"with-child-controls": "yes", "with-ids": ["ac-2"]}],
                }
            ]
        )
    )
    assert err.field == "profile.imports[0].include-controls[0].with-child-controls"


def test_bad_ids_empty_selections_and_wrong_models_are_refused() -> None:
    err = _refusal(
        _profile([{"href": "#x", "include-controls": [{"with-ids": ["ac-1", "not-a-control"]}]}])
    )
    assert err.element == "not-a-control" and "not an SP 800-53 control id" in err.message
    err = _refusal(
        _profile(
            [
                {
                    "href": "#x",
                    "include-controls": [{"with-ids": ["ac-1"]}],
                    "exclude-controls": [{"with-ids": ["ac-1"]}],
                }
            ]
        )
    )
    assert err.message == "the profile selects no controls"
    catalog = {"catalog": {"uuid": "6a917bb8-b705-4b60-bcf9-6f10bdf24d3b"}}
    assert _refusal(catalog).message == "this is an OSCAL catalog, not an OSCAL profile"
    doc = _profile([{"href": "#x", "include-controls": [{"with-ids": ["ac-1", 5]}]}])
    err = _refusal(doc)
    assert err.field == "profile.imports[0].include-controls[0].with-ids[1]"
    assert "5 is not of type 'string'" in err.message
