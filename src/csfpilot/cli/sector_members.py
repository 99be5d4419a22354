"""``csfpilot sectors members|approve|revoke|stewards|steward-add|steward-remove``.

Only organizations approved by the operator or the sector's steward count in a
sector's benchmark (see docs/sectors.md). The command line acts as the instance's
operator: it decides for every sector and names each sector's stewards, who then
decide on the web pages (``/sectors/``) or through the API.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from csfpilot.cli import database
from csfpilot.cli.output import console, emit_json, reported_errors
from csfpilot.cli.worker import AsJson, sectors_app

SectorArg = Annotated[
    str, typer.Argument(help="The sector's key (e.g. energy); see GET /api/sectors.")
]
OrgArg = Annotated[str, typer.Argument(help="The organization's short name.")]
EmailArg = Annotated[str, typer.Argument(help="The account's e-mail address.")]
STYLE = {"approved": "green", "requested": "yellow", "revoked": "red"}


def _print_member(row: dict) -> None:
    style = STYLE.get(row["status"], "white")
    console.print(f"{row['organization']} ({row['name']}): [{style}]{row['status']}[/]")


@sectors_app.command("members")
def members(
    sector: SectorArg,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only this status: requested, approved or revoked."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Organizations that asked to count in a sector, and the decisions taken."""
    with reported_errors():
        rows = database.sector_members(sector, status)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        console.print(f"No organization has asked to take part in {sector}.")
        return
    table = Table("Organization", "Name", "Status", "Asked", "Decided by", "Counts")
    for r in rows:
        style = STYLE.get(r["status"], "white")
        table.add_row(
            r["organization"],
            r["name"],
            f"[{style}]{r['status']}[/]",
            r["requested_at"][:10],
            r["decided_by"] or "—",
            "yes" if r["contributing"] else "no profile",
        )
    console.print(table)


@sectors_app.command("approve")
def approve(sector: SectorArg, org: OrgArg, as_json: AsJson = False) -> None:
    """Approve an organization in its sector: its scores count toward the sector's numbers."""
    with reported_errors():
        row = database.sector_decide(sector, org, "approved")
    emit_json(row) if as_json else _print_member(row)


@sectors_app.command("revoke")
def revoke(sector: SectorArg, org: OrgArg, as_json: AsJson = False) -> None:
    """Revoke an organization in a sector: its scores no longer count."""
    with reported_errors():
        row = database.sector_decide(sector, org, "revoked")
    emit_json(row) if as_json else _print_member(row)


@sectors_app.command("stewards")
def stewards(
    sector: Annotated[str | None, typer.Option("--sector", help="Only this sector.")] = None,
    as_json: AsJson = False,
) -> None:
    """The accounts that approve and revoke the organizations of each sector."""
    with reported_errors():
        rows = database.sector_stewards(sector)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        console.print("No steward is named; the operator decides (csfpilot sectors approve).")
        return
    table = Table("Sector", "Steward", "Since")
    for r in rows:
        table.add_row(r["sector"], r["email"], r["appointed_at"][:10])
    console.print(table)


@sectors_app.command("steward-add")
def steward_add(sector: SectorArg, email: EmailArg, as_json: AsJson = False) -> None:
    """Name an account steward of a sector: it approves and revokes the sector's organizations."""
    with reported_errors():
        row = database.sector_steward_add(sector, email)
    if as_json:
        emit_json(row)
    else:
        page = f"/sectors/{row['sector']}/members/"
        console.print(f"{row['email']} stewards {row['sector']}: the page is {page}")


@sectors_app.command("steward-remove")
def steward_remove(sector: SectorArg, email: EmailArg, as_json: AsJson = False) -> None:
    """End an account's stewardship of a sector (its past decisions stand)."""
    with reported_errors():
        removed = database.sector_steward_remove(sector, email)
    if as_json:
        emit_json({"sector": sector, "email": email, "removed": removed})
    else:
        console.print(
            f"{email} no longer stewards {sector}."
            if removed
            else f"{email} was not a steward of {sector}."
        )


def register() -> None:
    """The commands are added to ``csfpilot sectors`` when this module is imported."""
