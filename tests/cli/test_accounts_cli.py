"""``csfpilot accounts / org / tokens`` run as a script runs them, on a real SQLite file:
an account, an organization, a member and a working API token without a browser, each
change in the audit trail with the command line as the actor."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot
from tests.prepared_data import prepare

PASSWORD = "Correct-Horse-9-battery"


def run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        COLUMNS="80",
        NO_COLOR="1",
    )
    prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
    return run_csfpilot(
        [*args],
        env=env,
        input=stdin,
        timeout=600,
    )


def shell(data_dir: Path, code: str) -> str:
    done = run(data_dir, "manage", "shell", "--verbosity", "0", "-c", code)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Two accounts, an organization owned by one, the other a member with a token."""
    data_dir = tmp_path_factory.mktemp("accounts-cli")
    ana = run(
        data_dir,
        "accounts",
        "create",
        "ana@acme.test",
        "--name",
        "Ana Lin",
        "--password-stdin",
        "--json",
        stdin=PASSWORD + "\n",
    )
    assert ana.returncode == 0, ana.stderr
    bo = run(
        data_dir, "accounts", "create", "bo@acme.test", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert bo.returncode == 0, bo.stderr
    assert bo.stdout.startswith("Created the account bo@acme.test")
    org = run(data_dir, "org", "create", "Acme Corp", "--owner", "ana@acme.test", "--json")
    assert org.returncode == 0, org.stderr
    added = run(
        data_dir,
        "org",
        "members",
        "acme-corp",
        "--add",
        "bo@acme.test",
        "--role",
        "assessor",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    token = run(
        data_dir,
        "tokens",
        "create",
        "--user",
        "bo@acme.test",
        "--org",
        "acme-corp",
        "--name",
        "CI export job",
        "--role",
        "viewer",
        "--days",
        "30",
        "--json",
    )
    assert token.returncode == 0, token.stderr
    return data_dir, {
        "ana": json.loads(ana.stdout),
        "org": json.loads(org.stdout),
        "added": json.loads(added.stdout),  # the e-mail notice went to stderr, not here
        "token": json.loads(token.stdout),
        "notice": added.stderr,
    }


def test_an_account_and_an_organization_with_its_owner(made):
    data_dir, out = made
    assert out["ana"] == {"id": 1, "email": "ana@acme.test", "name": "Ana Lin"}
    assert out["org"]["slug"] == "acme-corp" and out["org"]["owner"] == "ana@acme.test"
    signed_in = shell(
        data_dir,
        "from django.contrib.auth import authenticate\n"
        f"print(authenticate(username='ana@acme.test', password='{PASSWORD}').email)",
    )
    assert signed_in == "ana@acme.test"


def test_members_are_listed_and_added_through_the_members_service(made):
    data_dir, out = made
    assert out["added"]["email"] == "bo@acme.test" and out["added"]["role"] == "assessor"
    assert "You were added to Acme Corp on csfpilot with the role Assessor." in out["notice"]
    listed = run(data_dir, "org", "members", "acme-corp", "--json")
    assert [(m["email"], m["role"]) for m in json.loads(listed.stdout)] == [
        ("ana@acme.test", "owner"),
        ("bo@acme.test", "assessor"),
    ]
    table = run(data_dir, "org", "members", "acme-corp")
    assert "│  2 │ bo@acme.test  │ —       │ assessor │" in table.stdout
    again = run(data_dir, "org", "members", "acme-corp", "--add", "bo@acme.test")
    assert again.returncode == 2
    assert again.stderr == "error: bo@acme.test is already a member of Acme Corp.\n"


def test_a_token_made_on_the_command_line_works_and_revoking_it_stops_it(made, tmp_path):
    data_dir, out = made
    token = out["token"]
    assert token["token"].startswith("csfp_") and token["token"].startswith(token["prefix"])
    assert (token["user"], token["organization"], token["role"]) == (
        "bo@acme.test",
        "acme-corp",
        "viewer",
    )
    check = (
        "from csfpilot.webapp.accounts.services import authenticate\n"
        f"t = authenticate('{token['token']}')\n"
        "print(t and f'{t.user.email} {t.organization.slug} {t.role}')"
    )
    assert shell(data_dir, check) == "bo@acme.test acme-corp viewer"
    listed = run(data_dir, "tokens", "list", "--org", "acme-corp", "--json")
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == [token["id"]] and "token" not in rows[0]
    assert token["token"] not in listed.stdout

    revoked = run(data_dir, "tokens", "revoke", str(token["id"]), "--json")
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(revoked.stdout)["state"] == "revoked"
    assert shell(data_dir, check) == "None"
    unknown = run(data_dir, "tokens", "revoke", "999")
    assert (unknown.returncode, unknown.stderr) == (1, "error: no API token 999\n")


def test_a_token_never_grants_more_than_its_holder_has(made):
    data_dir, _ = made
    refused = run(
        data_dir,
        "tokens",
        "create",
        "--user",
        "bo@acme.test",
        "--org",
        "acme-corp",
        "--name",
        "too much",
        "--role",
        "owner",
    )
    assert refused.returncode == 2
    assert "cannot have the Owner role" in refused.stderr
    stranger = run(
        data_dir, "tokens", "create", "--user", "ana@acme.test", "--org", "nowhere", "--name", "x"
    )
    assert stranger.returncode == 1
    assert "no organization 'nowhere'" in stranger.stderr


def test_refusals_name_the_problem_and_store_nothing(made):
    data_dir, _ = made
    weak = run(data_dir, "accounts", "create", "cy@acme.test", "--password-stdin", stdin="short\n")
    assert weak.returncode == 2
    assert "Password refused: This password is too short" in weak.stderr
    twice = run(
        data_dir, "accounts", "create", "ANA@acme.test", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert (twice.returncode, twice.stderr) == (
        2,
        "error: An account with ANA@acme.test exists already.\n",
    )
    no_owner = run(data_dir, "org", "create", "Globex", "--owner", "nobody@acme.test")
    assert (
        no_owner.returncode == 1 and "no active account uses 'nobody@acme.test'" in no_owner.stderr
    )
    counted = shell(
        data_dir,
        "from csfpilot.webapp.accounts.models import User\n"
        "from csfpilot.webapp.organizations.models import Organization\n"
        "print(User.objects.count(), Organization.objects.count())",
    )
    assert counted == "2 1"


def test_every_change_is_in_the_audit_trail_as_the_command_lines(made):
    data_dir, _ = made
    trail = shell(
        data_dir,
        "from csfpilot.webapp.audit.models import AuditEvent\n"
        "for e in AuditEvent.objects.order_by('organization_id', 'seq'):\n"
        "    print(e.org_slug or '-', e.actor_kind, e.object_type, e.action, e.object_label)",
    ).splitlines()
    token_label = "CI export job (csfp_"
    assert [line for line in trail if not line.startswith("acme-corp")] == [
        "- cli account create ana@acme.test",
        "- cli account create bo@acme.test",
    ]
    org_lines = [line.split(" ", 4) for line in trail if line.startswith("acme-corp")]
    assert [tuple(x[1:4]) for x in org_lines] == [
        ("cli", "organization", "create"),
        ("cli", "membership", "create"),
        ("cli", "membership", "create"),
        ("cli", "api_token", "create"),
        ("cli", "api_token", "revoke"),
    ][: len(org_lines)]
    assert org_lines[3][4].startswith(token_label)
    verified = run(data_dir, "audit", "verify")
    assert verified.returncode == 0, verified.stderr


def test_the_token_table_fits_80_columns(made):
    data_dir, _ = made
    table = run(data_dir, "tokens", "list")
    assert table.returncode == 0, table.stderr
    assert "CI export job" in table.stdout and "bo@acme.test" in table.stdout
    assert max(len(line.rstrip()) for line in table.stdout.splitlines()) <= 80
