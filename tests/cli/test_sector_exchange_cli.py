"""Sector benchmarks between instances, as operators run them: two data folders (a member
instance and the sector body's), real ``csfpilot`` processes, packages as files between them.

Members contribute signed scores-only packages; the sector body accepts only keys on its
member list and refuses unknown, altered and replayed packages; it publishes a signed
aggregate that a member imports only once it trusts the sector body's key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot
from tests.prepared_data import prepare

PASSWORD = "a long passphrase for tests 42\n"
RATINGS = ["partially", "largely", "fully", "partially", "largely"]
OUTCOMES = ["GV.OC-01", "GV.RM-01", "ID.AM-01", "PR.AA-01", "DE.CM-01", "RS.MA-01", "RC.RP-01"]
NOTE = "ZQX-private-note-that-never-leaves"


def _profile(rating: str) -> str:
    lines = ["format_version: 1", "framework: csf-2.0", "name: Whole company", "scale: status"]
    lines.append("outcomes:")
    for i, code in enumerate(OUTCOMES):
        current = rating if i % 2 else "partially"
        lines.append(f"  {code}: {{current: {current}, target: fully, notes: {NOTE}}}")
    return "\n".join(lines) + "\n"


def _instance(tmp: Path, name: str):
    data_dir = tmp / name
    data_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY=f"{name}-test-only-not-a-secret",
        COLUMNS="200",
        NO_COLOR="1",
    )
    prepare(data_dir, env["CSFPILOT_SECRET_KEY"])

    def run(*args: str | Path, stdin: str | None = None, ok: bool = True):
        result = run_csfpilot(
            [*map(str, args)],
            env=env,
            input=stdin,
            timeout=600,
        )
        if ok:
            assert result.returncode == 0, (args, result.stderr)
        return result

    return run


def _json(result) -> dict:
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("sector-exchange")
    return tmp, _instance(tmp, "members"), _instance(tmp, "body")


def test_contributions_aggregate_and_import_across_two_instances(instances):
    tmp, members, body = instances
    members("accounts", "create", "owner@members.test", "--password-stdin", stdin=PASSWORD)
    contributions = {}
    for i, rating in enumerate([*RATINGS, "not"], start=1):
        slug = f"m{i}"
        members("org", "create", f"Member {i}", "--owner", "owner@members.test", "--slug", slug)
        profile = tmp / f"{slug}.yaml"
        profile.write_text(_profile(rating))
        members("profile", "import", profile, "--org", slug)
        out = tmp / f"contribution-{slug}.json"
        meta = _json(
            members(
                "sectors", "contribute", "--org", slug, "--sector", "energy", "-o", out, "--json"
            )
        )
        contributions[slug] = (out, meta)
    # Scores only: no note of the profile travels.
    assert NOTE.encode() not in contributions["m1"][0].read_bytes()
    assert json.loads(contributions["m1"][0].read_bytes())["manifest"]["redaction"] == "scores"

    body("accounts", "create", "steward@isac.test", "--password-stdin", stdin=PASSWORD)
    body("org", "create", "Energy ISAC", "--owner", "steward@isac.test", "--slug", "isac")
    for slug in ("m1", "m2", "m3", "m4", "m5"):  # m6 is not on the member list
        _, meta = contributions[slug]
        body(
            "sectors",
            "member-key-add",
            "--sector",
            "energy",
            "--name",
            meta["organization"],
            "--fingerprint",
            meta["fingerprint"],
        )
    for slug in ("m1", "m2", "m3", "m4"):
        accepted = _json(
            body(
                "sectors",
                "import-contribution",
                contributions[slug][0],
                "--sector",
                "energy",
                "--json",
            )
        )
        assert accepted["member"] == contributions[slug][1]["organization"]

    unknown = body(
        "sectors", "import-contribution", contributions["m6"][0], "--sector", "energy", ok=False
    )
    assert unknown.returncode != 0 and "is not a trusted key" in unknown.stderr
    replay = body(
        "sectors", "import-contribution", contributions["m1"][0], "--sector", "energy", ok=False
    )
    assert replay.returncode != 0 and "replay" in replay.stderr
    altered = tmp / "altered.json"
    raw = contributions["m5"][0].read_bytes()
    altered.write_bytes(raw.replace(b'"current":"', b'"current":"9', 1))
    refused = body("sectors", "import-contribution", altered, "--sector", "energy", ok=False)
    assert refused.returncode != 0 and "scores.json" in refused.stderr
    wrong_sector = body(
        "sectors", "import-contribution", contributions["m5"][0], "--sector", "water", ok=False
    )
    assert wrong_sector.returncode != 0
    assert "Traceback" not in unknown.stderr + replay.stderr + refused.stderr

    # Four members: every number is withheld (k = 5), and the aggregate carries none.
    few = tmp / "aggregate-4.json"
    body("sectors", "publish", "--org", "isac", "--sector", "energy", "-o", few)
    rows = json.loads(few.read_bytes())["members"]["aggregate.json"]["rows"]
    assert all(
        r[s]["withheld"] == "few" and "mean" not in r[s]
        for r in rows
        for s in ("current", "target")
    )

    body("sectors", "import-contribution", contributions["m5"][0], "--sector", "energy")
    published = tmp / "aggregate.json"
    meta = _json(
        body("sectors", "publish", "--org", "isac", "--sector", "energy", "-o", published, "--json")
    )
    assert meta["contributors"] == 5
    doc = json.loads(published.read_bytes())["members"]["aggregate.json"]
    whole = next(r for r in doc["rows"] if r["code"] == "")
    assert whole["current"]["n"] == 5 and whole["current"]["withheld"] is None

    # The member imports it only once it trusts the sector body's key.
    untrusted = members("sectors", "import-aggregate", published, "--org", "m1", ok=False)
    assert untrusted.returncode != 0 and "trust the sector body's key" in untrusted.stderr
    members("keys", "trust", meta["fingerprint"], "--org", "m1", "--name", "Energy ISAC")
    imported = _json(members("sectors", "import-aggregate", published, "--org", "m1", "--json"))
    assert (imported["source"], imported["contributors"]) == ("Energy ISAC", 5)
    again = members("sectors", "import-aggregate", published, "--org", "m1", ok=False)
    assert again.returncode != 0 and "replay" in again.stderr
