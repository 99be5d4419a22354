"""``csfpilot import-framework``: load a framework file into the database.

The file is read and checked completely before anything is stored, and then
stored in one transaction: a refused file leaves the database as it was. A file
whose content is already loaded (from either of NIST's CSF 2.0 exports) is
reported as unchanged. A crosswalk's two frameworks must be loaded already (or
come in the same file); a file that claims to be one of NIST's releases but
differs from it needs ``--core-copy``.
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
    core_copy: Annotated[
        str | None,
        typer.Option(
            "--core-copy",
            help="For a copy of NIST's Core that differs from NIST's: 'official' maps it onto "
            "NIST's elements, 'separate' keeps it as a framework of its own.",
        ),
    ] = None,
    dataset_key: Annotated[
        str | None, typer.Option(help="Crosswalk: key to store it under (default: from the file).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Crosswalk: its name.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Crosswalk: who published it.")] = None,
    terms: Annotated[str | None, typer.Option(help="Crosswalk: its terms of use.")] = None,
    reviewed_by: Annotated[
        str | None, typer.Option(help="Crosswalk: who reviewed its rows before loading.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import a framework or crosswalk file (NIST's CSF and SP 800-53 files, OSCAL catalogs
    and mapping collections, CISO Assistant libraries, CSV or Excel)."""
    from csfpilot.formats.detect import DatasetIdentity, read_framework_file

    dataset = DatasetIdentity(
        key=dataset_key, name=name, publisher=publisher, terms=terms, reviewed_by=reviewed_by
    )
    with reported_errors():
        with err_console.status(f"Reading {escape(file.name)}…"):
            try:
                bundle = read_framework_file(
                    file, key=key, version=version, core_copy=core_copy, dataset=dataset
                )
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
