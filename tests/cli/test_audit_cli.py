"""``csfpilot audit verify`` run as a user runs it, against a real SQLite database that is
then tampered with directly (with Python's sqlite3, as someone with the file would)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot
from tests.prepared_data import prepare

PROFILE = """format_version: 1
framework: csf-2.0
name: Plant 2
scale: status
outcomes:
  GV.OC-01: {current: partially, target: fully}
"""

SETUP = (
    "from django.db import transaction\n"
    "from csfpilot.webapp.accounts.models import User\n"
    "from csfpilot.webapp.organizations.services import create_organization\n"
    "u = User.objects.create_user(username='ana', email='ana@acme.test', password='x')\n"
    "create_organization(u, 'Acme Corp', 'acme')\n"
    "create_organization(u, 'Globex', 'globex')\n"
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
        COLUMNS="200",
        NO_COLOR="1",
    )
    prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
    return env


def run(data_dir: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_csfpilot(
        [*map(str, args)],
        env=_env(data_dir),
        timeout=600,
    )


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with two organizations and a CLI profile import: 5 audit entries."""
    data_dir = tmp_path_factory.mktemp("audit-cli")
    empty = run(data_dir, "audit", "verify")  # prepares the database on first use
    assert empty.returncode == 0, empty.stderr
    assert "Audit trail intact: 0 entries in 0 organization(s)." in empty.stdout
    made = run(data_dir, "manage", "shell", "-c", SETUP)
    assert made.returncode == 0, made.stderr
    profile = data_dir / "plant2.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    imported = run(data_dir, "profile", "import", profile, "--org", "acme")
    assert imported.returncode == 0, imported.stderr
    return data_dir


Tamper = Callable[[sqlite3.Connection], None]


def tampered(prepared: Path, tmp_path: Path, change: Tamper) -> Path:
    """A copy of the prepared database, changed behind csfpilot's back."""
    data_dir = tmp_path / "data"
    shutil.copytree(prepared, data_dir)
    db = sqlite3.connect(data_dir / "csfpilot.sqlite3")
    with db:
        change(db)
    db.close()
    return data_dir


def acme_rows(db: sqlite3.Connection) -> list[tuple[int, int]]:
    return db.execute(
        "SELECT id, seq FROM audit_auditevent WHERE org_slug = 'acme' ORDER BY seq"
    ).fetchall()


def test_an_intact_trail_verifies(prepared: Path):
    done = run(prepared, "audit", "verify")
    assert done.returncode == 0, done.stderr
    assert "acme: 3 entries, chain intact" in done.stdout
    assert "globex: 2 entries, chain intact" in done.stdout
    # The account made by SETUP is recorded in the instance chain.
    assert "(instance): 1 entries, chain intact" in done.stdout
    assert (
        "Audit trail intact: 6 entries in 2 organization(s) and the instance chain." in done.stdout
    )
    as_json = json.loads(run(prepared, "audit", "verify", "--org", "acme", "--json").stdout)
    assert [(r["organization"], r["checked"], r["ok"]) for r in as_json] == [("acme", 3, True)]


def test_an_unknown_organization_is_named(prepared: Path):
    done = run(prepared, "audit", "verify", "--org", "initech")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: no organization 'initech'"


def test_an_edited_row_is_named(prepared: Path, tmp_path: Path):
    def edit(db: sqlite3.Connection) -> None:
        db.execute(
            "UPDATE audit_auditevent SET actor_name = 'mallory@evil.test' "
            "WHERE org_slug = 'acme' AND seq = 2"
        )

    data_dir = tampered(prepared, tmp_path, edit)
    row_id = dict((s, i) for i, s in acme_rows(sqlite3.connect(data_dir / "csfpilot.sqlite3")))[2]
    done = run(data_dir, "audit", "verify")
    assert done.returncode == 3
    assert f"acme: BROKEN at entry 2 (id {row_id}): hash mismatch" in done.stderr
    assert "1 entries before it verified" in done.stderr
    assert "globex: 2 entries, chain intact" in done.stdout


