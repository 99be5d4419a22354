"""``csfpilot evidence``: an organization's evidence library from the terminal.

Add files, links and written attestations; add versions (earlier ones are
kept); link an item to outcomes of a profile; review a link; list what expires.
Files are checked as an upload is: size, the organization's quota, and a type
read from the content (an HTML or SVG page is refused under any name).

These commands act as the **instance's operator** (see ``csfpilot profile
import``): no sign-in, an owner's permissions, each change recorded in the
audit trail. ``--json`` prints the shapes the REST API returns for the same
thing (docs/api.md, "Evidence"). Exit codes: 0 done, 1 something named does
not exist, 2 input refused or in conflict with what is stored.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from csfpilot.cli import database, evidence_scan
from csfpilot.cli.output import announce, console, emit_json, reported_errors
from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence import Confidentiality, EvidenceKind

app = typer.Typer(
    name="evidence",
    help="Keep the evidence that proves ratings: files, links, attestations.",
    no_args_is_help=True,
    add_completion=False,
)


class Side(StrEnum):
    CURRENT = "current"
    TARGET = "target"


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    INSUFFICIENT = "insufficient"
    REJECTED = "rejected"


Org = Annotated[
    str, typer.Option("--org", help="The organization's short name, e.g. example-manufacturing.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print exact JSON instead of a table.")]
ItemId = Annotated[int, typer.Argument(help="The evidence item's id.", show_default=False)]
FileArg = Annotated[
    Path | None,
    typer.Argument(help="A file to keep (PDF, office document, image, text).", show_default=False),
]
Url = Annotated[str, typer.Option("--url", help="A link (https:// or http://) instead of a file.")]
Statement = Annotated[
    str, typer.Option("--statement", help="A written attestation instead of a file.")
]
Note = Annotated[str, typer.Option("--note", help="A note on this version.")]


def _day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputRefused(f"{value!r} is not a date (YYYY-MM-DD)", field=name) from None


def _content(file: Path | None, url: str, statement: str) -> None:
    if sum(bool(x) for x in (file is not None, url, statement)) != 1:
        raise InputRefused("give exactly one of FILE, --url or --statement")
    if file is not None and not file.is_file():
        raise InputRefused("no such file", file=str(file))


@app.command()
def add(
    org: Org,
    title: Annotated[str, typer.Option("--title", help="What the item is.", show_default=False)],
    file: FileArg = None,
    url: Url = "",
    statement: Statement = "",
    kind: Annotated[EvidenceKind, typer.Option("--kind", help="What kind of item.")] = (
        EvidenceKind.OTHER
    ),
    description: Annotated[str, typer.Option("--description", help="More about it.")] = "",
    source: Annotated[
        str, typer.Option("--source", help="Who or what produced it (a tool and version).")
    ] = "",
    collected_on: Annotated[
        str | None, typer.Option("--collected-on", help="When it was collected (YYYY-MM-DD).")
    ] = None,
    effective_from: Annotated[
        str | None, typer.Option("--effective-from", help="When it takes effect (YYYY-MM-DD).")
    ] = None,
    valid_until: Annotated[
        str | None, typer.Option("--valid-until", help="Its last valid day (YYYY-MM-DD).")
    ] = None,
    review_days: Annotated[
        int | None,
        typer.Option("--review-days", help="Or: days from --effective-from until a review."),
    ] = None,
    owner: Annotated[
        str, typer.Option("--owner", help="A member's e-mail address, or a person's name.")
    ] = "",
    confidentiality: Annotated[
        Confidentiality, typer.Option("--confidentiality", help="Its label.")
    ] = Confidentiality.INTERNAL,
    note: Note = "",
    as_json: AsJson = False,
) -> None:
    """Add an item: a FILE, a link (--url) or a written attestation (--statement).

    A file is kept by its SHA-256; the same bytes are stored once. An item with
    --valid-until, or --review-days counted from --effective-from, expires.

    Runs as the instance's operator: no sign-in; recorded in the audit trail.
    """
    with reported_errors():
        _content(file, url, statement)
        fields: dict[str, Any] = {
            "title": title,
            "description": description,
            "kind": kind.value,
            "source": source,
            "collected_on": _day("collected_on", collected_on),
            "effective_from": _day("effective_from", effective_from),
            "valid_until": _day("valid_until", valid_until),
            "review_interval_days": review_days,
            "confidentiality": confidentiality.value,
        }
        database.ready(announce)
        item = database.evidence_add(
            org, fields=fields, owner=owner, file=file, url=url, statement=statement, note=note
        )
    if as_json:
        emit_json(item)
        return
    console.print(f"Added item {item['id']}: {escape(item['title'])} ({item['form']}).")
    _print_versions(item["versions"])


@app.command("version")
def version(
    org: Org,
    item: ItemId,
    file: FileArg = None,
    url: Url = "",
    statement: Statement = "",
    note: Note = "",
    as_json: AsJson = False,
) -> None:
    """Add a new version of an item; every earlier version is kept as it was.

    The new version is of the item's form: a file for a file item, a link for
    a link, an attestation for an attestation.

    Runs as the instance's operator: no sign-in; recorded in the audit trail.
    """
    with reported_errors():
        _content(file, url, statement)
        database.ready(announce)
        made = database.evidence_version(
            org, item, file=file, url=url, statement=statement, note=note
        )
    if as_json:
        emit_json(made)
        return
    console.print(f"Added version {made['number']} to item {item}.")
    _print_versions([made])


def _expiry(row: dict[str, Any]) -> str:
    return f"{row['expires_on'] or '—'}\n[dim]{row['freshness']}[/]"


@app.command("list")
def list_items(
    org: Org,
    text: Annotated[str, typer.Option("--search", help="Words in title or description.")] = "",
    kind: Annotated[EvidenceKind | None, typer.Option("--kind", help="Only this kind.")] = None,
    retired: Annotated[bool, typer.Option("--retired", help="List retired items.")] = False,
    as_json: AsJson = False,
) -> None:
    """List an organization's evidence items, by title."""
    with reported_errors():
        database.ready(announce)
        rows = database.evidence_list(
            org, text=text, kind=kind.value if kind else "", retired=retired
        )
    if as_json:
        emit_json(rows)
        return
    table = Table(title=f"Evidence of {org}", title_justify="left")
    table.add_column("Id", justify="right", no_wrap=True)
    table.add_column("Item (kind, form)", ratio=1)
    table.add_column("Expires", no_wrap=True)
    table.add_column("Ver.", justify="right", no_wrap=True)
    table.add_column("Links", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            str(row["id"]),
            f"[bold]{escape(row['title'])}[/]\n[dim]{row['kind']}, {row['form']}[/]",
            _expiry(row),
            str(row["latest_version"] or ""),
            str(row["links"]),
        )
    console.print(table)


