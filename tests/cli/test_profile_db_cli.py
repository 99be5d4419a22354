"""``csfpilot profile import / export / list`` run as a user runs them, in a subprocess,
against a session's own SQLite database."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot
from tests.prepared_data import prepare

PROFILE = """format_version: 1
framework: csf-2.0
name: Plant 2
scope: {type: business-unit, name: Plant 2}
scale: status
tiers:
  governance: {current: 2, target: 3}
outcomes:
  GV.OC-01: {current: partially, target: fully, priority: high, owner: CISO}
  PR.AA-03:
    current: not
    target: largely
    notes: "MFA on jump hosts: 'pending'"
actions:
  - {id: A-001, title: MFA on jump hosts, outcomes: [PR.AA-03], due: 2027-01-31}
"""


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        assert self.code == 0, self.err
        return json.loads(self.out)


Csfpilot = Callable[..., Run]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Csfpilot:
    data_dir = tmp_path_factory.mktemp("profile-db-cli")
    # Only this module's SQLite file: never a database named by the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        COLUMNS="200",
        NO_COLOR="1",
    )
    prepare(data_dir, env["CSFPILOT_SECRET_KEY"])

    def run(*args: str | Path, stdin: str | None = None) -> Run:
        proc = run_csfpilot(
            [*map(str, args)],
            env=env,
            input=stdin,
            timeout=600,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    first = run("profile", "list", "--org", "acme", "--json")
    assert first.code == 1, first.err  # the database is prepared; acme does not exist yet
    made = run(
        "manage",
        "shell",
        "-c",
        "from csfpilot.webapp.organizations.models import Organization; "
        "Organization.objects.create(name='Acme Corp', slug='acme')",
    )
    assert made.code == 0, made.err
    return run


@pytest.fixture
def plant2(tmp_path: Path) -> Path:
    path = tmp_path / "plant2.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    return path


def one_line_error(run: Run, code: int, *needles: str) -> None:
    assert run.code == code, (run.out, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.err
    assert "Traceback" not in run.err
    for needle in needles:
        assert needle in lines[0]


def test_import_export_list_round_trip(cli: Csfpilot, plant2: Path, tmp_path: Path):
    imported = cli(
        "profile", "import", plant2, "--org", "acme", "--name", "Round trip", "--json"
    ).json()
    assert imported["created"] is True
    profile = imported["profile"]
    assert (profile["name"], profile["scope"], profile["version"]) == (
        "Round trip",
        {"type": "business-unit", "name": "Plant 2"},
        1,
    )
    assert profile["tiers"]["governance"]["current"] == 2

    out = tmp_path / "exported.yaml"
    written = cli("profile", "export", "acme", "Round trip", "-o", out)
    assert written.code == 0, written.err
    assert f"Wrote {out}" in written.err
    again = cli("profile", "import", out, "--org", "acme", "--name", "Again", "--json").json()
    second = tmp_path / "again.yaml"
    assert cli("profile", "export", "acme", str(again["profile"]["id"]), "-o", second).code == 0
    first_text = out.read_text(encoding="utf-8")
    assert second.read_text(encoding="utf-8") == first_text.replace(
        "\nname: Round trip\n", "\nname: Again\n"
    )
    as_json = cli("profile", "export", "acme", "round trip", "--format", "json")
    doc = json.loads(as_json.out)
    assert doc["outcomes"]["GV.OC-01"] == {
        "included": True,
        "rationale": "",
        "priority": "high",
        "current": "partially",
        "target": "fully",
        "owner": "CISO",
        "notes": "",
    }
    assert doc["actions"][0]["due"] == "2027-01-31"

    listed = {p["name"]: p for p in cli("profile", "list", "--org", "acme", "--json").json()}
    assert listed["Round trip"]["scores"]["current"]["score"] == 16.67
    assert listed["Round trip"]["scores"]["target"]["score"] == 83.33
    assert listed["Round trip"]["open_actions"] == 1
    table = cli("profile", "list", "--org", "acme")
    assert table.code == 0
    assert "Round trip" in table.out and "16.7" in table.out


def test_a_second_import_needs_replace(cli: Csfpilot, plant2: Path):
    cli("profile", "import", plant2, "--org", "acme", "--name", "Twice")
    refused = cli("profile", "import", plant2, "--org", "acme", "--name", "Twice")
    one_line_error(refused, 2, "already has a profile named 'Twice'")
    plant2.write_text(PROFILE.replace("current: not", "current: largely"), encoding="utf-8")
    replaced = cli("profile", "import", plant2, "--org", "acme", "--name", "Twice", "--replace")
    assert replaced.code == 0, replaced.err
    assert "Replaced the content of 'Twice' in acme" in replaced.out
    assert "version 2" in replaced.out


def test_a_refused_file_names_line_outcome_and_field(cli: Csfpilot, plant2: Path):
    plant2.write_text(PROFILE.replace("target: largely", "target: mostly"), encoding="utf-8")
    refused = cli("profile", "import", plant2, "--org", "acme", "--name", "Refused")
    one_line_error(refused, 2, f"{plant2}:12", "element PR.AA-03", "field target", "'mostly'")
    listed = cli("profile", "list", "--org", "acme", "--json").json()
    assert "Refused" not in {p["name"] for p in listed}


def test_unknown_organization_profile_and_suffix(cli: Csfpilot, plant2: Path, tmp_path: Path):
    one_line_error(cli("profile", "list", "--org", "nowhere"), 1, "no organization 'nowhere'")
    one_line_error(cli("profile", "export", "acme", "Nope"), 1, "no profile 'Nope' in acme")
    wrong = tmp_path / "p.txt"
    wrong.write_text(PROFILE, encoding="utf-8")
    one_line_error(
        cli("profile", "import", wrong, "--org", "acme"), 2, "ends in .yaml, .yml or .json"
    )


def test_help_documents_the_operator(cli: Csfpilot):
    shown = cli("profile", "--help")
    assert shown.code == 0
    for command in ("import", "export", "list"):
        assert command in shown.out
    detail = cli("profile", "import", "--help").out
    assert "Import a profile file into an organization" in detail
    assert "instance's operator" in detail
