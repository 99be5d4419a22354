"""``csfpilot package`` and ``csfpilot keys`` run as a user runs them, in a subprocess,
against a module's own SQLite database with two organizations."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_profile_db_cli import PROFILE, Csfpilot, one_line_error
from tests.cli.test_profile_db_cli import cli as _cli_fixture

cli = _cli_fixture  # the same prepared database fixture, one per module


@pytest.fixture(scope="module")
def world(cli: Csfpilot, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("packages")
    made = cli(
        "manage",
        "shell",
        "-c",
        "from csfpilot.webapp.organizations.models import Organization; "
        "Organization.objects.create(name='Globex', slug='globex')",
    )
    assert made.code == 0, made.err
    source = folder / "plant2.yaml"
    source.write_text(PROFILE, encoding="utf-8")
    assert cli("profile", "import", source, "--org", "acme", "--json").code == 0
    package = folder / "plant2.csfpkg.json"
    out = cli(
        "package",
        "export",
        "--org",
        "acme",
        "--profile",
        "Plant 2",
        "--level",
        "no-text",
        "-o",
        package,
        "--json",
    ).json()
    return {"folder": folder, "package": package, "fingerprint": out["fingerprint"]}


def test_preview_at_scores_lists_scores_only(cli: Csfpilot, world):
    rows = cli(
        "package",
        "export",
        "--org",
        "acme",
        "--profile",
        "Plant 2",
        "--level",
        "scores",
        "--preview",
        "--json",
    ).json()
    assert {r["member"] for r in rows} == {"scores.json"}
    assert not any("MFA" in str(r["value"]) for r in rows)


def test_verify_without_org_says_untrusted_and_prints_the_fingerprint(cli: Csfpilot, world):
    run = cli("package", "verify", world["package"])
    assert run.code == 3, run.err
    grouped = " ".join(world["fingerprint"][i : i + 4] for i in range(0, 40, 4))
    assert grouped in run.out and "UNTRUSTED" in run.out
    trusted = cli("package", "verify", world["package"], "--trust", world["fingerprint"], "--json")
    assert trusted.json()["trusted"] is True


def test_verify_with_the_org_that_made_it_is_trusted(cli: Csfpilot, world):
    assert cli("package", "verify", world["package"], "--org", "acme").code == 0
    assert cli("package", "verify", world["package"], "--org", "globex").code == 3


def test_a_changed_byte_is_refused_naming_the_member(cli: Csfpilot, world):
    doc = json.loads(world["package"].read_bytes())
    altered = world["folder"] / "altered.csfpkg.json"
    text = world["package"].read_text(encoding="utf-8").replace('"partially"', '"fully"', 1)
    altered.write_text(text, encoding="utf-8")
    assert "profile.json" in doc["members"]
    one_line_error(cli("package", "verify", altered), 2, "profile.json", "altered")


def test_trust_import_and_replay(cli: Csfpilot, world):
    fp = world["fingerprint"]
    untrusted = cli("package", "import", world["package"], "--org", "globex")
    one_line_error(untrusted, 2, "not a trusted key")
    keys = cli("keys", "trust", fp, "--org", "globex", "--name", "Acme Corp", "--json").json()
    assert keys["trusted"][0]["partner"] == "Acme Corp"
    assert cli("package", "verify", world["package"], "--org", "globex").code == 0
    done = cli("package", "import", world["package"], "--org", "globex", "--json").json()
    assert done["trusted"] is True and done["profile"]["name"] == "Plant 2"
    replay = cli("package", "import", world["package"], "--org", "globex", "--name", "Again")
    one_line_error(replay, 2, "replay")
    cli("keys", "untrust", fp, "--org", "globex").json  # noqa: B018
    assert cli("keys", "show", "--org", "globex", "--json").json()["trusted"] == []


def test_rotate_keeps_the_old_key_retired(cli: Csfpilot, world):
    keys = cli("keys", "rotate", "--org", "acme", "--json").json()["keys"]
    states = {k["fingerprint"]: k["state"] for k in keys}
    assert states[world["fingerprint"]] == "retired"
    assert sorted(states.values()) == ["active", "retired"]
    assert cli("package", "verify", world["package"], "--org", "acme").code == 0
