"""``csfpilot export/import profile-xlsx | assessment-results | poam``, run in a subprocess
against a module's own SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.cli.test_profile_db_cli import Csfpilot, cli, one_line_error, plant2  # noqa: F401
from tests.formats.oscal_validation import schema_errors
from tests.formats.profile_xlsx_helpers import edit, row_of

SHEET = "Current and Target Profile"


def test_workbook_out_edit_preview_apply(cli: Csfpilot, plant2: Path, tmp_path: Path):  # noqa: F811
    cli("profile", "import", plant2, "--org", "acme", "--name", "Exchange", "--json").json()
    book = tmp_path / "exchange.xlsx"
    done = cli("export", "profile-xlsx", "acme", "Exchange", "-o", book)
    assert done.code == 0, done.err
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == SHEET
    r = row_of(book.read_bytes(), "GV.OC-01")
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(edit(book.read_bytes(), SHEET, {f"H{r}": "Largely implemented"}))

    preview = cli(
        "import", "profile-xlsx", edited, "--org", "acme", "--onto", "Exchange", "--json"
    ).json()
    assert preview["applied"] is False
    assert preview["changes"] == [
        {"element": "GV.OC-01", "field": "current", "before": "partially", "after": "largely"}
    ]
    table = cli("import", "profile-xlsx", edited, "--org", "acme", "--onto", "Exchange")
    assert "GV.OC-01" in table.out and "Run again with --apply" in table.out
    applied = cli(
        "import", "profile-xlsx", edited, "--org", "acme", "--onto", "Exchange", "--apply", "--json"
    ).json()
    assert applied["applied"] is True and applied["version"] == preview["version"] + 1
    again = cli(
        "import", "profile-xlsx", edited, "--org", "acme", "--onto", "Exchange", "--json"
    ).json()
    assert again["changes"] == []

    # Free text: proposed from the table, listed, and changed with --map.
    typed = tmp_path / "typed.xlsx"
    typed.write_bytes(edit(book.read_bytes(), SHEET, {f"H{r}": "in progress"}))
    shown = cli("import", "profile-xlsx", typed, "--org", "acme", "--onto", "Exchange")
    assert "1 free-text values read" in shown.out and "in progress" in shown.out
    mapped = cli(
        "import",
        "profile-xlsx",
        typed,
        "--org",
        "acme",
        "--onto",
        "Exchange",
        "--json",
        "--map",
        "In Progress=fully",
    ).json()
    assert mapped["changes"] == [
        {"element": "GV.OC-01", "field": "current", "before": "largely", "after": "fully"}
    ]
    assert mapped["choices"] == [
        {
            "kind": "level",
            "text": "in progress",
            "proposed": "partially",
            "chosen": "fully",
            "cells": [f"Current and Target Profile!H{r}"],
        }
    ]

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(edit(book.read_bytes(), SHEET, {f"H{r}": "banana"}))
    one_line_error(
        cli("import", "profile-xlsx", bad, "--org", "acme", "--onto", "Exchange"),
        2,
        f"sheet 'Current and Target Profile': row {r}: column H (Current Status)",
        "'banana' is not a level",
    )


def test_oscal_out_and_in_again(cli: Csfpilot, plant2: Path, tmp_path: Path):  # noqa: F811
    cli("profile", "import", plant2, "--org", "acme", "--name", "OSCAL", "--json").json()
    ar, plan = tmp_path / "ar.json", tmp_path / "poam.json"
    assert cli("export", "assessment-results", "acme", "OSCAL", "-o", ar).code == 0
    assert cli("export", "poam", "acme", "OSCAL", "-o", plan).code == 0
    assert schema_errors(json.loads(ar.read_text())) == []
    assert schema_errors(json.loads(plan.read_text())) == []
    for fmt, path in (("assessment-results", ar), ("poam", plan)):
        preview = cli("import", fmt, path, "--org", "acme", "--onto", "OSCAL", "--json").json()
        assert preview["changes"] == []
    new = cli("import", "assessment-results", ar, "--org", "acme", "--name", "From AR", "--json")
    assert new.json()["profile"]["name"] == "From AR"
    one_line_error(
        cli("import", "poam", ar, "--org", "acme", "--onto", "OSCAL"),
        2,
        "this file is assessment-results, not poam",
    )


def test_a_filled_nist_template_starts_a_profile_with_a_mapping_file(
    cli: Csfpilot,  # noqa: F811
    tmp_path: Path,
):
    from tests.formats.nist_template_helpers import blank_template, fill

    book = tmp_path / "consultant.xlsx"
    book.write_bytes(fill(blank_template()))
    mapping = tmp_path / "mapping.txt"
    mapping.write_text("# our words\nIn progress=largely\npriority:H=low\n", encoding="utf-8")
    done = cli(
        "import",
        "profile-xlsx",
        book,
        "--org",
        "acme",
        "--name",
        "Consultant",
        "--map-file",
        mapping,
    )
    assert done.code == 0, done.err
    assert "Imported 'Consultant' in acme" in done.out
    assert "'In progress' read as largely (level; Current and Target Profile!F4" in done.err
    exported = tmp_path / "consultant.yaml"
    assert cli("profile", "export", "acme", "Consultant", "-o", exported).code == 0
    text = exported.read_text(encoding="utf-8")
    assert text.count("current: largely") == 2  # GV.OC-01 and PR.AA-01, "In progress"
    bad = tmp_path / "bad.txt"
    bad.write_text("no equals sign\n", encoding="utf-8")
    one_line_error(
        cli("import", "profile-xlsx", book, "--org", "acme", "--map-file", bad),
        2,
        "'no equals sign' is not TEXT=VALUE",
    )
