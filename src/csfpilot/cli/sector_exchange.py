"""``csfpilot sectors contribute|member-key-add|member-key-revoke|import-contribution|publish|
import-aggregate``: sector benchmarks between instances, with signed packages.

A member instance writes a signed, scores-only contribution; the sector body's instance
accepts it only from a key on its member list, publishes a signed aggregate, and members
import that to see their position offline (docs/sectors.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from csfpilot.cli import database
from csfpilot.cli.output import console, emit_json, reported_errors
from csfpilot.cli.worker import AsJson, sectors_app

SectorOpt = Annotated[str, typer.Option("--sector", help="The sector's key (e.g. energy).")]
OrgOpt = Annotated[str, typer.Option("--org", help="The organization's short name.")]
OutOpt = Annotated[Path, typer.Option("-o", "--output", help="The package file to write.")]
FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A package file.")]
MAX_READ = 64 * 1024 * 1024


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_READ + 1)


@sectors_app.command("contribute")
def contribute(org: OrgOpt, sector: SectorOpt, output: OutOpt, as_json: AsJson = False) -> None:
    """Write the organization's signed, scores-only contribution to a sector's benchmark."""
    with reported_errors():
        data, meta = database.sector_contribute(org, sector)
    output.write_bytes(data)
    if as_json:
        emit_json({**meta, "file": str(output)})
    else:
        console.print(
            f"Wrote {output}: {meta['organization']}'s scores for {sector}, signed by key "
            f"{meta['fingerprint']}. The sector body adds this key to its member list first."
        )


@sectors_app.command("member-key-add")
def member_key_add(
    sector: SectorOpt,
    name: Annotated[str, typer.Option("--name", help="The member organization's name.")],
    fingerprint: Annotated[str, typer.Option("--fingerprint", help="Its key's fingerprint.")],
    as_json: AsJson = False,
) -> None:
    """Put a member organization (another instance) on the sector's list, by name and key."""
    with reported_errors():
        row = database.sector_member_key_add(sector, name, fingerprint)
    emit_json(row) if as_json else console.print(
        f"{row['name']} ({row['fingerprint']}) is a member of {sector}."
    )


@sectors_app.command("member-key-revoke")
def member_key_revoke(
    sector: SectorOpt,
    fingerprint: Annotated[str, typer.Option("--fingerprint", help="The member's key.")],
    as_json: AsJson = False,
) -> None:
    """Take a member's key off the list: its contributions no longer count."""
    with reported_errors():
        row = database.sector_member_key_revoke(sector, fingerprint)
    emit_json(row) if as_json else console.print(f"{row['name']} is revoked in {sector}.")


@sectors_app.command("import-contribution")
def import_contribution(file: FileArg, sector: SectorOpt, as_json: AsJson = False) -> None:
    """Accept a member's signed contribution (refused: unknown key, altered, replayed)."""
    with reported_errors():
        row = database.sector_import_contribution(sector, _read(file), file.name)
    emit_json(row) if as_json else console.print(
        f"Accepted {row['member']}'s contribution to {sector}."
    )


@sectors_app.command("publish")
def publish(org: OrgOpt, sector: SectorOpt, output: OutOpt, as_json: AsJson = False) -> None:
    """Write the sector's signed aggregate (signed with the sector body organization's key)."""
    with reported_errors():
        data, meta = database.sector_publish(org, sector)
    output.write_bytes(data)
    if as_json:
        emit_json({**meta, "file": str(output)})
    else:
        console.print(
            f"Wrote {output}: {sector} over {meta['contributors']} member(s), signed by "
            f"{meta['source']} ({meta['fingerprint']})."
        )


@sectors_app.command("import-aggregate")
def import_aggregate(file: FileArg, org: OrgOpt, as_json: AsJson = False) -> None:
    """Import a sector body's signed aggregate; the benchmark page then shows it."""
    with reported_errors():
        row = database.sector_import_aggregate(org, _read(file), file.name)
    if as_json:
        emit_json(row)
    else:
        console.print(f"Imported {row['sector']} figures from {row['source']}, {row['published']}.")


def register() -> None:
    """The commands are added to ``csfpilot sectors`` when this module is imported."""
