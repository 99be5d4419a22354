"""``csfpilot import-framework``: load a framework file into the database.

The file is read and checked completely before anything is stored, and then
stored in one transaction: a refused file leaves the database as it was. A file
whose content is already loaded (from either of NIST's CSF 2.0 exports) is
reported as unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
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


def import_framework(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="A framework file (NIST's exports, OSCAL, CISO Assistant, CSV or Excel).",
        ),
    ],
    key: Annotated[
        str | None,
        typer.Option(help="Framework key to store it under, e.g. csf-2.0 (default: detected)."),
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="Release to record (default: read from the file).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import a framework file (NIST's CSF 2.0 JSON exports, OSCAL catalogs, ...)."""
    from csfpilot.formats.detect import read_framework_file

    with reported_errors():
        with err_console.status(f"Reading {escape(file.name)}…"):
            try:
                bundle = read_framework_file(file, key=key, version=version)
            except OSError as exc:
                fail(f"{file}: cannot read: {exc.strerror or exc}", EXIT_REFUSED)
        database.ready(announce)
        with err_console.status("Storing…"):
            report = database.load_bundle(bundle)
    if json_output:
        emit_json({"file": str(file), **report})
        return
    table = Table(title=f"Imported {escape(str(file))}", title_justify="left", box=None)
    table.add_column("Result", style="bold")
    table.add_column("What")
    for what in report["created"]:
        table.add_row("[green]created[/]", escape(what))
    for what in report["unchanged"]:
        table.add_row("[dim]unchanged[/]", escape(what))
    console.print(table)
    for warning in report["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if not report["created"]:
        console.print("Nothing new: everything in this file was already loaded.")
