"""`csfpilot import-framework` with another tool's copy of the Core and its mapping set,
run as a user runs it (a subprocess, its own data folder)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_crosswalk_releases_cli import runner
from tests.foreign_core import foreign_library, vendor_mapping


def test_a_vendor_copy_and_its_mapping_set(tmp_path: Path):
    run = runner(tmp_path / "data")
    library = tmp_path / "vendor-csf.yaml"
    library.write_bytes(foreign_library())
    mapping = tmp_path / "vendor-map.yaml"
    mapping.write_bytes(vendor_mapping([("GV.OC-1", "PM-11", "subset")]))

    early = run("import-framework", mapping)
    assert early.code == 2
    assert "the crosswalk's source framework vendor-csf-2.0 is not loaded" in early.err

    refused = run("import-framework", library)
    assert refused.code == 2
    assert "vendor-csf-2.0 claims to be NIST's csf-2.0 but differs" in refused.err
    assert "Choose --core-copy official" in refused.err

    mapped = run("import-framework", library, "--core-copy", "official", "--json").json()
    assert mapped["created"] == ["vendor-csf-2.0 → csf-2.0"]
    report = run("import-framework", mapping, "--reviewed-by", "Ana Lee", "--json").json()
    assert report["created"] == ["vendor-csf-to-sp800-53"]
    rows = run("crosswalk", "GV.OC-01", "--to", "sp800-53r5", "--json").json()
    vendor = [r for r in rows if r["dataset"] == "vendor-csf-to-sp800-53"]
    assert [(r["id"], r["relationship"]) for r in vendor] == [("PM-11", "subset_of")]
