"""``csfpilot profile import-community`` and ``migrate-csf11`` run as a user runs them, in a
subprocess, against a module's own SQLite database."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_profile_db_cli import cli  # noqa: F401 (the module's database)
from tests.community_workbooks import SECTOR_SPEC, csf11_assessment, sector_workbook

COLUMNS = """\
sheet: Assessment 2021
id: Subcategory
current: Current status
target: Target status
priority: Priority
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "water.xlsx").write_bytes(sector_workbook())
    (tmp_path / "map.yaml").write_text(SECTOR_SPEC)
    (tmp_path / "decided.yaml").write_text(SECTOR_SPEC + "values:\n  Baseline: partially\n")
    (tmp_path / "plant.xlsx").write_bytes(csf11_assessment())
    (tmp_path / "cols.yaml").write_text(COLUMNS)
    return tmp_path


def test_import_community_dry_run_then_store(cli, files):  # noqa: F811
    dry = cli(
        "profile",
        "import-community",
        files / "water.xlsx",
        "--org",
        "acme",
        "--mapping",
        files / "map.yaml",
        "--dry-run",
        "--json",
    ).json()
    assert dry["stored"] is None
    assert {o["outcome"]: o["target"] for o in dry["outcomes"]}["GV.OC-05"] == "fully"
    assert {v["text"]: v["chosen"] for v in dry["values"]}["Baseline"] is None

    refused = cli(
        "profile",
        "import-community",
        files / "water.xlsx",
        "--org",
        "acme",
        "--mapping",
        files / "map.yaml",
    )
    assert refused.code == 2  # refused input
    assert "no level is proposed for 'Baseline' (Structure!D10)" in refused.err
    assert "Water Sector" not in cli("profile", "list", "--org", "acme").out

    stored = cli(
        "profile",
        "import-community",
        files / "water.xlsx",
        "--org",
        "acme",
        "--mapping",
        files / "decided.yaml",
    )
    assert stored.code == 0, stored.err
    assert "Stored 'Water Sector Community Profile'" in stored.err
    exported = cli(
        "profile", "export", "acme", "Water Sector Community Profile", "--format", "json"
    )
    doc = json.loads(exported.out)
    assert doc["kind"] == "community"
    assert doc["outcomes"]["PR.AT-01"]["target"] == "partially"
    assert doc["outcomes"]["PR.AA-05"]["notes"] == "Source: Structure!8, Mapping!5"


def test_migrate_csf11_prints_then_applies(cli, files):  # noqa: F811
    args = (
        "profile",
        "migrate-csf11",
        files / "plant.xlsx",
        "--org",
        "acme",
        "--columns",
        files / "cols.yaml",
        "--name",
        "Plant 2025",
    )
    dry = cli(*args, "--json").json()
    assert dry["stored"] is None
    by = {p["outcome"]: p for p in dry["proposals"]}
    assert (by["GV.OC-01"]["current"], by["GV.OC-01"]["target"]) == ("partially", "fully")
    assert by["GV.OC-01"]["from"] == [
        {"id": "ID.BE-2", "relationship": "incorporated_into"},
        {"id": "ID.BE-3", "relationship": "incorporated_into"},
    ]
    assert by["GV.OV-01"]["current"] is None
    text = cli(*args)
    assert text.code == 0 and "Dry run: nothing was stored" in text.err
    applied = cli(*args, "--apply", "--json").json()
    assert applied["stored"]["name"] == "Plant 2025"
    doc = json.loads(cli("profile", "export", "acme", "Plant 2025", "--format", "json").out)
    assert doc["framework"] == "csf-2.0"
    assert doc["outcomes"]["ID.AM-01"]["current"] == "largely"
