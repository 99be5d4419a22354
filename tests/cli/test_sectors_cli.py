"""``csfpilot sectors members|approve|revoke|stewards|steward-add|steward-remove`` as an
operator runs them: real processes against their own SQLite data folder."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot

PASSWORD = "a long passphrase for tests 42\n"
SET_SECTOR = (
    "from csfpilot.webapp.profiles.operator import operator_access;"
    "from csfpilot.webapp.sectors import services;"
    "services.set_sector(operator_access('{org}'), 'energy')"
)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory):
    data_dir: Path = tmp_path_factory.mktemp("sectors-cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        CSFPILOT_AUTOLOAD_CATALOGS="0",
        COLUMNS="200",
        NO_COLOR="1",
    )

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_csfpilot(args, env=env, input=stdin)

    return run


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def test_the_operator_names_a_steward_and_decides_who_counts(cli):
    for email in ("owner@plant.test", "steward@isac.test"):
        _ok(cli("accounts", "create", email, "--password-stdin", stdin=PASSWORD))
    _ok(cli("org", "create", "Power Plant", "--owner", "owner@plant.test", "--slug", "plant"))
    assert json.loads(_ok(cli("sectors", "members", "energy", "--json")).stdout) == []
    _ok(cli("manage", "shell", "-c", SET_SECTOR.format(org="plant")))

    listed = json.loads(_ok(cli("sectors", "members", "energy", "--json")).stdout)
    assert [(r["organization"], r["status"]) for r in listed] == [("plant", "requested")]
    approved = json.loads(_ok(cli("sectors", "approve", "energy", "plant", "--json")).stdout)
    assert (approved["status"], approved["decided_by"]) == ("approved", "command line")
    table = _ok(cli("sectors", "members", "energy")).stdout
    assert "plant" in table and "approved" in table
    assert "revoked" in _ok(cli("sectors", "revoke", "energy", "plant")).stdout

    added = json.loads(
        _ok(cli("sectors", "steward-add", "energy", "steward@isac.test", "--json")).stdout
    )
    assert added["email"] == "steward@isac.test"
    stewards = json.loads(_ok(cli("sectors", "stewards", "--json")).stdout)
    assert [(s["sector"], s["email"]) for s in stewards] == [("energy", "steward@isac.test")]
    assert (
        "no longer stewards"
        in _ok(cli("sectors", "steward-remove", "energy", "steward@isac.test")).stdout
    )

    unknown = cli("sectors", "approve", "banking", "plant")
    assert unknown.returncode != 0 and "'banking' is not a sector" in unknown.stderr
    never = cli("sectors", "approve", "water", "plant")
    assert never.returncode != 0 and "no organization 'plant' asked" in never.stderr
    nobody = cli("sectors", "steward-add", "energy", "nobody@example.test")
    assert nobody.returncode != 0 and "no account" in nobody.stderr
    assert "Traceback" not in unknown.stderr + never.stderr + nobody.stderr
