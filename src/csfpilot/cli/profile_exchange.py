"""``csfpilot export/import profile-xlsx | assessment-results | poam``: other tools' formats.

A profile of an organization in the database goes out as a workbook laid out
like NIST's Organizational Profile Template, as OSCAL assessment results, or
as an OSCAL plan of action and milestones (POA&M); the same files come back
in. ``csfpilot import ... --onto PROFILE`` shows every field the file would
change and stores nothing unless ``--apply`` is given; without ``--onto`` the
file starts a new profile. A refused file names the sheet, row and column (or
the JSON path) and leaves the database as it was.

Like ``csfpilot profile import/export``, these act as the instance's operator.
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
from csfpilot.formats.limits import IMPORT_MAX_BYTES, MiB
from csfpilot.formats.native import atomic_write_text
from csfpilot.formats.profile_xlsx.free_text import parse_mapping
from csfpilot.formats.safe_json import decode_utf8, read_limited

import_app = typer.Typer(
    name="import",
    help="Read a NIST-template workbook, OSCAL assessment results or an OSCAL POA&M "
    "into a profile.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


class Exchange(StrEnum):
    xlsx = "xlsx"
    assessment_results = "assessment-results"
    poam = "poam"


Org = Annotated[
    str, typer.Option("--org", help="The organization's short name, e.g. example-manufacturing.")
]
OrgArgument = Annotated[
    str, typer.Argument(help="The organization's short name.", show_default=False)
]
ProfileArgument = Annotated[
    str, typer.Argument(help="The profile's id or name.", show_default=False)
]
Output = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write to this file (default: a name from the profile)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print exact JSON instead of a table.")]


def _export(org: str, profile: str, fmt: Exchange, output: Path | None) -> None:
    with reported_errors():
        database.ready(announce)
        data, filename = database.exchange_export(org, profile, fmt.value)
        target = output or Path(filename)
        try:
            if fmt is Exchange.xlsx:
                _write_bytes(target, data)
            else:
                atomic_write_text(target, data.decode("utf-8"))
        except OSError as exc:
            raise InputRefused(f"cannot write: {exc.strerror or exc}", file=str(target)) from None
    announce(f"Wrote {target}")


def _write_bytes(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(target)


def export_xlsx(org: OrgArgument, profile: ProfileArgument, output: Output = None) -> None:
    """Export a profile as an Excel workbook laid out like NIST's Organizational Profile Template.

    One row per outcome (Included, Rationale, the Current and Target columns, owner,
    notes), plus the profile, its scale, Tiers and action plan; import it back with
    [bold]csfpilot import profile-xlsx[/].
    """
    _export(org, profile, Exchange.xlsx, output)


def export_assessment_results(
    org: OrgArgument, profile: ProfileArgument, output: Output = None
) -> None:
    """Export a profile's assessment as OSCAL 1.2.1 assessment results (JSON).

    A finding per outcome (satisfied or not), observations with the current state and
    its evidence; csfpilot properties keep the rest, so it imports back unchanged.
    """
    _export(org, profile, Exchange.assessment_results, output)


def export_poam(org: OrgArgument, profile: ProfileArgument, output: Output = None) -> None:
    """Export a profile's action plan as an OSCAL 1.2.1 plan of action and milestones (JSON)."""
    _export(org, profile, Exchange.poam, output)


def _import(
    fmt: Exchange,
    file: Path,
    org: str,
    onto: str | None,
    name: str | None,
    apply: bool,
    as_json: bool,
    mapping: list[str] | None = None,
    map_file: Path | None = None,
) -> None:
    with reported_errors():
        choices = _mapping(mapping or [], map_file)
        data = read_limited(file, name=str(file), max_bytes=IMPORT_MAX_BYTES)
        database.ready(announce)
        if onto is None:
            result = database.exchange_import(
                org, data, filename=str(file), name=name, fmt=fmt.value, choices=choices
            )
        else:
            result = database.exchange_preview(
                org,
                onto,
                data,
                filename=str(file),
                fmt=fmt.value,
                apply=apply,
                choices=choices,
            )
    if as_json:
        emit_json(result)
        return
    for warning in result["warnings"]:
        announce(f"warning: {warning}")
    _show_choices(result.get("choices", []))
    if onto is None:
        profile = result["profile"]
        console.print(f"Imported {profile['name']!r} in {org} (profile {profile['id']}).")
        return
    changes = result["changes"]
    table = Table(title=f"{len(changes)} changes", title_justify="left")
    for column in ("Outcome or element", "Field", "Before", "After"):
        table.add_column(column)
    for c in changes:
        table.add_row(
            escape(c["element"] or "profile"),
            escape(c["field"]),
            escape(_shown(c["before"])),
            escape(_shown(c["after"])),
        )
    if changes:
        console.print(table)
    if not changes:
        console.print("Nothing would change: the file holds what the profile already holds.")
    elif result["applied"]:
        console.print(f"Applied: the profile is now at version {result['version']}.")
    else:
        console.print("Nothing was stored. Run again with --apply to store these changes.")


