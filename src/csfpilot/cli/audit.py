"""``csfpilot audit verify``: check that nobody changed the audit trail behind csfpilot's back.

Every organization's audit trail is a hash chain (see docs/audit.md). Editing
an entry in the database, deleting one, or reordering entries breaks the chain
at that entry, and this command names the first entry where it breaks.
"""

from __future__ import annotations

from typing import Annotated

import typer

from csfpilot.cli import database
from csfpilot.cli.output import announce, console, emit_json, reported_errors

EXIT_BROKEN = 3
# How `verify` names the instance chain (backups and restores), as the queries do.
INSTANCE = "(instance)"

app = typer.Typer(
    name="audit", help="Check the audit trail.", no_args_is_help=True, add_completion=False
)


@app.command()
def verify(
    org: Annotated[
        str | None,
        typer.Option("--org", help="Check only this organization's trail (its short name)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exact JSON.")] = False,
) -> None:
    """Check the audit trail's hash chain of every organization (or of one).

    Exits 0 when every chain holds, printing how many entries were checked; exits 3
    naming the first broken entry (its sequence number, id, and what is wrong: a
    changed entry, a missing one, or entries out of order).
    """
    with reported_errors():
        database.ready(announce)
        results = database.audit_verify(org)
    broken = [r for r in results if not r["ok"]]
    if as_json:
        emit_json(results)
    else:
        for r in results:
            if r["ok"]:
                console.print(f"{r['organization']}: {r['checked']} entries, chain intact")
            else:
                b = r["broken"]
                typer.echo(
                    f"{r['organization']}: BROKEN at entry {b['seq']} (id {b['id']}): "
                    f"{b['problem']}; {r['checked']} entries before it verified",
                    err=True,
                )
        total = sum(r["checked"] for r in results)
        orgs = [r for r in results if r["organization"] != INSTANCE]
        also = " and the instance chain" if len(orgs) < len(results) else ""
        if not broken:
            console.print(
                f"Audit trail intact: {total} entries in {len(orgs)} organization(s){also}."
            )
    if broken:
        raise typer.Exit(EXIT_BROKEN)