def _print_versions(versions: list[dict[str, Any]]) -> None:
    for v in versions:
        what = v["filename"] or v["url"] or "written attestation"
        extra = f" ({v['media_type']}, {v['size']:,} bytes)" if v["sha256"] else ""
        console.print(f"  v{v['number']}  {escape(what)}{extra}  {v['created_at'][:10]}")
        if v["sha256"]:
            console.print(f"      sha256 {v['sha256']}")
        if v["statement"]:
            console.print(f"      [dim]{escape(v['statement'])}[/]", soft_wrap=False)


@app.command()
def show(org: Org, item: ItemId, as_json: AsJson = False) -> None:
    """Show an item: its dates, every version with its SHA-256, and its links."""
    with reported_errors():
        database.ready(announce)
        row = database.evidence_show(org, item)
    if as_json:
        emit_json(row)
        return
    console.print(f"[bold]{escape(row['title'])}[/]  (item {row['id']}, {row['kind']})")
    for label, key in (
        ("Source", "source"),
        ("Owner", "owner"),
        ("Collected on", "collected_on"),
        ("Effective from", "effective_from"),
        ("Valid until", "expires_on"),
        ("Confidentiality", "confidentiality"),
    ):
        if row[key]:
            console.print(f"{label}: {escape(str(row[key]))}")
    console.print(f"State: {row['freshness']}" + (", retired" if row["retired"] else ""))
    console.print("Versions:")
    _print_versions(row["versions"])
    if not row["link_list"]:
        console.print("No links to outcomes yet.")
        return
    table = Table(title="Links", title_justify="left")
    table.add_column("Link", justify="right", no_wrap=True)
    table.add_column("Profile", ratio=1)
    table.add_column("Outcome", no_wrap=True)
    table.add_column("Side", no_wrap=True)
    table.add_column("Review", no_wrap=True)
    for x in row["link_list"]:
        table.add_row(
            str(x["id"]),
            escape(x["profile_name"]),
            x["outcome"],
            x["side"],
            x["review"] + (f"\n[dim]{escape(x['reviewed_by'])}[/]" if x["reviewed_by"] else ""),
        )
    console.print(table)


