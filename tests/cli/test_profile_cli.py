"""``csfpilot profile ...`` run as a user runs it: a subprocess, files in, text or JSON out."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from csfpilot.formats.native import parse_profile, schema_errors

SAMPLE = textwrap.dedent(
    """\
    format_version: 1
    framework: csf-2.0
    name: Sample
    scale: status
    tiers:
      governance: {current: 2, target: 3}
    outcomes:
      GV.OC-01: {current: partially, target: fully, priority: high, owner: CISO}
      GV.OC-02: {current: fully, target: fully}
      GV.RM-01: {current: not, target: largely, priority: medium}
      GV.RM-02: {current: na, target: na}
      GV.RM-03: {target: fully}
      ID.AM-01: {current: largely, target: fully, priority: low}
      GV.OC-03: {included: false, current: fully, target: fully}
    """
)


def csfpilot(*args: str | Path, cwd: Path, columns: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csfpilot", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": str(columns), "LANG": "C.UTF-8"},
        check=False,
    )


def ok(*args: str | Path, cwd: Path) -> str:
    result = csfpilot(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_valid_file(path: Path) -> None:
    """Every file the CLI writes validates against the schema and reads back."""
    doc = (
        yaml.safe_load(path.read_text("utf-8"))
        if path.suffix != ".json"
        else json.loads(path.read_text("utf-8"))
    )
    assert schema_errors(doc) == []
    parse_profile(
        path.read_bytes(), name=path.name, fmt="json" if path.suffix == ".json" else "yaml"
    )


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.yaml"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def test_new_writes_a_complete_template_with_nists_texts(tmp_path: Path):
    out = ok("profile", "new", "--scale", "status", "-o", "p.yaml", cwd=tmp_path)
    assert out == "Wrote p.yaml: organizational profile, 106 outcomes, scale status\n"
    path = tmp_path / "p.yaml"
    assert_valid_file(path)
    doc = yaml.safe_load(path.read_text("utf-8"))
    assert len(doc["outcomes"]) == 106
    assert doc["outcomes"]["GV.OC-01"] == {
        "included": True,
        "rationale": "",
        "priority": None,
        "current": None,
        "target": None,
        "owner": "",
        "notes": "",
    }
    text = path.read_text("utf-8")
    assert (
        "  # GV.OC-01: The organizational mission is understood and informs cybersecurity risk "
        "management\n  GV.OC-01:\n"
    ) in text
    assert "  # ==== GV: GOVERN ====\n" in text
    assert ok("profile", "validate", "p.yaml", cwd=tmp_path) == (
        "p.yaml: valid — organizational profile 'Organizational Profile', 106 of 106 outcomes "
        "included, scale status\n"
    )


def test_new_maturity_community_and_json(tmp_path: Path):
    ok(
        "profile",
        "new",
        "--scale",
        "maturity",
        "--kind",
        "community",
        "--name",
        "Sector",
        "-o",
        "c.json",
        cwd=tmp_path,
    )
    doc = json.loads((tmp_path / "c.json").read_text("utf-8"))
    assert (doc["kind"], doc["scale"], doc["name"], len(doc["outcomes"])) == (
        "community",
        "maturity",
        "Sector",
        106,
    )
    assert_valid_file(tmp_path / "c.json")


def test_new_never_overwrites_without_force(sample: Path):
    result = csfpilot("profile", "new", "-o", sample.name, cwd=sample.parent)
    assert result.returncode == 1
    assert "sample.yaml exists; pass --force to replace it" in result.stderr
    assert sample.read_text("utf-8") == SAMPLE


def test_validate_refuses_a_withdrawn_id_naming_file_line_and_destination(tmp_path: Path):
    path = tmp_path / "old.yaml"
    path.write_text(SAMPLE + "  ID.AM-06: {current: fully}\n", encoding="utf-8")
    result = csfpilot("profile", "validate", "old.yaml", "--json", cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {
            "file": "old.yaml",
            "valid": False,
            "error": "old.yaml:15: element ID.AM-06: ID.AM-06 is not an outcome of csf-2.0: it "
            "was withdrawn (Incorporated into GV.RR-02, GV.SC-02); rate GV.RR-02, GV.SC-02 "
            "instead",
            "errors": [
                {
                    "message": "old.yaml:15: element ID.AM-06: ID.AM-06 is not an outcome of "
                    "csf-2.0: it was withdrawn (Incorporated into GV.RR-02, GV.SC-02); rate "
                    "GV.RR-02, GV.SC-02 instead",
                    "line": 15,
                    "element": "ID.AM-06",
                    "field": None,
                }
            ],
            "warnings": [],
        }
    ]


def test_validate_reports_warnings_and_several_files(sample: Path):
    result = csfpilot("profile", "validate", sample.name, "--json", cwd=sample.parent)
    assert result.returncode == 0
    assert json.loads(result.stdout) == [
        {
            "file": "sample.yaml",
            "valid": True,
            "name": "Sample",
            "kind": "organizational",
            "scale": "status",
            "outcomes": 7,
            "included": 6,
            "snapshot": None,
            "errors": [],
            "warnings": ["GV.OC-03: not included in the profile, so its ratings are ignored"],
        }
    ]


def test_validate_a_bad_level_prints_the_error_on_stderr(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(SAMPLE.replace("current: largely", "current: mostly"), encoding="utf-8")
    result = csfpilot("profile", "validate", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: bad.yaml:13: element ID.AM-01: field current: 'mostly' is not a level of the "
        "'status' scale"
    )


BROKEN = """format_version: 1
framework: csf-2.0
name: Plant 2
kind: organisational
scale: status
outcomes:
  GV.OC-01: {current: partially, target: mostly}
  GV.OC-99: {current: partially}
  ID.AM-01: {current: fully}
  ID.AM-02: {colour: blue}
