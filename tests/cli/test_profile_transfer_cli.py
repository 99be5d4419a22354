"""``csfpilot profile transfer`` on files: a draft on another framework, explained and valid."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import yaml

from csfpilot.formats.native import schema_errors
from csfpilot.formats.native.reference import bundled_crosswalks
from tests.cli.test_profile_cli import csfpilot, ok

SOURCE = textwrap.dedent(
    """\
    format_version: 1
    framework: csf-2.0
    name: Clinic
    scale: status
    outcomes:
      GV.OC-01: {current: fully, target: fully}
      PR.AA-01: {current: partially, target: largely}
      PR.AA-05: {current: largely}
      DE.CM-01: {}
    """
)


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.yaml"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def _rows(key: str, source: str) -> set[str]:
    ms = next(m for m in bundled_crosswalks() if m.info.key == key)
    return {m.target for m in ms.mappings if m.source == source}


def test_transfer_to_sp800_53_writes_a_valid_draft_with_explained_partial_values(tmp_path):
    _write(tmp_path)
    printed = ok(
        "profile", "transfer", "clinic.yaml", "--to", "sp800-53r5", "-o", "draft.yaml", cwd=tmp_path
    )
    assert "csf-2.0 → sp800-53r5 (olir-sp800-53r5-5.2.0)" in printed
    assert "weakest link" in printed
    draft = tmp_path / "draft.yaml"
    assert "valid" in ok("profile", "validate", "draft.yaml", cwd=tmp_path)
    doc = yaml.safe_load(draft.read_text("utf-8"))
    assert schema_errors(doc) == []
    assert doc["framework"] == "sp800-53r5"
    # NIST's rows carry no set relationship: every value is partial, so a fully
    # implemented GV.OC-01 proposes "largely" for the controls only it reaches
    only_oc01 = (
        _rows("olir-sp800-53r5-5.2.0", "GV.OC-01")
        - _rows("olir-sp800-53r5-5.2.0", "PR.AA-01")
        - _rows("olir-sp800-53r5-5.2.0", "PR.AA-05")
    )
    assert only_oc01
    for control in only_oc01 & set(doc["outcomes"]):
        entry = doc["outcomes"][control]
        assert (entry["current"], entry["target"]) == ("largely", "largely")
        assert "GV.OC-01" in entry["notes"] and "olir-sp800-53r5-5.2.0" in entry["notes"]
    assert all(e.get("current") != "fully" for e in doc["outcomes"].values())


def test_json_preview_lists_sources_paths_and_the_weakest_link(tmp_path):
    _write(tmp_path)
    data = json.loads(
        ok("profile", "transfer", "clinic.yaml", "--to", "sp800-53r5", "--json", cwd=tmp_path)
    )
    assert data["rule"] == "weakest" and data["datasets"] == ["olir-sp800-53r5-5.2.0"]
    shared = _rows("olir-sp800-53r5-5.2.0", "PR.AA-01") & _rows("olir-sp800-53r5-5.2.0", "PR.AA-05")
    assert shared, "NIST maps both to AC-1 and AC-2"
    row = next(r for r in data["outcomes"] if r["id"] == sorted(shared)[0])
    sources = {s["id"]: s for s in row["sources"]}
    assert {"PR.AA-01", "PR.AA-05"} <= set(sources)
    assert sources["PR.AA-01"]["path"][0]["dataset"] == "olir-sp800-53r5-5.2.0"
    # weakest of partially (1/3) and largely (2/3)
    assert row["current"]["level"] == "partially"
    assert row["current"]["coverage"] == "partial"


def test_a_chain_given_with_via_and_its_refusals(tmp_path):
    _write(tmp_path)
    data = json.loads(
        ok(
            "profile",
            "transfer",
            "clinic.yaml",
            "--to",
            "sp800-53r5",
            "--via",
            "csf-1.1-to-csf-2.0-withdrawals",
            "--via",
            "csf-1.1-sp800-53r5",
            "--rule",
            "average",
            "--json",
            cwd=tmp_path,
        )
    )
    assert data["datasets"] == ["csf-1.1-to-csf-2.0-withdrawals", "csf-1.1-sp800-53r5"]
    assert data["rule"] == "average"
    assert all(len(s["path"]) == 2 for r in data["outcomes"] for s in r["sources"])
    bad = csfpilot(
        "profile",
        "transfer",
        "clinic.yaml",
        "--to",
        "sp800-53r5",
        "--via",
        "csf-1.1-sp800-53r5",
        cwd=tmp_path,
    )
    assert bad.returncode == 1 and "the chain is at csf-2.0" in bad.stderr
    unknown = csfpilot("profile", "transfer", "clinic.yaml", "--to", "nope-1", cwd=tmp_path)
    assert unknown.returncode == 1 and "nope-1" in unknown.stderr
    (tmp_path / "draft.yaml").write_text("keep", encoding="utf-8")
    kept = csfpilot(
        "profile", "transfer", "clinic.yaml", "--to", "cis-v8.1", "-o", "draft.yaml", cwd=tmp_path
    )
    assert kept.returncode == 1 and "--force" in kept.stderr
    assert (tmp_path / "draft.yaml").read_text("utf-8") == "keep"


def test_maturity_draft_and_back_to_csf(tmp_path):
    _write(tmp_path)
    ok(
        "profile",
        "transfer",
        "clinic.yaml",
        "--to",
        "sp800-53r5",
        "--scale",
        "maturity",
        "-o",
        "m.yaml",
        cwd=tmp_path,
    )
    doc = yaml.safe_load((tmp_path / "m.yaml").read_text("utf-8"))
    assert doc["scale"] == "maturity"
    assert {e["current"] for e in doc["outcomes"].values()} <= {0, 1, 2, 3, 4, None}
    back = json.loads(
        ok("profile", "transfer", "m.yaml", "--to", "csf-2.0", "--json", cwd=tmp_path)
    )
    assert back["datasets"] == ["olir-sp800-53r5-5.2.0"] and back["from_framework"] == "sp800-53r5"
