"""``csfpilot serve``: migrate, load NIST's Core, and serve the app with waitress."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from csfpilot.cli import database

console = Console(highlight=False)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    threads: Annotated[
        int, typer.Option(min=1, max=256, help="Worker threads serving requests.")
    ] = 8,
    demo: Annotated[bool, typer.Option(help="Create the demo organization on first start.")] = True,
) -> None:
    """Start the web app and its API (migrates and loads NIST's data on first start)."""
    with console.status("Preparing the database and NIST's catalogs…"):
        database.ready(lambda message: console.print(f"[dim]{message}[/]"))
    if demo:
        database.ensure_demo()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    console.print(f"[bold green]csfpilot[/] is serving at [link={url}]{url}[/link]", soft_wrap=True)
    console.print(f"API: {url}api/docs (schema at {url}api/openapi.json)", soft_wrap=True)
    if host not in LOOPBACK:
        console.print(
            "[yellow]Listening beyond this machine:[/] list the host names clients use in "
            "CSFPILOT_ALLOWED_HOSTS, and put a TLS proxy in front."
        )
    login = database.demo_login()
    if login:
        console.print(f"Demo login: [bold]{login[0]}[/] / [bold]{login[1]}[/]")
    console.print("Press Ctrl+C to stop.")
    try:
        database.run_server(host, port, threads=threads)
    except KeyboardInterrupt:
        console.print("Stopped.")
