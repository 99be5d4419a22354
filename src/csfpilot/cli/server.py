"""``csfpilot serve``: migrate, load NIST's Core, and serve the app."""

from __future__ import annotations

import typer
from rich.console import Console

from csfpilot.cli import database

console = Console()


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    demo: bool = typer.Option(True, help="Create the demo organization on first start."),
) -> None:
    """Start the web app (prepares the database and loads NIST's data on first start)."""
    with console.status("Preparing the database and NIST's catalogs…"):
        database.setup()
    if demo:
        database.ensure_demo()
    console.print(f"[bold green]csfpilot[/] is serving at [link]http://{host}:{port}/[/link]")
    login = database.demo_login()
    if login:
        console.print(f"Demo login: [bold]{login[0]}[/] / [bold]{login[1]}[/]")
    console.print("Press Ctrl+C to stop.")
    database.run_server(host, port)
