"""``csfpilot backup`` and ``csfpilot restore`` as a user runs them, between real databases:
SQLite → SQLite always, and SQLite → PostgreSQL in the PostgreSQL pass."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot

# The PostgreSQL pass (`make test-pg`) names its server; by hand, the local default.
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/csfpilot"

PROFILE = """format_version: 1
framework: csf-2.0
name: Plant 2
scale: status
tiers:
  governance: {current: 2, target: 3}
outcomes:
  GV.OC-01: {current: partially, target: fully, owner: ana@acme.test, notes: "Façade ✓"}
actions:
  - {id: A-001, title: MFA on jump hosts, outcomes: [PR.AA-03], due: 2027-01-31}
"""

SETUP = (
    "from csfpilot.webapp.accounts.models import User\n"
    "from csfpilot.webapp.organizations.services import create_organization\n"
    "u = User.objects.create_user(username='ana', email='ana@acme.test', password='pw-of-ana')\n"
    "create_organization(u, 'Acme Corp', 'acme')\n"
    "create_organization(u, 'Globex', 'globex')\n"
)


def run(database: Path | str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The command against a SQLite data folder, or a PostgreSQL URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret", COLUMNS="200", NO_COLOR="1")
    if isinstance(database, Path):
        env["CSFPILOT_DATA_DIR"] = str(database)
    else:
        env["CSFPILOT_DATA_DIR"] = str(Path(os.environ.get("TMPDIR", "/tmp")))
        env["CSFPILOT_DATABASE_URL"] = database
    return run_csfpilot(
        [*map(str, args)],
        env=env,
        timeout=900,
    )


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A SQLite instance with two organizations and a profile; its whole-instance backup."""
    data = tmp_path_factory.mktemp("backup-source")
    ok(run(data, "audit", "verify"))
    ok(run(data, "manage", "shell", "-c", SETUP))
    profile = data / "plant2.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    ok(run(data, "profile", "import", profile, "--org", "acme"))
    archive = data / "instance.zip"
    done = ok(run(data, "backup", "-o", archive, "--json"))
    info = json.loads(done.stdout)
    assert info["scope"] == "instance" and info["organizations"] == ["acme", "globex"]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    return data, archive


def test_backup_restore_backup_is_byte_identical_on_sqlite(source, tmp_path: Path):
    _, archive = source
    target = tmp_path / "target"
    target.mkdir()
    restored = ok(run(target, "restore", archive))
    assert "Restored acme, globex (instance): 1 profile(s)" in restored.stdout
    again = tmp_path / "again.zip"
    ok(run(target, "backup", "-o", again))
    assert again.read_bytes() == archive.read_bytes()
    verified = ok(run(target, "audit", "verify"))
    assert "acme: 3 entries, chain intact" in verified.stdout
    # The restore and the backup after it, kept out of the organizations' chains.
    assert "(instance): 2 entries, chain intact" in verified.stdout
    assert "7 entries in 2 organization(s) and the instance chain." in verified.stdout


def test_one_organization_restores_into_an_instance_that_lacks_it(source, tmp_path: Path):
    data, _ = source
    acme = tmp_path / "acme.zip"
    ok(run(data, "backup", "-o", acme, "--org", "acme"))
    target = tmp_path / "target"
    target.mkdir()
    done = ok(run(target, "restore", acme, "--json"))
    assert json.loads(done.stdout)["users_created"] == 1
    again = tmp_path / "again.zip"
    ok(run(target, "backup", "-o", again, "--org", "acme"))
    assert again.read_bytes() == acme.read_bytes()
    twice = run(target, "restore", acme)
    assert twice.returncode == 2
    assert "organization 'acme' already exists here" in twice.stderr


def test_a_hostile_archive_is_refused_with_one_line_and_nothing_written(source, tmp_path):
    _, archive = source
    with zipfile.ZipFile(archive) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, body in members:
            zf.writestr(name, body)
        zf.writestr("../../etc/cron.d/evil", b"* * * * * root sh -c 'id'")
    hostile = tmp_path / "hostile.zip"
    hostile.write_bytes(buffer.getvalue())
    target = tmp_path / "target"
    target.mkdir()
    done = run(target, "restore", hostile)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == (
        "error: hostile.zip: member '../../etc/cron.d/evil' has an empty, '.' or '..' path segment"
    )
    db = sqlite3.connect(target / "csfpilot.sqlite3")
    assert db.execute("SELECT count(*) FROM organizations_organization").fetchone() == (0,)
    assert not (tmp_path / "etc").exists()


@pytest.mark.postgres
def test_a_sqlite_backup_restores_on_postgresql_byte_for_byte(source, tmp_path: Path):
    import psycopg

    _, archive = source
    server = os.environ.get("CSFPILOT_DATABASE_URL", PG_DEFAULT).rsplit("/", 1)[0]
    name = f"audit_xfer_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"{server}/{name}"
        ok(run(url, "restore", archive))
        again = tmp_path / "from-postgresql.zip"
        ok(run(url, "backup", "-o", again))
        assert again.read_bytes() == archive.read_bytes()
        assert "chain intact" in ok(run(url, "audit", "verify", "--org", "acme")).stdout
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
