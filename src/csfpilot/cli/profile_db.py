"""``csfpilot profile import / export / list``: profiles kept in csfpilot's database.

The other ``csfpilot profile`` commands work on files alone; these move
profiles between files and an organization in the database, so a profile can
be kept under version control as YAML and edited in the web app as well. A
file exported and imported again is the same profile, and exported again, the
same file.

These commands act as the **instance's operator**: whoever can run them on
the machine that holds the database could change it anyway, so they need no
sign-in, act with an organization owner's permissions, and record their
changes without a user name. The web app and the REST API never work this
way; they check the signed-in person's role.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from csfpilot.cli import database
from csfpilot.cli.output import announce, console, emit_json, reported_errors
from csfpilot.core.errors import InputRefused
from csfpilot.formats.native import MAX_PROFILE_BYTES, atomic_write_text, format_of
from csfpilot.formats.safe_json import read_limited

Org = Annotated[
    str, typer.Option("--org", help="The organization's short name, e.g. example-manufacturing.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print exact JSON instead of a table.")]


class FileFormat(StrEnum):
    YAML = "yaml"
    JSON = "json"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def import_profile(
    file: Annotated[
        Path, typer.Argument(help="A profile file (.yaml, .yml or .json).", show_default=False)
    ],
    org: Org,
    name: Annotated[
        str | None, typer.Option("--name", help="Store it under this name instead.")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="If a profile of that name exists, give it the file's content."
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Import a profile file into an organization (all or nothing).

    The profile keeps the file's name unless --name is given; owners written as a
    member's e-mail are assigned to that member.

    Runs as the instance's operator: no sign-in, an owner's permissions, changes
    recorded without a user name.
    """
    with reported_errors():
        format_of(file)
        data = read_limited(file, name=str(file), max_bytes=MAX_PROFILE_BYTES)
        database.ready(announce)
        result = database.profile_import(org, data, filename=str(file), name=name, replace=replace)
    if as_json:
        emit_json(result)
        return
    profile = result["profile"]
    verb = "Imported" if result["created"] else "Replaced the content of"
    console.print(
        f"{verb} {profile['name']!r} in {org} (profile {profile['id']}, "
        f"version {profile['version']})."
    )
    for warning in result["warnings"]:
        announce(f"warning: {warning}")


def export_profile(
    org: Annotated[str, typer.Argument(help="The organization's short name.", show_default=False)],
    profile: Annotated[str, typer.Argument(help="The profile's id or name.", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write to this file (.yaml, .yml or .json; replaced in one step). "
            "Default: standard output.",
        ),
    ] = None,
    fmt: Annotated[
        FileFormat | None,
        typer.Option("--format", help="yaml or json (default: from the file name, else yaml)."),
    ] = None,
) -> None:
    """Export a profile of an organization as a profile file (lossless).

    Importing the file again gives the same profile, and exporting that, the same
    file. An existing output file is replaced in one step.

    Runs as the instance's operator: no sign-in, an owner's permissions, changes
    recorded without a user name.
    """
    with reported_errors():
        chosen = fmt.value if fmt else (format_of(output) if output else "yaml")
        database.ready(announce)
        text, _ = database.profile_export(org, profile, chosen)
        if output is None:
            typer.echo(text, nl=False)
            return
        try:
            atomic_write_text(output, text)
        except OSError as exc:
            raise InputRefused(f"cannot write: {exc.strerror or exc}", file=str(output)) from None
    announce(f"Wrote {output}")


def list_profiles(org: Org, as_json: AsJson = False) -> None:
    """List an organization's profiles with their scores and action plans.

    Runs as the instance's operator: no sign-in, an owner's permissions, changes
    recorded without a user name.
    """
    with reported_errors():
        database.ready(announce)
        rows = database.profile_list(org)
    if as_json:
        emit_json(rows)
        return
    table = Table(title=f"Profiles of {org}", title_justify="left")
    # Name, kind and scope share one column so that the numbers keep theirs at 80 columns.
    table.add_column("Id", justify="right", no_wrap=True)
    table.add_column("Profile (kind, scope)", ratio=1)
    for column in ("Current", "Target", "Gap", "Open", "Late"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        scope = row["scope"]["type"] + (f" {row['scope']['name']}" if row["scope"]["name"] else "")
        table.add_row(
            str(row["id"]),
            f"[bold]{escape(row['name'])}[/]\n[dim]{escape(row['kind'])}, {escape(scope)}[/]",
            _pct(row["scores"]["current"]["score"]),
            _pct(row["scores"]["target"]["score"]),
            _pct(row["gap"]),
            str(row["open_actions"]),
            str(row["overdue_actions"]),
        )
    console.print(table)


def move_release(
    profile: Annotated[str, typer.Argument(help="The profile's id or name.", show_default=False)],
    org: Org,
    to: Annotated[str, typer.Option("--to", help="The newer release's key, e.g. csf-2.1.")],
    apply: Annotated[
        bool, typer.Option("--apply", help="Move it; without this, only show what would change.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Show what moving a profile to a newer release of its framework changes, or move it.

    Outcomes with the same id keep their answers (a changed statement is shown);
    an outcome NIST moved to one other takes its answers there; outcomes the new
    release adds start not assessed; the others are removed. Runs as the
    instance's operator.
    """
    with reported_errors():
        database.ready(announce)
        result = database.profile_move_release(org, profile, to, apply=apply)
    if as_json:
        emit_json(result)
        return
    verb = "Moved" if apply else "Moving"
    console.print(f"{verb} {escape(profile)} from {result['from']} to {result['to']}:")
    console.print(f"  {len(result['same'])} outcome(s) unchanged")
    for code in result["text_changed"]:
        console.print(f"  [yellow]statement changed[/] {code}")
    for old, new in result["moved"].items():
        console.print(f"  [cyan]moved[/] {old} → {', '.join(new)}")
    for code in result["not_carried"]:
        console.print(f"  [red]answers not carried[/] {code}")
    for code in result["added"]:
        console.print(f"  [green]added, not assessed[/] {code}")
    if not apply:
        console.print("Nothing was changed; run again with --apply to move the profile.")


def register(group: typer.Typer) -> None:
    """Add the database commands to the ``csfpilot profile`` group."""
    group.command("import")(import_profile)
    group.command("export")(export_profile)
    group.command("list")(list_profiles)
    group.command("move-release")(move_release)
