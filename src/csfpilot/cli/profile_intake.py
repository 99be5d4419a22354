"""``csfpilot profile import-community`` and ``migrate-csf11``: spreadsheets people already have.

``import-community`` reads a sector's Community Profile workbook through a
small mapping file that says which sheet and columns hold what; ``--dry-run``
shows the targets with the rows they came from. ``migrate-csf11`` reads a
CSF 1.1 assessment (a csfpilot profile file for csf-1.1, or a spreadsheet
with a columns file) and proposes a CSF 2.0 rating per outcome; only
``--apply`` stores the draft.

Both run as the instance's operator: no sign-in, an owner's permissions,
changes recorded without a user name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from csfpilot.cli import database
from csfpilot.cli.output import announce, console, emit_json, reported_errors
from csfpilot.cli.profile_db import AsJson, Org
from csfpilot.formats.safe_json import read_limited

MiB = 1024 * 1024
MAX_FILE = 8 * MiB
MAX_SMALL = 64 * 1024


def _show(value: Any) -> str:
    return "—" if value is None else str(value)


def import_community(
    file: Annotated[
        Path, typer.Argument(help="The sector's workbook (.xlsx).", show_default=False)
    ],
    org: Org,
    mapping: Annotated[
        Path,
        typer.Option(
            "--mapping",
            help="A YAML file naming the sheet and columns (see the docs).",
            show_default=False,
        ),
    ],
    name: Annotated[
        str | None, typer.Option("--name", help="Store it under this name instead.")
    ] = None,
    keep_statements: Annotated[
        str,
        typer.Option(
            "--keep-statements",
            help="Also load the sector's own statements as a framework with this key, "
            "with their crosswalk to CSF 2.0.",
        ),
    ] = "",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be stored; store nothing.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Import a Community Profile from a sector's own workbook (all or nothing).

    The mapping file names the sheet, the id column (CSF 2.0 outcome ids, or the
    sector's statement ids with a mapping sheet to CSF 2.0 Subcategories) and the
    target, priority, included, rationale and extra columns; typed targets such
    as "Tier 3" or "Required" are read by a documented table, and `values:`
    decides where it proposes nothing.

    Runs as the instance's operator: no sign-in, an owner's permissions, changes
    recorded without a user name.
    """
    with reported_errors():
        data = read_limited(file, name=str(file), max_bytes=MAX_FILE)
        spec = read_limited(mapping, name=str(mapping), max_bytes=MAX_SMALL)
        database.ready(announce)
        result = database.community_import(
            org,
            data,
            filename=file.name,
            mapping=spec,
            mapping_name=str(mapping),
            name=name,
            statements_key=keep_statements,
            dry_run=dry_run,
        )
    if as_json:
        emit_json(result)
        return
    table = Table(
        title=f"{result['name']} ({result['publisher'] or 'no publisher'})", title_justify="left"
    )
    for column in ("Outcome", "Target", "Priority", "Included", "Rows"):
        table.add_column(column)
    for row in result["outcomes"]:
        table.add_row(
            row["outcome"],
            _show(row["target"]),
            _show(row["priority"]),
            "yes" if row["included"] else "no",
            escape("; ".join(row["rows"])),
        )
    console.print(table)
    for v in result["values"]:
        cells = ", ".join(v["cells"][:4])
        announce(f"{v['text']!r} → {_show(v['chosen'])} (proposed {_show(v['proposed'])}; {cells})")
    for warning in result["warnings"]:
        announce(f"warning: {warning}")
    if result["stored"] is None:
        announce("Dry run: nothing was stored.")
    else:
        announce(f"Stored {result['stored']['name']!r} (profile {result['stored']['id']}).")
        if result.get("statements_framework"):
            announce(f"Loaded the statements as framework {result['statements_framework']}.")


def migrate_csf11(
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSF 1.1 assessment: a profile file for csf-1.1, or a workbook (.xlsx).",
            show_default=False,
        ),
    ],
    org: Org,
    columns: Annotated[
        Path | None,
        typer.Option("--columns", help="For a workbook: a YAML file naming the sheet and columns."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Name of the CSF 2.0 profile to store.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run/--apply",
            help="Print the proposals (the default), or store the CSF 2.0 draft.",
        ),
    ] = True,
    as_json: AsJson = False,
) -> None:
    """Carry a CSF 1.1 assessment into a CSF 2.0 draft profile.

    Each CSF 2.0 outcome is proposed the rating of the CSF 1.1 outcomes NIST kept,
    moved or incorporated into it (the weakest of them); outcomes new in CSF 2.0
    stay not assessed. Nothing is stored without --apply.

    Runs as the instance's operator: no sign-in, an owner's permissions, changes
    recorded without a user name.
    """
    with reported_errors():
        data = read_limited(file, name=str(file), max_bytes=MAX_FILE)
        spec = read_limited(columns, name=str(columns), max_bytes=MAX_SMALL) if columns else None
        database.ready(announce)
        result = database.csf11_migration(
            org,
            data,
            filename=file.name,
            columns=spec,
            columns_name=str(columns or ""),
            name=name,
            apply=not dry_run,
        )
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"Proposals for {result['name']}", title_justify="left")
    for column in ("CSF 2.0", "Current", "Target", "Why"):
        table.add_column(column, ratio=1 if column == "Why" else None)
    for row in result["proposals"]:
        table.add_row(row["outcome"], _show(row["current"]), _show(row["target"]), row["why"])
    console.print(table)
    if result["unrouted"]:
        announce(
            f"rated CSF 1.1 outcomes that feed no CSF 2.0 outcome: {', '.join(result['unrouted'])}"
        )
    if result["stored"] is None:
        announce("Dry run: nothing was stored (--apply stores the draft).")
    else:
        announce(f"Stored {result['stored']['name']!r} (profile {result['stored']['id']}).")


def register(group: typer.Typer) -> None:
    group.command("import-community")(import_community)
    group.command("migrate-csf11")(migrate_csf11)
