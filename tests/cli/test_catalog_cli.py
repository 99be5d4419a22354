"""The catalog commands run as a user runs them: `python -m csfpilot ...` in a subprocess.

One data folder (SQLite) serves the whole session, so NIST's catalogs load once;
the first command run is the one that shows the first-use status line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "csfpilot" / "data"
REFTOOL = DATA / "nist-csf-2.0" / "csf-2.0-reference-tool-elements.json"
REFTOOL_SHA256 = "d5c6fecdc5372dc51698cb0f12a6124d781bf5242cfe74f9ab8068b2080044d9"
GV_OC_01_TEXT = "The organizational mission is understood and informs cybersecurity risk management"
AC_2_FROM_CSF = ["PR.AA-01", "PR.AA-05", "PR.DS-10", "DE.CM-01", "DE.CM-03"]


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        assert self.code == 0, self.err
        return json.loads(self.out)


Csfpilot = Callable[..., Run]


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-data")


@pytest.fixture(scope="session")
def csfpilot(data_dir: Path) -> Csfpilot:
    # Only this session's SQLite file: never a database named by the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        COLUMNS="200",
        NO_COLOR="1",
    )

    def run(*args: str | Path) -> Run:
        proc = run_csfpilot(
            [*map(str, args)],
            env=env,
            timeout=600,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="session")
def first_run(csfpilot: Csfpilot) -> Run:
    """The session's first command: it creates the database and loads NIST's files."""
    return csfpilot("frameworks", "--json")


@pytest.fixture
def cli(first_run: Run, csfpilot: Csfpilot) -> Csfpilot:
    return csfpilot


@pytest.fixture(scope="session")
def loaded(first_run: Run) -> list[dict]:
    """What `frameworks --json` says after the first load: refused imports must leave it so."""
    return first_run.json()


def assert_one_line_error(run: Run, code: int, *needles: str) -> None:
    assert run.code == code, (run.out, run.err)
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in run.err
    for needle in needles:
        assert needle in lines[0]


def test_first_use_says_what_it_prepares_then_stays_quiet(first_run: Run, cli: Csfpilot):
    assert first_run.code == 0, first_run.err
    assert "Preparing" in first_run.err
    assert "load NIST's catalogs" in first_run.err
    again = cli("frameworks", "--json")
    assert again.code == 0
    assert again.err == ""
    assert again.json() == first_run.json()


def test_frameworks_json_has_counts_source_and_sha256(cli: Csfpilot):
    by_key = {fw["key"]: fw for fw in cli("frameworks", "--json").json()}
    assert {"csf-2.0", "csf-1.1", "cis-v8.0", "cis-v8.1", "iso27001-2022"} <= set(by_key)
    csf = by_key["csf-2.0"]
    assert csf["level_counts"] == [
        {"level": "function", "active": 6, "withdrawn": 0},
        {"level": "category", "active": 22, "withdrawn": 0},
        {"level": "subcategory", "active": 106, "withdrawn": 0},
    ]
    assert csf["source_file"] == "csf-2.0-reference-tool-elements.json"
    assert csf["source_sha256"] == REFTOOL_SHA256


def test_frameworks_table_for_people(cli: Csfpilot):
    run = cli("frameworks")
    assert run.code == 0
    assert "csf-2.0" in run.out
    assert "subcategory: 106" in run.out
    assert REFTOOL_SHA256[:12] in run.out


def _at_80_columns(data_dir: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        COLUMNS="80",
        NO_COLOR="1",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "csfpilot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return proc.stdout


def test_frameworks_table_fits_80_columns_and_shortens_digests_unless_full(
    cli: Csfpilot, data_dir: Path
):
    table = _at_80_columns(data_dir, "frameworks")
    assert [line for line in table.splitlines() if len(line) > 80] == []
    assert f"{REFTOOL_SHA256[:12]}…" in table
    assert REFTOOL_SHA256[12:24] not in table
    full = _at_80_columns(data_dir, "frameworks", "--full")
    last_column = "".join(
        line.split("│")[-2].strip() for line in full.splitlines() if line.count("│") > 2
    )
    assert REFTOOL_SHA256 in last_column


def test_catalog_list_defaults_to_the_csf_2_0_core(cli: Csfpilot):
    rows = cli("catalog", "list", "--json").json()
    assert len(rows) == 134
    assert rows[0] == {
        "id": "GV",
        "framework": "csf-2.0",
        "level": "function",
        "parent": None,
        "depth": 0,
        "title": "GOVERN",
        "text": "The organization's cybersecurity risk management strategy, expectations, and "
        "policy are established, communicated, and monitored",
        "withdrawn": False,
    }
    gv_oc_01 = next(r for r in rows if r["id"] == "GV.OC-01")
    assert gv_oc_01["text"] == GV_OC_01_TEXT
    assert gv_oc_01["parent"] == "GV.OC"
    assert gv_oc_01["level"] == "subcategory"


def test_catalog_list_one_level(cli: Csfpilot):
    rows = cli("catalog", "list", "--level", "function", "--json").json()
    assert [(r["id"], r["title"]) for r in rows] == [
        ("GV", "GOVERN"),
        ("ID", "IDENTIFY"),
        ("PR", "PROTECT"),
        ("DE", "DETECT"),
        ("RS", "RESPOND"),
        ("RC", "RECOVER"),
    ]
    assert len(cli("catalog", "list", "-l", "subcategory", "--json").json()) == 106


def test_catalog_list_unknown_level_or_framework(cli: Csfpilot):
    assert_one_line_error(cli("catalog", "list", "--level", "control"), 1, "'control'")
    assert_one_line_error(cli("catalog", "list", "--framework", "csf-9"), 1, "'csf-9'")


def test_catalog_show_json(cli: Csfpilot):
    node = cli("catalog", "show", "GV.OC-01", "--json").json()
    assert (node["id"], node["level"], node["title"]) == ("GV.OC-01", "subcategory", "")
    assert node["text"] == GV_OC_01_TEXT
    assert node["examples"] == [
        {
            "id": "GV.OC-01.001",
            "title": "Ex1",
            "text": "Share the organization's mission (e.g., through vision and mission "
            "statements, marketing, and service strategies) to provide a basis for "
            "identifying risks that may impede that mission",
        }
    ]
    refs = [
        {k: r[k] for k in ("framework", "id", "relationship", "dataset")}
        for r in node["references"]
        if r["dataset"] == "olir-sp800-53r5-5.1.1"
    ]
    assert refs == [
        {
            "framework": "sp800-53r5",
            "id": "PM-11",
            "relationship": "related_to",
            "dataset": "olir-sp800-53r5-5.1.1",
        }
    ]
    assert all(isinstance(r["in_catalog"], bool) for r in node["references"])


def test_catalog_show_for_people(cli: Csfpilot):
    run = cli("catalog", "show", "gv.oc-1")
    assert run.code == 0
    assert "GV.OC-01" in run.out
    assert GV_OC_01_TEXT in run.out
    assert "Implementation Examples" in run.out
    assert "PM-11" in run.out


@pytest.mark.parametrize("spelling", ["AC-2", "AC-02", "ac-2", "ac-02"])
def test_sp800_53_ids_resolve_in_any_spelling(cli: Csfpilot, spelling: str):
    node = cli("catalog", "show", spelling, "--framework", "sp800-53r5", "--json").json()
    assert node["id"] == "AC-2"
    assert node["title"] == "Account Management"
    assert node["level"] == "control"


@pytest.mark.parametrize("spelling", ["AC-2(1)", "ac-2.1", "AC-02(01)"])
def test_sp800_53_enhancements_resolve_in_any_spelling(cli: Csfpilot, spelling: str):
    node = cli("catalog", "show", spelling, "-f", "sp800-53r5", "--json").json()
    assert node["id"] == "AC-2(1)"
    assert node["parent"] == "AC-2"


def test_unknown_element_is_one_line_exit_1(cli: Csfpilot):
    assert_one_line_error(cli("catalog", "show", "GV.ZZ-99"), 1, "csf-2.0", "'GV.ZZ-99'")
    assert_one_line_error(cli("catalog", "show", "AC-2", "--json", "-f", "nope"), 1, "'nope'")


def test_catalog_search(cli: Csfpilot):
    rows = cli("catalog", "search", "mission", "--framework", "csf-2.0", "--json").json()
    ids = [r["id"] for r in rows]
    assert ids[:3] == ["GV.OC", "GV.OC-01", "GV.OC-04"]
    assert len(ids) == 11
    first = cli("catalog", "search", "gv.oc-1", "--json").json()[0]
    assert (first["framework"], first["id"]) == ("csf-2.0", "GV.OC-01")
    assert cli("catalog", "search", "zzyzx-no-such-word", "--json").json() == []


def test_crosswalk_csf_to_sp800_53(cli: Csfpilot):
    refs = cli("crosswalk", "PR.AA-05", "--to", "sp800-53r5", "--json").json()
    assert {r["framework"] for r in refs} == {"sp800-53r5"}
    ia13 = [r for r in refs if r["id"] == "IA-13"]
    assert sorted(r["dataset"] for r in ia13) == ["olir-sp800-53r5-5.1.1", "olir-sp800-53r5-5.2.0"]
    assert [r["in_catalog"] for r in ia13] == [False, False]
    assert all(set(r) >= {"id", "framework", "relationship", "dataset", "title"} for r in refs)


def test_crosswalk_sp800_53_back_to_csf(cli: Csfpilot):
    refs = cli("crosswalk", "AC-02", "--from", "sp800-53r5", "--to", "csf-2.0", "--json").json()
    by_dataset: dict[str, list[str]] = {}
    for r in refs:
        by_dataset.setdefault(r["dataset"], []).append(r["id"])
        assert r["framework"] == "csf-2.0"
        assert r["in_catalog"] is True
    assert by_dataset["olir-sp800-53r5-5.1.1"] == AC_2_FROM_CSF
    assert by_dataset["olir-sp800-53r5-5.2.0"] == AC_2_FROM_CSF


def test_crosswalk_unknown_target_framework(cli: Csfpilot):
    assert_one_line_error(cli("crosswalk", "GV.OC-01", "--to", "nist-zz"), 1, "'nist-zz'")


def test_import_of_the_shipped_file_again_reports_unchanged(cli: Csfpilot, loaded: list[dict]):
    report = cli("import-framework", REFTOOL, "--json").json()
    assert report["created"] == []
    assert "csf-2.0" in report["unchanged"]
    assert "olir-sp800-53r5-5.2.0" in report["unchanged"]
    assert cli("frameworks", "--json").json() == loaded


def test_import_for_people_says_nothing_new(cli: Csfpilot):
    run = cli("import-framework", REFTOOL)
    assert run.code == 0, run.err
    assert "unchanged" in run.out
    assert "csf-2.0" in run.out


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("truncated.json", b'{"response": {"elements": [', "truncated.json"),
        ("nan.json", b'{"response": {"elements": [NaN]}}', "nan.json"),
        ("deep.json", b"[" * 5000 + b"]" * 5000, "deep.json"),
        ("latin1.json", '{"title": "Gr\u00fc\u00dfe"}'.encode("latin-1"), "latin1.json"),
        ("not-a-framework.json", b'{"hello": "world"}', "not-a-framework.json"),
    ],
)
def test_import_of_a_hostile_file_is_refused_and_stores_nothing(
    cli: Csfpilot, loaded: list[dict], tmp_path: Path, name: str, content: bytes, needle: str
):
    path = tmp_path / name
    path.write_bytes(content)
    run = cli("import-framework", path)
    assert run.code == 2, (run.out, run.err)
    assert needle in run.err
    assert "Traceback" not in run.err
    assert cli("frameworks", "--json").json() == loaded


def test_import_of_a_changed_core_under_a_loaded_key_is_refused(
    cli: Csfpilot, loaded: list[dict], tmp_path: Path
):
    """A different GV.OC-01 text under csf-2.0 would silently rewrite profiles' outcomes."""
    altered = tmp_path / "altered-reference-tool.json"
    altered.write_bytes(
        REFTOOL.read_bytes().replace(
            b"The organizational mission is understood", b"The organizational mission is ignored"
        )
    )
    run = cli("import-framework", altered)
    assert run.code == 2, (run.out, run.err)
    assert "csf-2.0" in run.err
    assert "altered-reference-tool.json" in run.err
    assert cli("frameworks", "--json").json() == loaded
    text = cli("catalog", "show", "GV.OC-01", "--json").json()["text"]
    assert text == GV_OC_01_TEXT


def test_import_of_a_missing_file_is_a_usage_error(cli: Csfpilot, tmp_path: Path):
    run = cli("import-framework", tmp_path / "absent.json")
    assert run.code == 2
    assert "absent.json" in run.err


def test_committed_cli_reference_is_generated_from_the_commands():
    from csfpilot.cli.main import app
    from csfpilot.cli.reference import markdown

    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == markdown(app), "run: python scripts/gen_cli_docs.py"


def test_cli_reference_covers_every_command():
    from csfpilot.cli.main import app
    from csfpilot.cli.reference import markdown

    text = markdown(app)
    for command in (
        "csfpilot frameworks",
        "csfpilot catalog list",
        "csfpilot catalog show",
        "csfpilot catalog search",
        "csfpilot crosswalk",
        "csfpilot import-framework",
        "csfpilot serve",
    ):
        assert f"## `{command}`" in text