actions:
  - {id: A-1, title: Inventory, outcomes: [GV.ZZ-01], due: tomorrow}
  - {id: A-2, outcomes: [ID.AM-01]}
"""


def test_validate_reports_every_problem_of_a_file_with_its_line(tmp_path: Path):
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    result = csfpilot("profile", "validate", "broken.yaml", "--json", cwd=tmp_path)
    assert result.returncode == 1
    [report] = json.loads(result.stdout)
    assert report["valid"] is False
    found = [(e["line"], e["element"], e["field"]) for e in report["errors"]]
    assert found == [
        (4, None, "kind"),
        (7, "GV.OC-01", "target"),
        (8, "GV.OC-99", None),
        (10, "ID.AM-02", "colour"),
        (12, None, "actions[0].due"),
        (12, None, "actions[0].outcomes[0]"),
        (13, None, "actions[1].title"),
    ]
    assert report["error"] == report["errors"][0]["message"]
    assert "action A-1: GV.ZZ-01 is not an outcome of csf-2.0" in report["errors"][5]["message"]

    shown = csfpilot("profile", "validate", "broken.yaml", cwd=tmp_path)
    lines = shown.stderr.splitlines()
    assert lines[0] == "broken.yaml: 7 problems"
    assert lines[1].startswith("error: broken.yaml:4: field kind: ")
    assert lines[-1] == "error: broken.yaml:13: field actions[1].title: the key 'title' is required"


def test_validate_names_the_line_where_a_yaml_syntax_error_starts(tmp_path: Path):
    (tmp_path / "quote.yaml").write_text(SAMPLE.replace("name: Sample", 'name: "Sample'), "utf-8")
    result = csfpilot("profile", "validate", "quote.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: quote.yaml:3: column 7: not valid YAML: a quoted scalar that starts here: "
        "found unexpected end of stream"
    )


def test_score_json_gives_exact_rollups(sample: Path):
    data = json.loads(ok("profile", "score", sample.name, "--json", cwd=sample.parent))
    assert data["profile"] == {
        "name": "Sample",
        "kind": "organizational",
        "framework": "csf-2.0",
        "scale": "status",
        "rollup": "equal",
        "outcomes": 106,
        "included": 6,
        "current": {"score": 50.0, "assessed": 4, "not_assessed": 1, "not_applicable": 1},
        "target": {"score": 93.33, "assessed": 5, "not_assessed": 0, "not_applicable": 1},
    }
    functions = {f["id"]: f for f in data["functions"]}
    assert list(functions) == ["GV", "ID", "PR", "DE", "RS", "RC"]
    assert functions["GV"] == {
        "id": "GV",
        "title": "GOVERN",
        "outcomes": 31,
        "included": 5,
        "current": {"score": 44.44, "assessed": 3, "not_assessed": 1, "not_applicable": 1},
        "target": {"score": 91.67, "assessed": 4, "not_assessed": 0, "not_applicable": 1},
    }
    assert functions["PR"]["current"] == {
        "score": None,
        "assessed": 0,
        "not_assessed": 0,
        "not_applicable": 0,
    }
    categories = {c["id"]: c for c in data["categories"]}
    assert len(categories) == 22
    assert categories["GV.OC"]["title"] == "Organizational Context"
    assert categories["GV.OC"]["parent"] == "GV"
    assert categories["GV.OC"]["current"]["score"] == 66.67
    assert categories["GV.RM"]["current"]["score"] == 0.0


def test_score_table_for_people(sample: Path):
    out = ok("profile", "score", sample.name, cwd=sample.parent)
    assert "Sample — scale status, roll-up equal" in out
    assert "│ GV GOVERN" in out and "44.4" in out


def test_gap_json_lists_outcomes_in_action_plan_order(sample: Path):
    data = json.loads(ok("profile", "gap", sample.name, "--json", cwd=sample.parent))
    assert data["outcomes"] == [
        {
            "id": "GV.OC-01",
            "groups": ["GV", "GV.OC"],
            "priority": "high",
            "weight": 3,
            "current": "partially",
            "target": "fully",
            "current_score": 33.33,
            "target_score": 100.0,
            "gap": 66.67,
            "rank": 200.0,
            "owner": "CISO",
        },
        {
            "id": "GV.RM-01",
            "groups": ["GV", "GV.RM"],
            "priority": "medium",
            "weight": 2,
            "current": "not",
            "target": "largely",
            "current_score": 0.0,
            "target_score": 66.67,
            "gap": 66.67,
            "rank": 133.33,
            "owner": "",
        },
        {
            "id": "ID.AM-01",
            "groups": ["ID", "ID.AM"],
            "priority": "low",
            "weight": 1,
            "current": "largely",
            "target": "fully",
            "current_score": 66.67,
            "target_score": 100.0,
            "gap": 33.33,
            "rank": 33.33,
            "owner": "",
        },
    ]
    assert data["profile"]["gap"] == 41.67
    assert data["not_comparable"] == ["GV.RM-02", "GV.RM-03"]
    gv = next(f for f in data["functions"] if f["id"] == "GV")
    assert gv == {
        "id": "GV",
        "title": "GOVERN",
        "gap": 44.44,
        "comparable": 3,
        "with_gap": 2,
        "not_comparable": 2,
    }


def test_plan_suggests_nists_sp800_53_controls_and_writes_actions(sample: Path):
    data = json.loads(ok("profile", "plan", sample.name, "--json", cwd=sample.parent))
    assert [(c["outcome"], c["suggested_controls"], c["rank"]) for c in data["candidates"]] == [
        ("GV.OC-01", ["PM-11"], 200.0),
        ("GV.RM-01", ["PM-9", "RA-7", "SR-2"], 133.33),
        ("ID.AM-01", ["CM-8", "PM-5"], 33.33),
    ]
    data = json.loads(
        ok(
            "profile",
            "plan",
            sample.name,
            "--write",
            "--due",
            "2025-12-31",
            "--milestone",
            "H2",
            "--json",
            cwd=sample.parent,
        )
    )
    assert [(a["id"], a["outcomes"], a["due"], a["controls"]) for a in data["actions"]] == [
        ("A-001", ["GV.OC-01"], "2025-12-31", ["PM-11"]),
        ("A-002", ["GV.RM-01"], "2025-12-31", ["PM-9", "RA-7", "SR-2"]),
        ("A-003", ["ID.AM-01"], "2025-12-31", ["CM-8", "PM-5"]),
    ]
    assert [c["covered_by"] for c in data["candidates"]] == [["A-001"], ["A-002"], ["A-003"]]
    assert_valid_file(sample)
    # Running it again adds nothing: every gap is covered by an open action.
    again = json.loads(ok("profile", "plan", sample.name, "--write", "--json", cwd=sample.parent))
    assert len(again["actions"]) == 3


def test_plan_refuses_an_unknown_crosswalk(sample: Path):
    result = csfpilot("profile", "plan", sample.name, "--controls", "nope", cwd=sample.parent)
    assert result.returncode == 1
    assert "no crosswalk 'nope'; available:" in result.stderr


def test_diff_json_and_table(sample: Path, tmp_path: Path):
    later = tmp_path / "later.yaml"
    later.write_text(
        SAMPLE.replace("GV.OC-01: {current: partially", "GV.OC-01: {current: fully").replace(
            "governance: {current: 2", "governance: {current: 3"
        ),
        encoding="utf-8",
    )
    data = json.loads(ok("profile", "diff", "sample.yaml", "later.yaml", "--json", cwd=tmp_path))
    assert data["changes"] == [
        {"element": "", "field": "tiers.governance.current", "before": 2, "after": 3},
        {"element": "GV.OC-01", "field": "current", "before": "partially", "after": "fully"},
    ]
    assert data["scores"][0] == {
        "id": "",
        "level": "profile",
        "title": "Sample",
        "current_before": 50.0,
        "current_after": 66.67,
        "current_delta": 16.67,
        "target_before": 93.33,
        "target_after": 93.33,
        "target_delta": 0.0,
    }
    assert [s["id"] for s in data["scores"]] == ["", "GV", "GV.OC"]
    table = ok("profile", "diff", "sample.yaml", "later.yaml", cwd=tmp_path)
    assert "2 changes: Sample → Sample" in table
    assert "partially" in table and "+16.7" in table


def test_derive_target_from_the_example_community_profile(tmp_path: Path):
    examples = Path(__file__).resolve().parents[2] / "examples"
    data = json.loads(
        ok(
            "profile",
            "derive-target",
            examples / "community-outpatient-care.yaml",
            "--from",
            examples / "profile-riverbend-clinics.yaml",
            "-o",
            "target.yaml",
            "--json",
            cwd=tmp_path,
        )
    )
    assert data["output"] == "target.yaml"
    assert data["based_on"] == "Outpatient care community profile (example)"
    changes = {(c["element"], c["field"]): (c["before"], c["after"]) for c in data["changes"]}
    assert changes[("", "based_on")] == ("", "Outpatient care community profile (example)")
    assert changes[("PR.DS-01", "target_details.references")] == (
        [],
        ["SP 800-53 Rev. 5: SC-28", "SP 800-53 Rev. 5: MP-5"],
    )
    assert ("GV.SC-01", "target") not in changes  # both say largely
    assert changes[("GV.OC-01", "target")] == ("fully", "largely")
    assert_valid_file(tmp_path / "target.yaml")
    kept = json.loads(
        ok(
            "profile",
            "derive-target",
            examples / "community-outpatient-care.yaml",
            "--from",
            examples / "profile-riverbend-clinics.yaml",
            "-o",
            "kept.yaml",
            "--keep-higher",
            "--json",
            cwd=tmp_path,
        )
    )
    kept_changes = {(c["element"], c["field"]) for c in kept["changes"]}
    assert ("GV.OC-01", "target") not in kept_changes
    assert ("PR.DS-01", "target_details.references") in kept_changes


def test_derive_target_refuses_an_organizational_profile_and_writes_nothing(sample: Path):
    result = csfpilot("profile", "derive-target", sample.name, "-o", "out.yaml", cwd=sample.parent)
    assert result.returncode == 1
    assert "is an organizational profile; a target is derived from a Community Profile" in (
        result.stderr
    )
    assert not (sample.parent / "out.yaml").exists()


def test_snapshots_and_the_trend(sample: Path, tmp_path: Path):
    ok(
        "profile",
        "snapshot",
        "sample.yaml",
        "-o",
        "q1.yaml",
        "--label",
        "Q1",
        "--taken",
        "2025-03-31T17:00:00+00:00",
        cwd=tmp_path,
    )
    assert_valid_file(tmp_path / "q1.yaml")
    sample.write_text(
        SAMPLE.replace("GV.RM-01: {current: not", "GV.RM-01: {current: largely"), encoding="utf-8"
    )
    ok(
        "profile",
        "snapshot",
        "sample.yaml",
        "-o",
        "q2.yaml",
        "--label",
        "Q2",
        "--taken",
        "2025-06-30T17:00:00+00:00",
        cwd=tmp_path,
    )
    data = json.loads(
        ok("profile", "trend", "q2.yaml", "q1.yaml", "sample.yaml", "--json", cwd=tmp_path)
    )
    assert data["points"] == [
        {"taken": "2025-03-31T17:00:00+00:00", "label": "Q1 (2025-03-31T17:00+00:00)"},
        {"taken": "2025-06-30T17:00:00+00:00", "label": "Q2 (2025-06-30T17:00+00:00)"},
        {"taken": None, "label": "Sample"},
    ]
    assert data["series"][0] == {
        "id": "",
        "level": "profile",
        "current": [50.0, 66.67, 66.67],
        "target": [93.33, 93.33, 93.33],
    }
    assert data["series"][1]["id"] == "GV"
    assert data["series"][1]["current"] == [44.44, 66.67, 66.67]


def test_a_snapshot_cannot_be_planned_into(tmp_path: Path, sample: Path):
    ok("profile", "snapshot", "sample.yaml", "-o", "s.yaml", cwd=tmp_path)
    result = csfpilot("profile", "plan", "s.yaml", "--write", cwd=tmp_path)
    assert result.returncode == 1
    assert "s.yaml is a snapshot; snapshots never change" in result.stderr


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    "args",
    [
        ("score", "profile-riverbend-clinics.yaml"),
        ("gap", "profile-riverbend-clinics.yaml"),
        ("plan", "profile-riverbend-clinics.yaml"),
        ("diff", "profile-riverbend-clinics.yaml", "community-outpatient-care.yaml"),
    ],
    ids=lambda a: a[0],
)
def test_tables_fit_an_80_column_terminal(args):
    result = csfpilot("profile", *args, cwd=EXAMPLES, columns=80)
    assert result.returncode == 0, result.stderr
    assert "Riverbend Clinics" in result.stdout
    assert [line for line in result.stdout.splitlines() if len(line) > 80] == []