def test_a_deleted_row_is_named(prepared: Path, tmp_path: Path):
    def delete(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM audit_auditevent WHERE org_slug = 'acme' AND seq = 2")

    data_dir = tampered(prepared, tmp_path, delete)
    row_id = dict((s, i) for i, s in acme_rows(sqlite3.connect(data_dir / "csfpilot.sqlite3")))[3]
    done = run(data_dir, "audit", "verify", "--org", "acme")
    assert done.returncode == 3
    assert (
        f"acme: BROKEN at entry 3 (id {row_id}): missing entry: the sequence jumps from 1 to 3"
        in done.stderr
    )


def test_reordered_rows_are_named(prepared: Path, tmp_path: Path):
    ids: dict[int, int] = {}

    def swap(db: sqlite3.Connection) -> None:
        ids.update((s, i) for i, s in acme_rows(db))
        db.execute("UPDATE audit_auditevent SET seq = 99 WHERE id = ?", (ids[2],))
        db.execute("UPDATE audit_auditevent SET seq = 2 WHERE id = ?", (ids[3],))
        db.execute("UPDATE audit_auditevent SET seq = 3 WHERE id = ?", (ids[2],))

    data_dir = tampered(prepared, tmp_path, swap)
    done = run(data_dir, "audit", "verify", "--org", "acme", "--json")
    assert done.returncode == 3
    (result,) = json.loads(done.stdout)
    assert result["broken"]["seq"] == 2 and result["broken"]["id"] == ids[3]
    assert result["broken"]["problem"].startswith("previous-hash mismatch")
    assert result["checked"] == 1


def _rehash_from(db: sqlite3.Connection, org: str, first_seq: int) -> None:
    """Recompute the SHA-256 chain from ``first_seq`` on, as someone with the database file
    and csfpilot's published hashing rule (but not the audit key) would."""
    from datetime import UTC, datetime

    from csfpilot.webapp.audit.chain import entry_hash

    rows = db.execute(
        "SELECT id, seq, prev_hash, at, actor_kind, actor_id, actor_name, org_slug, "
        "object_type, object_id, object_label, action, changes FROM audit_auditevent "
        "WHERE org_slug = ? ORDER BY seq",
        (org,),
    ).fetchall()
    prev = None
    for row in rows:
        (pk, seq, _prev, at, kind, actor_id, name, slug, otype, oid, label, action, ch) = row
        if seq < first_seq:
            prev = db.execute("SELECT hash FROM audit_auditevent WHERE id = ?", (pk,)).fetchone()[0]
            continue
        when = datetime.fromisoformat(at).replace(tzinfo=UTC)
        fields = {
            "seq": seq,
            "prev_hash": prev,
            "at": when.isoformat(timespec="microseconds"),
            "actor": {"kind": kind, "id": actor_id, "name": name},
            "organization": slug,
            "object": {"type": otype, "id": oid, "label": label},
            "action": action,
            "changes": json.loads(ch),
        }
        digest = entry_hash(fields)
        db.execute(
            "UPDATE audit_auditevent SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, pk)
        )
        prev = digest


def test_an_edit_with_the_hashes_recomputed_is_caught_by_the_keyed_hash(
    prepared: Path, tmp_path: Path
):
    def rewrite(db: sqlite3.Connection) -> None:
        db.execute(
            "UPDATE audit_auditevent SET actor_name = 'mallory@evil.test' "
            "WHERE org_slug = 'acme' AND seq = 2"
        )
        _rehash_from(db, "acme", 2)

    data_dir = tampered(prepared, tmp_path, rewrite)
    row_id = dict((s, i) for i, s in acme_rows(sqlite3.connect(data_dir / "csfpilot.sqlite3")))[2]
    done = run(data_dir, "audit", "verify")
    assert done.returncode == 3, done.stdout
    assert f"acme: BROKEN at entry 2 (id {row_id}): keyed-hash mismatch" in done.stderr
    assert "globex: 2 entries, chain intact" in done.stdout


def test_checkpoints_are_written_once_per_moved_head(prepared: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    shutil.copytree(prepared, data_dir)
    first = run(data_dir, "audit", "checkpoint", "--json")
    assert first.returncode == 0, first.stderr
    assert [(c["chain"], c["seq"]) for c in json.loads(first.stdout)] == [
        ("acme", 3),
        ("globex", 2),
        ("(instance)", 1),
    ]
    lines = (data_dir / "audit-checkpoints.jsonl").read_text().splitlines()
    assert len(lines) == 3
    assert oct((data_dir / "audit-checkpoints.jsonl").stat().st_mode & 0o777) == "0o600"
    again = run(data_dir, "audit", "checkpoint", "--json")
    assert json.loads(again.stdout) == []
    assert len((data_dir / "audit-checkpoints.jsonl").read_text().splitlines()) == 3
    assert run(data_dir, "audit", "verify").returncode == 0


def test_deleting_the_newest_entries_is_caught_by_the_checkpoint(prepared: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    shutil.copytree(prepared, data_dir)
    assert run(data_dir, "audit", "checkpoint").returncode == 0
    db = sqlite3.connect(data_dir / "csfpilot.sqlite3")
    with db:
        db.execute("DELETE FROM audit_auditevent WHERE org_slug = 'acme' AND seq = 3")
    db.close()
    done = run(data_dir, "audit", "verify", "--json")
    assert done.returncode == 3
    acme = next(r for r in json.loads(done.stdout) if r["organization"] == "acme")
    assert acme["checked"] == 2
    assert acme["broken"]["seq"] == 3
    assert acme["broken"]["problem"].startswith(
        "the newest entries were deleted: the checkpoint of "
    )
    assert acme["broken"]["problem"].endswith("saw entry 3, the chain now ends at entry 2")


def test_a_forged_checkpoint_line_is_named(prepared: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    shutil.copytree(prepared, data_dir)
    assert run(data_dir, "audit", "checkpoint").returncode == 0
    path = data_dir / "audit-checkpoints.jsonl"
    first, *rest = path.read_text().splitlines()
    forged = json.loads(first)
    forged["seq"] = 1
    path.write_text("\n".join([json.dumps(forged), *rest]) + "\n")
    done = run(data_dir, "audit", "verify")
    assert done.returncode == 3
    assert (
        "checkpoint file: audit-checkpoints.jsonl line 1: not signed with this instance's "
        "audit key" in done.stderr
    )
