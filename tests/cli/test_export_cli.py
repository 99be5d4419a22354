"""`csfpilot export` run as a user runs it: `python -m csfpilot ...` in a subprocess.

From the database (one SQLite data folder for the module, NIST's catalogs loaded
on first use) and, with ``--from``, straight from a framework file with no
database at all.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from csfpilot.formats.oscal import read_oscal_catalog
from tests.formats.oscal_validation import schema_errors

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "csfpilot" / "data"
REFTOOL = DATA / "nist-csf-2.0" / "csf-2.0-reference-tool-elements.json"
SP800_53 = DATA / "nist-sp800-53r5" / "oscal-5.0.1-2021" / "NIST_SP-800-53_rev5_catalog.json"


@dataclass
class Run:
    code: int
    out: bytes
    err: str


Csfpilot = Callable[..., Run]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("export-cli-data")


@pytest.fixture(scope="module")
def csfpilot(data_dir: Path) -> Csfpilot:
    # Only this module's SQLite file: never a database named by the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        COLUMNS="200",
        NO_COLOR="1",
    )

    def run(*args: str | Path, cwd: Path | None = None) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "csfpilot", *map(str, args)],
            env=env,
            cwd=cwd,
            capture_output=True,
            timeout=600,
            check=False,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr.decode())

    return run


def test_export_a_framework_from_the_database_as_oscal(csfpilot: Csfpilot, tmp_path: Path) -> None:
    out = tmp_path / "csf.json"
    run = csfpilot("export", "framework", "csf-2.0", "--format", "oscal", "-o", out)
    assert run.code == 0, run.err
    assert f"Wrote {out}: csf-2.0, 134 elements as oscal" in " ".join(run.err.split())
    document = json.loads(out.read_bytes())
    assert schema_errors(document) == []
    (catalog,) = read_oscal_catalog(out).catalogs
    assert catalog.info.key == "csf-2.0" and len(catalog.nodes) == 134
    assert not list(tmp_path.glob(".*.tmp"))  # written in place by a rename


def test_export_a_crosswalk_as_excel_with_the_default_file_name(
    csfpilot: Csfpilot, tmp_path: Path
) -> None:
    run = csfpilot("export", "crosswalk", "olir-cis-v8.1", "-f", "xlsx", cwd=tmp_path)
    assert run.code == 0, run.err
    wb = openpyxl.load_workbook(tmp_path / "olir-cis-v8.1.xlsx", read_only=True)
    assert wb.sheetnames == ["Crosswalk", "About"]
    assert sum(1 for _ in wb["Crosswalk"].iter_rows()) == 1 + 62


def test_export_to_standard_output(csfpilot: Csfpilot) -> None:
    run = csfpilot("export", "framework", "cis-v8.1", "-f", "csv", "-o", "-")
    assert run.code == 0, run.err
    rows = list(csv.reader(io.StringIO(run.out.decode("utf-8-sig"), newline="")))
    assert rows[0][:4] == ["ID", "Parent", "Title", "Text"]
    assert len(rows) == 1 + 65  # the CIS Controls and Safeguards the OLIR dataset names


def test_export_from_a_file_needs_no_database(tmp_path: Path) -> None:
    # A fresh data folder that must stay empty: --from never opens the database.
    data = tmp_path / "untouched"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(CSFPILOT_DATA_DIR=str(data), CSFPILOT_SECRET_KEY="x", NO_COLOR="1")
    out = tmp_path / "sp.oscal.json"
    proc = subprocess.run(
        [sys.executable, "-m", "csfpilot", "export", "framework", "sp800-53r5",
         "--from", str(SP800_53), "-o", str(out)],
        env=env, capture_output=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    assert list(data.iterdir()) == []
    (catalog,) = read_oscal_catalog(out).catalogs
    assert catalog.info.key == "sp800-53r5" and len(catalog.nodes) == 1209
    mapping = tmp_path / "olir.json"
    proc = subprocess.run(
        [sys.executable, "-m", "csfpilot", "export", "crosswalk", "olir-sp800-53r5-5.1.1",
         "--from", str(REFTOOL), "-f", "oscal-mapping", "-o", str(mapping)],
        env=env, capture_output=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    assert schema_errors(json.loads(mapping.read_bytes())) == []
    assert list(data.iterdir()) == []


def test_unknown_keys_and_formats_fail_cleanly(csfpilot: Csfpilot, tmp_path: Path) -> None:
    run = csfpilot("export", "framework", "nist-csf-9", "-o", tmp_path / "x.json")
    assert run.code == 1
    # The last line: the first command of a run also says it prepares the database.
    assert run.err.splitlines()[-1].startswith("error: no framework 'nist-csf-9' is loaded (")
    assert not (tmp_path / "x.json").exists()
    run = csfpilot("export", "framework", "csf-2.0", "--from", REFTOOL, "-o", tmp_path / "y")
    assert run.code == 0, run.err
    run = csfpilot("export", "crosswalk", "nope", "--from", REFTOOL, "-o", tmp_path / "z")
    assert run.code == 1
    assert run.err.startswith(
        "error: csf-2.0-reference-tool-elements.json holds no crosswalk 'nope' (it holds: "
        "olir-sp800-53r5-5.1.1,"
    )
    run = csfpilot("export", "framework", "csf-2.0", "--format", "pdf")
    assert run.code == 2
    assert "'pdf' is not one of 'oscal', 'csv', 'xlsx'" in " ".join(run.err.split())