def _mapping(items: list[str], map_file: Path | None) -> dict[str, str]:
    """--map options and a mapping file (one TEXT=VALUE a line, # for comments)."""
    lines = list(items)
    if map_file is not None:
        text = decode_utf8(
            read_limited(map_file, name=str(map_file), max_bytes=MiB), name=str(map_file)
        )
        lines += [
            line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
        ]
    try:
        return parse_mapping(lines)
    except ValueError as exc:
        raise InputRefused(str(exc), file=str(map_file) if map_file else None) from None


def _show_choices(choices: list[dict[str, object]]) -> None:
    """The free-text values read, with what was proposed and what is stored for each."""
    if not choices:
        return
    table = Table(
        title=f"{len(choices)} free-text values read (change one with --map TEXT=VALUE)",
        title_justify="left",
    )
    for column in ("Kind", "Typed", "Proposed", "Stored", "Cells"):
        table.add_column(column)
    for c in choices:
        cells = [str(x) for x in c["cells"]]  # type: ignore[attr-defined]
        table.add_row(
            escape(str(c["kind"])),
            escape(str(c["text"]) or "(blank)"),
            escape(_shown(c["proposed"])),
            escape(_shown(c["chosen"])),
            escape(", ".join(cells[:3]) + (f" +{len(cells) - 3}" if len(cells) > 3 else "")),
        )
    console.print(table)


def _shown(value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


FileArgument = Annotated[
    Path, typer.Argument(help="The file to read.", show_default=False, dir_okay=False)
]
Onto = Annotated[
    str | None,
    typer.Option(
        "--onto", help="Import onto this profile (id or name): preview the changes first."
    ),
]
Name = Annotated[str | None, typer.Option("--name", help="Name of the new profile.")]
Apply = Annotated[
    bool, typer.Option("--apply", help="With --onto: store the changes (default: preview only).")
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="What a free-text value stands for, e.g. 'In progress=partially', "
        "'priority:1=high', 'included:x=yes' (repeatable; an empty value leaves it blank).",
    ),
]
MapFile = Annotated[
    Path | None,
    typer.Option(
        "--map-file", help="A file of --map lines, one TEXT=VALUE a line.", dir_okay=False
    ),
]


def import_xlsx(
    file: FileArgument,
    org: Org,
    onto: Onto = None,
    name: Name = None,
    apply: Apply = False,
    as_json: AsJson = False,
    mapping: MapOption = None,
    map_file: MapFile = None,
) -> None:
    """Import a workbook in NIST's Organizational Profile Template layout.

    One exported here and edited, or NIST's own template as people fill it (free-text
    statuses, priorities and Yes/x marks are read through a documented table: each is
    listed with the value proposed; change one with --map). With --onto, every field the
    workbook would change is listed and nothing is stored unless --apply is given;
    without it, the workbook starts a new profile.
    """
    _import(Exchange.xlsx, file, org, onto, name, apply, as_json, mapping, map_file)


def import_assessment_results(
    file: FileArgument,
    org: Org,
    onto: Onto = None,
    name: Name = None,
    apply: Apply = False,
    as_json: AsJson = False,
) -> None:
    """Import OSCAL assessment results written by csfpilot (the profile's action plan stays).

    Checked against NIST's OSCAL 1.2.1 schema first; a failure names the JSON path.
    """
    _import(Exchange.assessment_results, file, org, onto, name, apply, as_json)


def import_poam(
    file: FileArgument,
    org: Org,
    onto: Onto = None,
    name: Name = None,
    apply: Apply = False,
    as_json: AsJson = False,
) -> None:
    """Import an OSCAL POA&M written by csfpilot: it replaces the profile's action plan."""
    _import(Exchange.poam, file, org, onto, name, apply, as_json)


def register(export_app: typer.Typer) -> None:
    """Add the commands to ``csfpilot export`` and to the ``csfpilot import`` group."""
    export_app.command("profile-xlsx")(export_xlsx)
    export_app.command("assessment-results")(export_assessment_results)
    export_app.command("poam")(export_poam)
    import_app.command("profile-xlsx")(import_xlsx)
    import_app.command("assessment-results")(import_assessment_results)
    import_app.command("poam")(import_poam)
