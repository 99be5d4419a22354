"""``csfpilot worker``, ``csfpilot jobs`` and ``csfpilot sectors``: background work.

Long work (sector recomputes, big imports, reports) is queued in the database
and run by ``csfpilot worker``: ``csfpilot serve`` starts one beside the web
server (``--no-worker`` to leave it out); more can run on other machines.
``csfpilot jobs wait ID`` follows a job with a progress bar.
"""

from __future__ import annotations

import os
import time
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from csfpilot.cli import database
from csfpilot.cli.output import (
    EXIT_REFUSED,
    announce,
    console,
    emit_json,
    err_console,
    fail,
    reported_errors,
)

ACTIVE = {"queued", "running", "retrying"}
STYLE = {
    "queued": "yellow",
    "retrying": "yellow",
    "running": "cyan",
    "succeeded": "green",
    "failed": "red",
}

jobs_app = typer.Typer(help="Background jobs: list them, follow one.", no_args_is_help=True)
sectors_app = typer.Typer(
    help="Sector benchmarks: who counts (members, stewards), and the stored scores.",
    no_args_is_help=True,
)

AsJson = Annotated[bool, typer.Option("--json", help="Print exact JSON instead of a table.")]


def _event(event: Any) -> None:
    tag = f"#{event.job_id}" if event.job_id is not None else ""
    if event.kind == "started":
        console.print(f"[cyan]▶[/] {tag} {event.label}")
        return
    style = STYLE.get(event.status, "white")
    if event.kind == "recovered":
        # A job whose worker died: its error says what was found.
        console.print(f"[{style}]↺ {event.status}[/] {tag} {event.label}\n    {event.error}")
        return
    line = f"[{style}]■ {event.status}[/] {tag} {event.label}"
    if event.status == "retrying":
        line += f" — attempt {event.attempts} of {event.max_attempts} failed, will retry"
    if event.error and event.status in {"failed", "retrying"}:
        line += f"\n    [red]{event.error}[/]"
    console.print(line)


def worker(
    burst: Annotated[
        bool, typer.Option("--burst", help="Run the jobs queued now, then exit.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between looks at an empty queue.")
    ] = 1.0,
    max_jobs: Annotated[
        int | None, typer.Option("--max-jobs", min=1, help="Exit after this many jobs.")
    ] = None,
    exit_with_parent: Annotated[
        bool,
        typer.Option(
            "--exit-with-parent",
            hidden=True,
            help="Stop when the process that started this one is gone (csfpilot serve's).",
        ),
    ] = False,
) -> None:
    """Run background jobs (imports, sector recomputes) as they are queued."""
    with reported_errors():
        database.ready(announce)
        mode = "queued jobs, then exit" if burst else "jobs until stopped (Ctrl+C)"
        console.print(f"[bold]csfpilot worker[/] on {database.location()}: running {mode}")
        database.run_worker(
            burst=burst,
            interval=interval,
            max_jobs=max_jobs,
            on_event=_event,
            parent_pid=os.getppid() if exit_with_parent else None,
        )


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table(show_lines=False)
    for column in ("id", "organization", "job", "status", "progress", "attempts", "queued"):
        table.add_column(column, overflow="fold")
    for j in rows:
        pct = "—" if j["percent"] is None else f"{j['percent']}%"
        status = f"[{STYLE.get(j['status'], 'white')}]{j['status']}[/]"
        table.add_row(
            str(j["id"]),
            j["organization"] or "(instance)",
            j["label"] + (f"\n[red]{j['error']}[/]" if j["error"] else ""),
            status,
            pct,
            f"{j['attempts']}/{j['max_attempts']}",
            j["created_at"][:19].replace("T", " "),
        )
    return table


@jobs_app.command("list")
def list_jobs(
    org: Annotated[
        str | None, typer.Option("--org", help="Only this organization's jobs (short name).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 50,
    as_json: AsJson = False,
) -> None:
    """The most recent background jobs, newest first."""
    with reported_errors():
        rows = database.jobs(org, limit=limit)
    if as_json:
        emit_json(rows)
    elif not rows:
        console.print("No background jobs yet.")
    else:
        console.print(_table(rows))


def follow(
    job_id: int, *, timeout: float | None = None, poll: float = 0.5, quiet_stdout: bool = False
) -> dict[str, Any]:
    """Show a progress bar until the job finishes; return it as last read.

    With ``quiet_stdout`` (``--json``) the bar goes to stderr, so stdout holds only JSON.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    current = database.job(job_id)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=err_console if quiet_stdout else console,
        transient=False,
    ) as progress:
        task = progress.add_task(f"#{job_id} {current['label']}", total=None, note="")
        while True:
            total = current["progress_total"] or None
            progress.update(
                task,
                total=total,
                completed=current["progress_done"],
                note=f"{current['status']} {current['progress_note']}".strip(),
            )
            if current["status"] not in ACTIVE:
                if current["status"] == "succeeded" and total:
                    progress.update(task, completed=total)
                break
            if deadline is not None and time.monotonic() > deadline:
                break
            time.sleep(poll)
            current = database.job(job_id)
    return current


def _finish(current: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(current)
    status = current["status"]
    if status == "failed":
        fail(f"job {current['id']} failed: {current['error']}", EXIT_REFUSED)
    if status in ACTIVE:
        fail(f"job {current['id']} is still {status}", EXIT_REFUSED)
    if not as_json:
        console.print(f"[green]job {current['id']} succeeded[/]: {current['result']}")


@jobs_app.command("wait")
def wait(
    job_id: Annotated[int, typer.Argument(help="The job's id.", show_default=False)],
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=0, help="Give up after this many seconds.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Follow a job with a progress bar until it succeeds or fails (exit code 2 if it fails)."""
    with reported_errors():
        current = follow(job_id, timeout=timeout, quiet_stdout=as_json)
    _finish(current, as_json)


@jobs_app.command("prune")
def prune(
    older_than: Annotated[
        int,
        typer.Option(
            "--older-than", min=0, metavar="DAYS", help="Delete jobs that ended more than DAYS ago."
        ),
    ] = 30,
    as_json: AsJson = False,
) -> None:
    """Delete ended jobs (succeeded or failed) and their task records; active ones stay."""
    with reported_errors():
        deleted = database.prune_jobs(older_than)
    if as_json:
        emit_json({"deleted": deleted, "older_than_days": older_than})
    else:
        console.print(f"Deleted {deleted} job(s) that ended more than {older_than} day(s) ago.")


@sectors_app.command("recompute")
def recompute(
    sector: Annotated[
        str | None, typer.Option("--sector", help="Only this sector (e.g. energy).")
    ] = None,
    only_stale: Annotated[
        bool, typer.Option("--only-stale", help="Only organizations whose profiles changed.")
    ] = False,
    wait_for_it: Annotated[
        bool, typer.Option("--wait", help="Follow the job with a progress bar until it ends.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Queue a recompute of the stored sector scores (a running worker picks it up)."""
    with reported_errors():
        queued = database.enqueue_sector_recompute(sector, only_stale=only_stale)
        if not wait_for_it:
            if as_json:
                emit_json(queued)
            else:
                console.print(f"Queued job {queued['id']}: {queued['label']}")
            return
        current = follow(queued["id"], quiet_stdout=as_json)
    _finish(current, as_json)
