"""``csfpilot package export|verify|import`` and ``csfpilot keys``: signed exchange packages.

``verify`` needs no database unless ``--org`` is given: then the signer is
checked against that organization's trusted partner keys and its own keys;
without it, only the keys given with ``--trust FINGERPRINT`` or ``--key FILE``
are trusted. Exit codes: 0 intact and signed by a trusted key; 2 refused
(altered, not a package); 3 intact but unsigned or signed by a key not trusted.
Like the other database commands these act as the instance's operator.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from csfpilot.cli import database
from csfpilot.cli.output import announce, console, emit_json, reported_errors
from csfpilot.core.errors import InputRefused
from csfpilot.formats.packages import (
    MAX_PACKAGE_BYTES,
    grouped,
    listing,
    normalize_fingerprint,
    read_package,
    read_public_key,
)
from csfpilot.formats.packages.keys import fingerprint_of
from csfpilot.formats.safe_json import read_limited

EXIT_UNTRUSTED = 3

app = typer.Typer(
    name="package",
    help="Export, verify and import signed exchange packages (docs/packages.md).",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
keys_app = typer.Typer(
    name="keys",
    help="An organization's signing keys and the partner keys it trusts.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


class Level(StrEnum):
    full = "full"
    no_text = "no-text"
    scores = "scores"


Org = Annotated[
    str, typer.Option("--org", help="The organization's short name, e.g. example-manufacturing.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print exact JSON instead of text.")]
PackageFile = Annotated[Path, typer.Argument(help="The package file.", show_default=False)]


def write_package(target: Path, data: bytes) -> None:
    """Write a package whole or not at all: a reader never finds half a file."""
    try:
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(target)
    except OSError as exc:
        raise InputRefused(f"cannot write: {exc.strerror or exc}", file=str(target)) from None


def preview_or_write(
    result: dict[str, Any], level: str, output: Path | None, *, preview: bool, as_json: bool
) -> Path | None:
    """List what would leave (``preview``: None), or write the signed package and say where."""
    if preview:
        if as_json:
            emit_json(result["rows"])
        else:
            console.print(_listing_table(result["rows"], f"What leaves at {level}"))
        return None
    target = output or Path(result["filename"])
    write_package(target, result["data"])
    return target


def _listing_table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    table.add_column("Member")
    table.add_column("Field")
    table.add_column("Value", overflow="fold")
    for row in rows:
        table.add_row(row["member"], row["field"], escape(str(row["value"])))
    return table


@app.command("export")
def export(
    org: Org,
    profile: Annotated[str, typer.Option("--profile", help="The profile's id or name.")],
    level: Annotated[
        Level,
        typer.Option(
            "--level",
            help="full: everything; no-text: ratings, priorities, Tiers and dates only; "
            "scores: Function and Category scores only.",
        ),
    ] = Level.no_text,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The package file to write.")
    ] = None,
    evidence: Annotated[
        list[int] | None,
        typer.Option(
            "--evidence",
            help="An evidence item whose file travels with the package (full level only); "
            "repeat for each item.",
        ),
    ] = None,
    preview: Annotated[
        bool,
        typer.Option("--preview", help="List every field that would leave; write nothing."),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Export a profile as a package signed with the organization's key.

    [bold]--preview[/] lists every field the package would hold at that level, exactly.
    """
    with reported_errors():
        database.ready(announce)
        result = database.package_export(
            org, profile, level.value, preview=preview, evidence=evidence or []
        )
        target = preview_or_write(result, level.value, output, preview=preview, as_json=as_json)
        if target is None:
            return
    out = {
        "file": str(target),
        "package_id": result["package_id"],
        "fingerprint": result["fingerprint"],
        "level": level.value,
    }
    if as_json:
        emit_json(out)
    else:
        announce(f"Wrote {target} (signed by {grouped(result['fingerprint'])})")


def _file_trust(trust: list[str], key: list[Path]) -> dict[str, str]:
    names = {normalize_fingerprint(fp): "--trust" for fp in trust}
    for path in key:
        raw = read_public_key(
            read_limited(path, name=str(path), max_bytes=64 * 1024), name=str(path)
        )
        names[fingerprint_of(raw)] = str(path)
    return names


def _verify_out(pkg: Any) -> dict[str, Any]:
    from csfpilot.formats.packages import verification_summary

    return {
        **verification_summary(pkg),
        "listing": [{"member": m, "field": f, "value": v} for m, f, v in listing(pkg.members)],
    }


def _say(result: dict[str, Any], *, show_listing: bool) -> None:
    fp = result["fingerprint_grouped"] or "(unsigned)"
    console.print(f"Package {result['package_id']} ({result['kind']}, {result['redaction']})")
    console.print(f"Producer: {escape(result['producer'])}; created {result['created']}")
    console.print(f"Signing key: {fp}")
    if result["trusted"]:
        console.print(
            f"[green]Intact and signed by a trusted key[/] ({escape(result['trusted_as'])})"
        )
    else:
        console.print(f"[yellow]Intact but UNTRUSTED[/]: {escape('; '.join(result['problems']))}")
    if show_listing:
        console.print(_listing_table(result["listing"], "What the package holds"))


