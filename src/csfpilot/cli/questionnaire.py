"""``csfpilot questionnaire ...``: supplier questionnaires between instances, as signed packages.

The buyer writes a questionnaire package (``send``) and imports the supplier's answer
(``import-answer``); the supplier imports the questionnaire (``receive``), answers it from
one of its profiles (``answer --profile``, ``--set CODE=LEVEL``), looks at it (``show``) and
writes the signed answer at a redaction level (``return``). Like the other database
commands these act as the instance's operator (docs/suppliers.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from csfpilot.cli import database
from csfpilot.cli.output import announce, console, emit_json, reported_errors
from csfpilot.cli.package import (
    AsJson,
    Level,
    PackageFile,
    _listing_table,
    preview_or_write,
    write_package,
)
from csfpilot.core.errors import InputRefused
from csfpilot.formats.packages import MAX_PACKAGE_BYTES, grouped
from csfpilot.formats.safe_json import read_limited

app = typer.Typer(
    name="questionnaire",
    help="Supplier questionnaires as signed packages between instances (docs/suppliers.md).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


Org = Annotated[str, typer.Option("--org", help="The organization's short name.")]
Received = Annotated[int, typer.Argument(help="The received questionnaire's id.")]
Untrusted = Annotated[
    bool,
    typer.Option(
        "--accept-untrusted",
        help="Import even when the signer is not trusted (it stays marked untrusted).",
    ),
]


def _read(file: Path) -> bytes:
    return read_limited(file, name=str(file), max_bytes=MAX_PACKAGE_BYTES)


@app.command("send")
def send(
    org: Org,
    questionnaire: Annotated[int, typer.Option("--questionnaire", help="The questionnaire's id.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The package file to write.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Write an open questionnaire as a package signed with the organization's key."""
    with reported_errors():
        database.ready(announce)
        result = database.questionnaire_exchange("send_package", org, questionnaire)
        target = output or Path(result["filename"])
        write_package(target, result["data"])
    out = {"file": str(target), "package_id": result["package_id"]}
    if as_json:
        emit_json({**out, "fingerprint": result["fingerprint"]})
    else:
        announce(f"Wrote {target} (signed by {grouped(result['fingerprint'])})")


@app.command("import-answer")
def import_answer(
    file: PackageFile,
    org: Org,
    questionnaire: Annotated[
        int | None,
        typer.Option("--questionnaire", help="Refuse the answer unless it is for this one."),
    ] = None,
    accept_untrusted: Untrusted = False,
    preview: Annotated[
        bool, typer.Option("--preview", help="Verify and list the answer; store nothing.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Import a supplier's signed answer as its answers for the questionnaire it names.

    Refused (nothing stored): altered, replayed, for a questionnaire not sent or not open,
    signed by another key than the supplier's pinned one, scores only, or incomplete.
    """
    with reported_errors():
        data = _read(file)
        database.ready(announce)
        if preview:
            result = database.questionnaire_exchange(
                "check_answer", org, data, filename=str(file), questionnaire=questionnaire
            )
        else:
            result = database.questionnaire_exchange(
                "import_answer",
                org,
                data,
                filename=str(file),
                questionnaire=questionnaire,
                accept_untrusted=accept_untrusted,
            )
    if as_json:
        emit_json(result)
        return
    if preview:
        console.print(_listing_table(result["listing"], "What the answer holds"))
        trust = "trusted" if result["trusted"] else "UNTRUSTED: " + "; ".join(result["problems"])
        console.print(f"Signer: {escape(result['producer'])} ({escape(trust)})")
        if not result["importable"]:
            console.print(f"[yellow]Not importable[/]: {escape(result['reason'])}")
        return
    announce(
        f"Stored {result['supplier']} #{result['cycle']}: risk {result['risk_rating']} "
        f"({result['risk_score']}), {'trusted' if result['trusted'] else 'UNTRUSTED'}"
    )


def _show(result: dict[str, Any]) -> None:
    trust = f"trusted as {result['trusted_as']}" if result["trusted"] else "UNTRUSTED"
    console.print(
        f"{escape(result['buyer'])} #{result['cycle']} ({trust}), due {result['due']}; "
        f"id {result['id']}"
    )
    table = Table()
    for column in ("Outcome", "Required", "Profile", "Answer", ""):
        table.add_column(column)
    for r in result["rows"]:
        note = "not in profile" if not r["in_profile"] else ""
        if r["below_target"]:
            note = ", ".join(x for x in (note, "below target") if x)
        table.add_row(
            r["code"], str(r["target"]), str(r["own"] or "—"), str(r["answer"] or "—"), note
        )
    console.print(table)


@app.command("receive")
def receive(
    file: PackageFile, org: Org, accept_untrusted: Untrusted = False, as_json: AsJson = False
) -> None:
    """Import a customer's questionnaire package to answer it."""
    with reported_errors():
        data = _read(file)
        database.ready(announce)
        result = database.questionnaire_exchange(
            "receive", org, data, filename=str(file), accept_untrusted=accept_untrusted
        )
    emit_json(result) if as_json else _show(result)


@app.command("show")
def show(received: Received, org: Org, as_json: AsJson = False) -> None:
    """A received questionnaire: each outcome's required level, the profile's, the answer."""
    with reported_errors():
        database.ready(announce)
        result = database.questionnaire_exchange("show", org, received)
    emit_json(result) if as_json else _show(result)


def _changes(values: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for value in values:
        code, sep, level = value.partition("=")
        if not sep or not code.strip():
            raise InputRefused(f"--set takes CODE=LEVEL (e.g. GV.SC-05=largely), not {value!r}")
        out[code.strip().upper()] = {"answer": level.strip() or None}
    return out


@app.command("answer")
def answer(
    received: Received,
    org: Org,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="Answer every outcome from this profile (id or name)."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="CODE=LEVEL: answer one outcome (empty LEVEL clears it)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Answer a received questionnaire from a profile's Current levels, then change answers."""
    with reported_errors():
        changes = _changes(set_ or [])
        database.ready(announce)
        result = database.questionnaire_exchange(
            "answer", org, received, profile=profile, changes=changes
        )
    emit_json(result) if as_json else _show(result)


@app.command("return")
def return_(
    received: Received,
    org: Org,
    level: Annotated[
        Level,
        typer.Option(
            "--level",
            help="full: answers, comments and evidence; no-text: answers only; "
            "scores: Function and Category scores only.",
        ),
    ] = Level.no_text,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The package file to write.")
    ] = None,
    preview: Annotated[
        bool, typer.Option("--preview", help="List every field that would leave; write nothing.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Write the answers as a package signed with the organization's key."""
    with reported_errors():
        database.ready(announce)
        result = database.questionnaire_exchange(
            "return_answer", org, received, level.value, preview=preview
        )
        target = preview_or_write(result, level.value, output, preview=preview, as_json=as_json)
        if target is None:
            return
    if as_json:
        emit_json({"file": str(target), "package_id": result["package_id"], "level": level.value})
    else:
        announce(f"Wrote {target} (signed by {grouped(result['fingerprint'])})")
