"""`csfpilot map suggest` run as a user runs it: `python -m csfpilot` in a subprocess,
on a SQLite data folder of this module's own (NIST's catalogs load once)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot
from tests.prepared_data import prepare


@pytest.fixture(scope="module")
def csfpilot(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("map-cli-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        CSFPILOT_MAPPING_CACHE=str(data_dir / "mapping-cache"),
        COLUMNS="200",
        NO_COLOR="1",
    )
    prepare(data_dir, env["CSFPILOT_SECRET_KEY"])

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return run_csfpilot(
            [*map(str, args)],
            env=env,
            timeout=600,
        )

    return run


def test_json_lists_every_safeguard_with_ranked_explained_proposals(csfpilot) -> None:
    proc = csfpilot("map", "suggest", "--from", "cis-v8.1", "--top", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    sources = [entry["source"] for entry in data]
    assert sources[:3] == ["1.1", "1.2", "2.1"]
    assert "1" not in sources  # a CIS Control only groups its Safeguards
    for entry in data:
        assert set(entry) == {"source", "suggestions"}
        scores = [s["score"] for s in entry["suggestions"]]
        assert len(scores) <= 3
        assert scores == sorted(scores, reverse=True)
        for s in entry["suggestions"]:
            assert set(s) == {"id", "score", "reasons"}
            assert 0 < s["score"] <= 1
            assert {r["kind"] for r in s["reasons"]} <= {"terms", "crosswalk-path", "semantic"}
    first = data[0]["suggestions"][0]
    assert first["id"] == "ID.AM-01"
    assert {"kind": "crosswalk-path", "detail": "1.1 → ID.AM-01 [olir-cis-v8.1]"} in first[
        "reasons"
    ]


def test_excluded_datasets_and_one_method(csfpilot) -> None:
    proc = csfpilot(
        "map", "suggest", "--from", "cis-v8.1", "--method", "lexical", "--json",
        "--exclude-dataset", "olir-cis-v8.1", "--exclude-dataset", "olir-cis-v8.0",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    kinds = {r["kind"] for entry in data for s in entry["suggestions"] for r in s["reasons"]}
    assert kinds == {"terms"}
    first = data[0]["suggestions"][0]
    assert first["reasons"][0]["detail"].startswith("shared terms: ")


def test_table_shows_paths_with_their_datasets(csfpilot) -> None:
    proc = csfpilot("map", "suggest", "--from", "cis-v8.1", "--top", "1")
    assert proc.returncode == 0, proc.stderr
    assert "cis-v8.1 → csf-2.0" in proc.stdout
    assert "1.1 → ID.AM-01 [olir-cis-v8.1]" in proc.stdout
    assert "review them before any crosswalk is made" in proc.stdout


def test_refusals_name_the_problem(csfpilot) -> None:
    proc = csfpilot("map", "suggest", "--from", "cis-v8.1", "--method", "magic")
    assert proc.returncode == 2
    assert "--method 'magic'" in proc.stderr
    proc = csfpilot("map", "suggest", "--from", "no-such-framework")
    assert proc.returncode == 1
    assert "no-such-framework" in proc.stderr
    proc = csfpilot("map", "suggest", "--from", "csf-2.0", "--to", "csf-2.0")
    assert proc.returncode == 2
    assert "same framework" in proc.stderr