@app.command("verify")
def verify(
    file: PackageFile,
    org: Annotated[
        str | None,
        typer.Option("--org", help="Trust the keys this organization trusts (and its own)."),
    ] = None,
    trust: Annotated[
        list[str] | None, typer.Option("--trust", help="Trust this key fingerprint.")
    ] = None,
    key: Annotated[
        list[Path] | None, typer.Option("--key", help="Trust this public key (PEM) file.")
    ] = None,
    show_listing: Annotated[
        bool, typer.Option("--listing", help="Also list every field the package holds.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Check a package: intact, who signed it, and whether that key is trusted.

    Exit 0 only when intact and signed by a trusted key; 2 when altered (naming the
    member) or not a package; 3 when intact but unsigned or signed by an unknown key.
    """
    with reported_errors():
        data = read_limited(file, name=str(file), max_bytes=MAX_PACKAGE_BYTES)
        extra = _file_trust(trust or [], key or [])
        if org:
            database.ready(announce)
            result = database.package_inspect(org, data, filename=str(file))
            if not result["trusted"] and result["fingerprint"] in extra:
                result.update(trusted=True, trusted_as=extra[result["fingerprint"]], problems=[])
        else:
            result = _verify_out(read_package(data, extra, name=str(file)))
    if as_json:
        emit_json(result)
    else:
        _say(result, show_listing=show_listing)
    if not result["trusted"]:
        raise typer.Exit(EXIT_UNTRUSTED)


@app.command("import")
def import_(
    file: PackageFile,
    org: Org,
    name: Annotated[
        str | None, typer.Option("--name", help="Store the profile under this name.")
    ] = None,
    accept_untrusted: Annotated[
        bool,
        typer.Option(
            "--accept-untrusted",
            help="Import even when the signer is not trusted (the import stays marked untrusted).",
        ),
    ] = False,
    preview: Annotated[
        bool, typer.Option("--preview", help="Show the package's listing; store nothing.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Import a profile or Community Profile package into an organization.

    Altered packages never import; an already imported package (same id) is refused;
    an untrusted signer needs [bold]--accept-untrusted[/].
    """
    with reported_errors():
        data = read_limited(file, name=str(file), max_bytes=MAX_PACKAGE_BYTES)
        database.ready(announce)
        if preview:
            result = database.package_inspect(org, data, filename=str(file))
        else:
            result = database.package_import(
                org, data, filename=str(file), accept_untrusted=accept_untrusted, name=name
            )
    if as_json:
        emit_json(result)
        return
    if preview:
        _say(result, show_listing=True)
        if not result["importable"]:
            console.print(f"[yellow]Not importable[/]: {escape(result['reason'])}")
        return
    trust_word = "trusted" if result["trusted"] else "UNTRUSTED"
    announce(
        f"Imported {result['profile']['name']!r} into {org} ({trust_word}, "
        f"signed by {result['fingerprint_grouped'] or 'nobody'})"
    )


def _keys(org: str, action: str, as_json: bool, fingerprint: str = "", partner: str = "") -> None:
    with reported_errors():
        database.ready(announce)
        result = database.keys_command(org, action, fingerprint, partner)
    if as_json:
        emit_json(result)
        return
    table = Table(title=f"Signing keys of {org}")
    table.add_column("Fingerprint")
    table.add_column("State")
    table.add_column("Created")
    for k in result["keys"]:
        table.add_row(k["fingerprint_grouped"], k["state"], k["created"])
    console.print(table)
    trusted = Table(title="Trusted partner keys")
    trusted.add_column("Partner")
    trusted.add_column("Fingerprint")
    for t in result["trusted"]:
        trusted.add_row(escape(t["partner"]), t["fingerprint_grouped"])
    console.print(trusted)


Fingerprint = Annotated[
    str, typer.Argument(help="A key fingerprint (40 hex digits, spaces allowed).")
]


@keys_app.command("show")
def keys_show(org: Org, as_json: AsJson = False) -> None:
    """Show the organization's keys (made on first use) and trusted partner keys."""
    _keys(org, "show", as_json)


@keys_app.command("rotate")
def keys_rotate(org: Org, as_json: AsJson = False) -> None:
    """Retire the active key (kept to verify earlier packages) and make a new one."""
    _keys(org, "rotate", as_json)


@keys_app.command("revoke")
def keys_revoke(fingerprint: Fingerprint, org: Org, as_json: AsJson = False) -> None:
    """Revoke one of the organization's keys: its packages are no longer trusted."""
    _keys(org, "revoke", as_json, fingerprint)


@keys_app.command("trust")
def keys_trust(
    fingerprint: Fingerprint,
    org: Org,
    partner: Annotated[str, typer.Option("--name", help="The partner's name.")],
    as_json: AsJson = False,
) -> None:
    """Trust a partner's key, after comparing its fingerprint with the partner."""
    _keys(org, "trust", as_json, fingerprint, partner)


@keys_app.command("untrust")
def keys_untrust(fingerprint: Fingerprint, org: Org, as_json: AsJson = False) -> None:
    """Stop trusting a partner's key."""
    _keys(org, "untrust", as_json, fingerprint)
