"""``csfpilot serve``: prepare the database and static files, then serve with gunicorn.

The main process migrates, loads NIST's Core, collects the static files and
imports the app once; gunicorn then forks the worker processes from it, so each
worker starts warm and shares the loaded code's memory with the others.
"""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from csfpilot.cli import database

console = Console(highlight=False)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _default_workers() -> int:
    # One process per core, at most four: the app's work is short database-bound
    # requests, so threads (below) give the concurrency and processes the cores.
    return max(1, min(os.cpu_count() or 1, 4))


def gunicorn_options(
    host: str, port: int, *, workers: int, threads: int, access_log: bool
) -> dict[str, Any]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "preload_app": True,
        "proc_name": "csfpilot",
        # Long enough for a large report; a stuck worker is replaced after it.
        "timeout": 120,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
        # Several servers on one machine must not share gunicorn's control socket.
        "control_socket_disable": True,
        "post_worker_init": _worker_started,
    }


def _worker_started(_worker: Any) -> None:
    # Each web worker starts its report processes at once, so the first report does not
    # wait for WeasyPrint and the fonts to load (docs/reports.md).
    database.start_report_processes()


def serve(
    host: Annotated[
        str, typer.Option(envvar="CSFPILOT_HOST", help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(envvar="CSFPILOT_PORT", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            envvar="CSFPILOT_WORKERS",
            min=1,
            max=64,
            help="Worker processes (default: one per core, at most 4).",
            show_default=False,
        ),
    ] = None,
    threads: Annotated[
        int,
        typer.Option(
            envvar="CSFPILOT_THREADS", min=1, max=256, help="Threads in each worker process."
        ),
    ] = 4,
    demo: Annotated[
        bool | None,
        typer.Option(
            help="Create the demo organization on first start (default: yes, except with "
            "CSFPILOT_ENV=production, where it is refused).",
            show_default=False,
        ),
    ] = None,
    prepare: Annotated[
        bool,
        typer.Option(
            help="Apply migrations and load NIST's catalogs before serving. Servers started "
            "together on one PostgreSQL database take turns."
        ),
    ] = True,
    access_log: Annotated[bool, typer.Option(help="Log every request to standard output.")] = False,
    worker: Annotated[
        bool,
        typer.Option(
            help="Also run a background worker (csfpilot worker) for imports and recomputes; "
            "it stops with the server. Turn it off where workers run apart."
        ),
    ] = True,
) -> None:
    """Start the web app and its API (migrates and loads NIST's data on first start)."""
    # The demo account's password is in the docs: a production instance never gets one.
    production = os.environ.get("CSFPILOT_ENV", "").strip().lower() == "production"
    if demo and production:
        console.print(
            "[red]Refused:[/] the demo account's password is published, so it is never "
            "created with CSFPILOT_ENV=production. Start without --demo."
        )
        raise typer.Exit(2)
    demo = not production if demo is None else demo
    workers = workers or _default_workers()
    # Sign-in throttles must be counted once for all worker processes, or each would allow
    # the limit again: without Redis, they go to the database (docs/accounts.md).
    if workers > 1 and not os.environ.get("CSFPILOT_REDIS_URL"):
        os.environ.setdefault("CSFPILOT_CACHE", "database")
    # Set before Django reads its settings: pages link the collected, hashed files.
    os.environ["CSFPILOT_HASHED_STATIC"] = "1"
    if prepare:
        with (
            console.status("Preparing the database and NIST's catalogs…"),
            database.one_at_a_time("prepare"),
        ):
            database.ready(lambda message: console.print(f"[dim]{message}[/]"))
            if demo:
                database.ensure_demo()
    with console.status("Collecting static files…"):
        if database.collect_static():
            console.print("[dim]Static files collected under hashed names.[/]")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    console.print(f"[bold green]csfpilot[/] is serving at [link={url}]{url}[/link]", soft_wrap=True)
    console.print(f"API: {url}api/docs (schema at {url}api/openapi.json)", soft_wrap=True)
    console.print(f"[dim]{workers} worker process(es) × {threads} thread(s)[/]")
    if host not in LOOPBACK:
        console.print(
            "[yellow]Listening beyond this machine:[/] list the host names clients use in "
            "CSFPILOT_ALLOWED_HOSTS, and put a TLS proxy in front."
        )
    login = database.demo_login() if demo else None
    if login:
        console.print(f"Demo login: [bold]{login[0]}[/] / [bold]{login[1]}[/]")
    background = start_worker() if worker else None
    if background is not None:
        console.print(f"[dim]A background worker runs beside it (process {background.pid}).[/]")
    console.print("Press Ctrl+C to stop.")
    main_pid = os.getpid()
    from csfpilot.cli.gunicorn_app import Server  # gunicorn only for this command

    try:
        Server(
            gunicorn_options(host, port, workers=workers, threads=threads, access_log=access_log)
        ).run()
    finally:
        # Worker processes leave through here too; only the main process says it stopped.
        if os.getpid() == main_pid:
            if background is not None:
                stop_worker(background)
            console.print("Stopped.")


def start_worker() -> subprocess.Popen[bytes]:
    """``csfpilot worker`` in a process of its own, which stops when this one is gone.

    (The program and its arguments are fixed: nothing from input reaches the command.)
    It gets a session of its own so that Ctrl+C in the terminal reaches the server
    only; the server then stops it with one SIGTERM, which lets a running job end.
    """
    return subprocess.Popen(  # nosec B603
        [sys.executable, "-m", "csfpilot", "worker", "--exit-with-parent"],
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    """Ask the worker to finish its job and stop; kill it after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
