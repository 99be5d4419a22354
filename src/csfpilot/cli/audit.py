"""``csfpilot audit verify`` and ``audit checkpoint``: check that nobody changed the audit
trail behind csfpilot's back.

Every organization's audit trail is a hash chain whose entries also carry a keyed hash
made with the instance's audit key, and the chains' heads are anchored by signed
checkpoints kept outside the database (see docs/audit.md). Editing an entry in the
database, deleting one, reordering entries, or deleting the newest ones breaks the
trail, and ``verify`` names the first entry where it breaks.
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
    """Check the audit trail of every organization (or of one).

    Checks each entry's hash, link and keyed hash, and each chain against the latest
    signed checkpoint of its head. Exits 0 when every chain holds, printing how many
    entries were checked; exits 3 naming the first broken entry (its sequence number,
    id, and what is wrong: a changed entry, a missing one, entries out of order, an
    entry rewritten without the audit key, or newest entries deleted), or a checkpoint
    line that is not signed with this instance's key.
    """
    with reported_errors():
        database.ready(announce)
        results, file_problems = database.audit_verify(org)
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
        if not broken and not file_problems:
            console.print(
                f"Audit trail intact: {total} entries in {len(orgs)} organization(s){also}."
            )
    for problem in file_problems:
        typer.echo(f"checkpoint file: {problem}", err=True)
    if broken or file_problems:
        raise typer.Exit(EXIT_BROKEN)


@app.command()
def checkpoint(
    as_json: Annotated[bool, typer.Option("--json", help="Print exact JSON.")] = False,
) -> None:
    """Write a signed checkpoint of each audit chain's newest entry outside the database.

    Appends one line per chain whose head moved since its last checkpoint to
    CSFPILOT_AUDIT_CHECKPOINT_FILE (and e-mails them to CSFPILOT_AUDIT_CHECKPOINT_EMAIL
    when set). The worker does this every CSFPILOT_AUDIT_CHECKPOINT_MINUTES; run it from
    a scheduler too if no worker runs.
    """
    with reported_errors():
        database.ready(announce)
        written = database.audit_checkpoint()
    if as_json:
        emit_json(written)
        return
    for c in written:
        console.print(f"{c['chain']}: entry {c['seq']} ({c['head'][:12]}…) at {c['at']}")
    console.print(f"{len(written)} checkpoint(s) written.")