@app.command()
def link(
    org: Org,
    item: ItemId,
    profile: Annotated[
        str, typer.Option("--profile", help="The profile's id or name.", show_default=False)
    ],
    outcome: Annotated[
        list[str],
        typer.Option(
            "--outcome",
            help="An outcome id, e.g. GV.PO-01 (repeat for more).",
            show_default=False,
            metavar="<id>",
        ),
    ],
    side: Annotated[
        Side, typer.Option("--side", help="target: evidence expected once the Target is met.")
    ] = Side.CURRENT,
    statement: Annotated[
        str, typer.Option("--statement", help="What the item shows for these outcomes.")
    ] = "",
    as_json: AsJson = False,
) -> None:
    """Link an item to outcomes of a profile (all of them, or none if one is refused).

    A new link waits for review; only accepted, unexpired Current evidence
    supports a rating.

    Runs as the instance's operator: no sign-in; recorded in the audit trail.
    """
    with reported_errors():
        database.ready(announce)
        made = database.evidence_link(
            org,
            item,
            profile=profile,
            outcomes=outcome,
            side=side.value,
            statement=statement,
        )
    if as_json:
        emit_json(made)
        return
    for x in made:
        console.print(
            f"Link {x['id']}: item {x['item']} → {x['outcome']} ({x['side']}) "
            f"in {escape(x['profile_name'])}, waiting for review."
        )


@app.command()
def review(
    org: Org,
    link_id: Annotated[int, typer.Argument(help="The link's id (from show).", show_default=False)],
    state: Annotated[Verdict, typer.Option("--state", help="The verdict.", show_default=False)],
    comment: Annotated[str, typer.Option("--comment", help="Why; needed unless accepted.")] = "",
    as_json: AsJson = False,
) -> None:
    """Review what an item shows for one outcome.

    Runs as the instance's operator: no sign-in; recorded in the audit trail.
    """
    with reported_errors():
        database.ready(announce)
        row = database.evidence_review(org, link_id, state=state.value, comment=comment)
    if as_json:
        emit_json(row)
        return
    console.print(f"Link {row['id']} ({row['outcome']}): {row['review']}.")


@app.command()
def due(
    org: Org,
    days: Annotated[int, typer.Option("--days", help="How far ahead to look.", min=0)] = 30,
    as_json: AsJson = False,
) -> None:
    """List items that expire within --days, and those already expired."""
    with reported_errors():
        database.ready(announce)
        rows = database.evidence_due(org, days=days)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        console.print(f"Nothing in {org} expires within {days} days.")
        return
    table = Table(title=f"Evidence of {org} due within {days} days", title_justify="left")
    table.add_column("Id", justify="right", no_wrap=True)
    table.add_column("Item (owner)", ratio=1)
    table.add_column("Expires", no_wrap=True)
    table.add_column("Days", justify="right", no_wrap=True)
    for row in rows:
        owner = f"\n[dim]{escape(row['owner'])}[/]" if row["owner"] else ""
        table.add_row(
            str(row["id"]),
            f"[bold]{escape(row['title'])}[/]{owner}",
            f"{row['expires_on']}\n[dim]{row['freshness']}[/]",
            str(row["days_left"]),
        )
    console.print(table)


app.command("import-scan")(evidence_scan.import_scan)
