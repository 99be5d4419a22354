"""``csfpilot sectors recompute``, ``csfpilot worker --burst`` and ``csfpilot jobs`` run as an
operator runs them: real processes against a session's own SQLite database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.cli_processes import run_csfpilot
from tests.prepared_data import prepare

DATA_DIRS: list[Path] = []


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("jobs-cli")
    DATA_DIRS.append(data_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(
        CSFPILOT_DATA_DIR=str(data_dir),
        CSFPILOT_SECRET_KEY="cli-test-only-not-a-secret",
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


def test_queue_run_and_follow_a_job_from_the_command_line(cli):
    queued = cli("sectors", "recompute", "--sector", "energy", "--json")
    assert queued.returncode == 0, queued.stderr
    job = json.loads(queued.stdout)
    assert (job["status"], job["organization"], job["attempts"]) == ("queued", None, 0)
    assert job["label"] == "Recompute sector scores: energy"

    refused = cli("sectors", "recompute", "--sector", "banking")
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: 'banking' is not a sector")
    assert "Traceback" not in refused.stderr

    worker = cli("worker", "--burst")
    assert worker.returncode == 0, worker.stderr
    assert f"▶ #{job['id']} Recompute sector scores: energy" in worker.stdout
    assert f"■ succeeded #{job['id']}" in worker.stdout

    listed = json.loads(cli("jobs", "list", "--json").stdout)
    assert [(j["id"], j["status"]) for j in listed] == [(job["id"], "succeeded")]
    assert listed[0]["result"] == {"sector": "energy", "organizations": 0, "contributing": 0}

    waited = cli("jobs", "wait", str(job["id"]), "--json")
    assert waited.returncode == 0, waited.stderr
    assert json.loads(waited.stdout)["status"] == "succeeded"  # the bar went to stderr

    table = cli("jobs", "list")
    assert "succeeded" in table.stdout and "(instance)" in table.stdout

    missing = cli("jobs", "wait", "999")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "error: no job 999"


def test_a_worker_that_starts_takes_over_a_dead_workers_job(cli):
    queued = json.loads(cli("sectors", "recompute", "--sector", "energy", "--json").stdout)
    # What a worker killed halfway through leaves in the database: the job and its task
    # marked running, and no sign of life for an hour.
    with sqlite3.connect(DATA_DIRS[0] / "csfpilot.sqlite3") as db:
        db.execute(
            "UPDATE jobs_job SET status = 'running', attempts = 1, "
            "started_at = datetime('now', '-1 hour'), heartbeat_at = datetime('now', '-1 hour') "
            "WHERE id = ?",
            (queued["id"],),
        )
        changed = db.execute(
            "UPDATE django_tasks_database_dbtaskresult SET status = 'RUNNING' WHERE id = "
            "(SELECT replace(task_id, '-', '') FROM jobs_job WHERE id = ?)",
            (queued["id"],),
        ).rowcount
    assert changed == 1
    stuck = json.loads(cli("jobs", "list", "--json").stdout)[0]
    assert (stuck["id"], stuck["status"]) == (queued["id"], "running")

    worker = cli("worker", "--burst")
    assert worker.returncode == 0, worker.stderr
    assert f"↺ retrying #{queued['id']} Recompute sector scores: energy" in worker.stdout
    assert "Attempt 1 of 3: the worker stopped during it (no sign of life for 60 min)" in (
        worker.stdout
    )
    assert f"■ succeeded #{queued['id']}" in worker.stdout
    done = json.loads(cli("jobs", "list", "--json").stdout)[0]
    assert (done["id"], done["status"], done["attempts"]) == (queued["id"], "succeeded", 2)


def test_prune_deletes_ended_jobs_and_keeps_queued_ones(cli):
    cli("sectors", "recompute", "--json")
    assert cli("worker", "--burst").returncode == 0
    before = json.loads(cli("jobs", "list", "--json").stdout)
    ended = [j for j in before if j["status"] in ("succeeded", "failed")]
    assert ended and len(ended) == len(before)
    queued = json.loads(cli("sectors", "recompute", "--json").stdout)

    kept = cli("jobs", "prune", "--json")  # the default: ended more than 30 days ago
    assert kept.returncode == 0, kept.stderr
    assert json.loads(kept.stdout) == {"deleted": 0, "older_than_days": 30}

    pruned = cli("jobs", "prune", "--older-than", "0")
    assert pruned.returncode == 0, pruned.stderr
    assert f"Deleted {len(ended)} job(s) that ended more than 0 day(s) ago." in pruned.stdout
    left = json.loads(cli("jobs", "list", "--json").stdout)
    assert [(j["id"], j["status"]) for j in left] == [(queued["id"], "queued")]
