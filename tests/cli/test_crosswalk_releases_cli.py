"""`csfpilot crosswalk` and SP 800-53 releases, run as a user runs them (a subprocess).

The shipped SP 800-53 catalog is release 5.0.1; NIST's crosswalks were made for 5.1.1
and 5.2.0. Each test module's data folder is its own SQLite file, and the import test
has one of its own, because it changes what is loaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot
from tests.prepared_data import prepare
from tests.sp800_53_release import SA_24_FROM_CSF, release_5_2_0_catalog


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        assert self.code == 0, self.err
        return json.loads(self.out)


Csfpilot = Callable[..., Run]


def runner(data_dir: Path) -> Csfpilot:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        COLUMNS="200",
        NO_COLOR="1",
    )
    prepare(data_dir, env["CSFPILOT_SECRET_KEY"])

    def run(*args: str | Path) -> Run:
        proc = run_csfpilot(
            [*map(str, args)],
            env=env,
            timeout=600,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Csfpilot:
    run = runner(tmp_path_factory.mktemp("crosswalk-cli"))
    run("frameworks", "--json").json()  # creates the database and loads NIST's files
    return run


def test_crosswalk_accepts_a_control_of_a_later_release(cli: Csfpilot):
    refs = cli("crosswalk", "SA-24", "--from", "sp800-53r5", "--to", "csf-2.0", "--json").json()
    assert [r["id"] for r in refs] == SA_24_FROM_CSF
    assert {(r["framework"], r["release"], r["dataset"], r["in_catalog"]) for r in refs} == {
        ("csf-2.0", "5.2.0", "olir-sp800-53r5-5.2.0", True)
    }
    shown = cli("crosswalk", "sa-24", "--from", "sp800-53r5", "--to", "csf-2.0")
    assert shown.code == 0, shown.err
    assert "SA-24 is part of release 5.2.0 of NIST SP 800-53 Rev. 5" in shown.out
    assert "the loaded sp800-53r5 is release 5.0.1, which does not have it" in shown.out
    assert "Load release 5.2.0 to see its text." in shown.out
    for code in SA_24_FROM_CSF:
        assert code in shown.out


def test_crosswalk_shows_a_row_once_with_the_releases_that_give_it(cli: Csfpilot):
    rows = cli("crosswalk", "GV.OC-01", "--to", "sp800-53r5", "--json").json()
    assert sorted((r["id"], r["release"]) for r in rows if r["id"] == "PM-11") == [
        ("PM-11", "5.1.1"),
        ("PM-11", "5.2.0"),
    ]
    table = cli("crosswalk", "GV.OC-01", "--to", "sp800-53r5").out
    lines = [line for line in table.splitlines() if "PM-11" in line]
    assert len(lines) == 1 and "5.1.1, 5.2.0" in lines[0]


def test_crosswalk_narrows_to_one_release_or_one_dataset(cli: Csfpilot):
    everything = cli("crosswalk", "PR.AA-05", "--to", "sp800-53r5", "--json").json()
    for release in ("5.1.1", "5.2.0"):
        rows = cli(
            "crosswalk", "PR.AA-05", "--to", "sp800-53r5", "--release", release, "--json"
        ).json()
        assert rows == [r for r in everything if r["release"] == release]
        assert rows
    only = cli("crosswalk", "PR.AA-05", "--to", "sp800-53r5", "--dataset", "olir-sp800-53r5-5.2.0")
    assert "olir-sp800-53r5-5.1.1" not in only.out and "IA-13" in only.out
    unknown = cli("crosswalk", "PR.AA-05", "--to", "sp800-53r5", "--dataset", "olir-zz")
    assert unknown.code == 1
    assert "no mapping dataset 'olir-zz' is loaded" in unknown.err


def test_an_id_no_crosswalk_names_is_still_an_error(cli: Csfpilot):
    run = cli("crosswalk", "SA-99", "--from", "sp800-53r5", "--to", "csf-2.0")
    assert run.code == 1
    assert "sp800-53r5 has no element 'SA-99'" in run.err


def test_importing_release_5_2_0_links_the_crosswalk_rows(tmp_path: Path):
    run = runner(tmp_path / "data")
    catalog = tmp_path / "NIST_SP-800-53_rev5_catalog.json"
    catalog.write_bytes(release_5_2_0_catalog())
    report = run("import-framework", catalog, "--version", "5.2.0", "--json").json()
    assert report["created"] == ["sp800-53r5.2.0"]

    refs = run("crosswalk", "GV.RM-03", "--to", "sp800-53r5", "--json").json()
    sa_24 = [r for r in refs if r["id"] == "SA-24"]
    assert [(r["framework"], r["release"], r["in_catalog"]) for r in sa_24] == [
        ("sp800-53r5.2.0", "5.2.0", True)
    ]
    assert run("crosswalk", "GV.RM-03", "--to", "sp800-53r5.2.0", "--json").json() == sa_24

    back = run("crosswalk", "SA-24", "--from", "sp800-53r5", "--to", "csf-2.0")
    assert back.code == 0, back.err
    assert "Release 5.2.0 is loaded as sp800-53r5.2.0." in back.out
    refs = run("crosswalk", "SA-24", "--from", "sp800-53r5.2.0", "--to", "csf-2.0", "--json")
    assert [r["id"] for r in refs.json()] == SA_24_FROM_CSF
    shown = run("catalog", "show", "SA-24", "--framework", "sp800-53r5.2.0", "--json").json()
    assert shown["title"] == "Design for Cyber Resiliency"
    assert [r["id"] for r in shown["references"]] == SA_24_FROM_CSF
