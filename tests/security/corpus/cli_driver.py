"""Runs ``csfpilot`` commands on hostile files, each in a forked process under memory
and time limits, and reports how each ended. Started as a subprocess by the tests:

    python cli_driver.py JOBS.json RESULTS.json

Django is set up (and the database prepared) once; every job then runs in a child
forked from this process, which sets ``RLIMIT_AS`` and an alarm and calls the real
command-line entry point with the job's arguments. The parent counts every table's
rows (SQLite) before and after each job. A run whose exit code is not one the CLI
documents (0, 1, 2), that printed a traceback, or that was killed by a signal is a
crash.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import sys
import traceback
from pathlib import Path

MEMORY_LIMIT = 1536 * 1024 * 1024
TIME_LIMIT = 120


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def child(args: list[str], out: Path, err: Path) -> None:
    """In the forked child: limits, then the real entry point. Never returns."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    signal.alarm(TIME_LIMIT)
    fd_out = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    fd_err = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd_out, 1)
    os.dup2(fd_err, 2)
    code = 0
    try:
        import typer

        from csfpilot.cli.main import app

        typer.main.get_command(app).main(args=args, prog_name="csfpilot", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 70
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    jobs = json.loads(Path(sys.argv[1]).read_text())
    results_path = Path(sys.argv[2])
    from csfpilot.cli import database

    database.setup()
    from django.db import connections

    from csfpilot.webapp.organizations.models import Organization

    Organization.objects.get_or_create(slug="acme", defaults={"name": "Acme Corp"})
    db = Path(connections["default"].settings_dict["NAME"])
    connections.close_all()
    results = []
    for job in jobs:
        before = counts(db)
        out = results_path.parent / f"{job['id']}.out"
        err = results_path.parent / f"{job['id']}.err"
        pid = os.fork()
        if pid == 0:
            child(job["args"], out, err)
        _, status = os.waitpid(pid, 0)
        after = counts(db)
        results.append(
            {
                **job,
                "exit": os.waitstatus_to_exitcode(status),
                "stderr": err.read_text(errors="replace")[-3000:],
                "changed": sorted(t for t in after if after[t] != before.get(t)),
            }
        )
    results_path.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
