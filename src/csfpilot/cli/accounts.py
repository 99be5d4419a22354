"""``csfpilot accounts / org / tokens``: make what a script needs, without a browser.

An account, an organization with its owner, members, and API tokens are
otherwise made in a signed-in browser session. These commands act as the
**instance's operator** (see ``csfpilot profile import``): no sign-in, and each
change goes through the same use case as the web, recorded in the audit trail
with the command line as the actor. A token's secret is printed once, when it
is made, and never again.
"""

from __future__ import annotations

import getpass
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from csfpilot.cli import database
from csfpilot.cli.output import EXIT_REFUSED, announce, console, emit_json, fail, reported_errors

AsJson = Annotated[bool, typer.Option("--json", help="Print exact JSON instead of text.")]
OPERATOR = "Runs as the instance's operator: no sign-in; recorded in the audit trail."


class RoleName(StrEnum):
    OWNER = "owner"
    ASSESSOR = "assessor"
    AUDITOR = "auditor"
    CONTRIBUTOR = "contributor"
    VIEWER = "viewer"


def _group(name: str, help_text: str) -> typer.Typer:
    return typer.Typer(name=name, help=help_text, no_args_is_help=True, add_completion=False)


accounts_app = _group("accounts", "Create sign-in accounts.")
org_app = _group("org", "Create organizations and list or add their members.")
tokens_app = _group("tokens", "Create, list and revoke API tokens.")


def _day(value: str | None) -> str:
    """An ISO 8601 timestamp shown as its date (YYYY-MM-DD), or a dash."""
    return value[:10] if value else "—"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        fail("no terminal to ask for the password; pipe it in with --password-stdin", EXIT_REFUSED)
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password (again): "):
        fail("the passwords differ", EXIT_REFUSED)
    return password


@accounts_app.command("create")
def create_account(
    email: Annotated[str, typer.Argument(help="The e-mail address to sign in with.")],
    name: Annotated[str, typer.Option("--name", help="Full name shown to other members.")] = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input's first line."
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Create a sign-in account (e-mail address verified) when sign-up is closed.

    The password is asked for twice, or read from standard input with
    --password-stdin; it must pass the same checks as on the sign-up page.
    The account belongs to no organization until one adds it.

    Runs as the instance's operator: no sign-in; recorded in the instance's
    audit trail.
    """
    password = _password(password_stdin)
    with reported_errors():
        database.ready(announce)
        account = database.account_create(email, password, name)
    if as_json:
        emit_json(account)
        return
    console.print(f"Created the account {account['email']} (id {account['id']}).")


@org_app.command("create")
def create_org(
    name: Annotated[str, typer.Argument(help="The organization's name.")],
    owner: Annotated[
        str, typer.Option("--owner", help="E-mail of the account that becomes its first owner.")
    ],
    slug: Annotated[
        str | None,
        typer.Option("--slug", help="Its short name in URLs (default: made from the name)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Create an organization with an existing account as its first owner.

    The short name is made from the name unless --slug gives one; it never
    changes afterwards, so URLs and scripts keep working.

    Runs as the instance's operator: no sign-in; recorded in the
    organization's audit trail.
    """
    with reported_errors():
        database.ready(announce)
        org = database.org_create(name, owner=owner, slug=slug)
    if as_json:
        emit_json(org)
        return
    console.print(f"Created {org['name']!r} (short name {org['slug']}), owned by {owner}.")


@org_app.command("members")
def members(
    org: Annotated[str, typer.Argument(help="The organization's short name.")],
    add: Annotated[
        str | None,
        typer.Option("--add", help="Add this account (an e-mail address) as a member."),
    ] = None,
    role: Annotated[
        RoleName, typer.Option("--role", help="The role of the member --add adds.")
    ] = RoleName.VIEWER,
    as_json: AsJson = False,
) -> None:
    """List an organization's members, or add one with --add EMAIL --role ROLE.

    The account must exist already (csfpilot accounts create); the new member
    is told by e-mail, as when an owner adds them on the members page.

    Runs as the instance's operator: no sign-in; an addition is recorded in
    the organization's audit trail.
    """
    with reported_errors():
        database.ready(announce)
        if add is not None:
            added = database.org_add_member(org, add, role.value)
            if as_json:
                emit_json(added)
                return
            console.print(f"Added {added['email']} to {org} as {added['role']}.")
            return
        rows = database.org_members(org)
    if as_json:
        emit_json(rows)
        return
    table = Table(title=f"Members of {org}", title_justify="left")
    table.add_column("Id", justify="right", no_wrap=True)
    table.add_column("E-mail", overflow="fold")
    table.add_column("Name", overflow="fold")
    table.add_column("Role", no_wrap=True)
    table.add_column("Since", no_wrap=True)
    for m in rows:
        table.add_row(str(m["id"]), m["email"], m["name"] or "—", m["role"], _day(m["since"]))
    console.print(table)


@tokens_app.command("create")
def create_token(
    user: Annotated[str, typer.Option("--user", help="E-mail of the account the token acts as.")],
    org: Annotated[str, typer.Option("--org", help="The one organization it works in.")],
    name: Annotated[str, typer.Option("--name", help="What it is for, e.g. 'CI export job'.")],
    role: Annotated[
        RoleName,
        typer.Option("--role", help="The most it may do; never more than the person's role."),
    ] = RoleName.VIEWER,
    days: Annotated[
        int, typer.Option("--days", min=1, max=366, help="How long it lasts, in days.")
    ] = 90,
    as_json: AsJson = False,
) -> None:
    """Create an API token for a member of an organization, and print it once.

    Only the token's SHA-256 is kept: save the printed token now (in a secret
    store); it cannot be shown again. Send it as 'Authorization: Bearer TOKEN'.
    With --json the token is the "token" field.

    Runs as the instance's operator: no sign-in; recorded in the
    organization's audit trail (the token's name, prefix, role and expiry;
    never the token).
    """
    with reported_errors():
        database.ready(announce)
        made = database.token_create(user, org, role=role.value, name=name, days=days)
    if as_json:
        emit_json(made)
        return
    announce(
        f"Created token {made['id']} {made['name']!r} for {made['user']} in {made['organization']}"
        f" as {made['role']}, expires {_day(made['expires'])}. Save it now; it is not shown again:"
    )
    typer.echo(made["token"])


def _tokens_table(rows: list[dict[str, Any]]) -> Table:
    # Two lines per token keep the table within 80 columns: what it is, and whose.
    table = Table(title="API tokens", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Id", justify="right", no_wrap=True)
    table.add_column("Token", overflow="fold", ratio=1)
    table.add_column("Held by", overflow="fold", ratio=1)
    table.add_column("Expires", no_wrap=True)
    table.add_column("Last used", no_wrap=True)
    table.add_column("State", no_wrap=True)
    for t in rows:
        table.add_row(
            str(t["id"]),
            f"{t['name']}\n[dim]{t['prefix']}…[/]",
            f"{t['user']}\n[dim]{t['organization']}, {t['role']}[/]",
            _day(t["expires"]),
            _day(t["last_used"]),
            t["state"],
        )
    return table


@tokens_app.command("list")
def list_tokens(
    org: Annotated[str | None, typer.Option("--org", help="Only this organization's.")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only this account's.")] = None,
    as_json: AsJson = False,
) -> None:
    """List API tokens, newest first: whose, where, role, expiry, last use, state.

    Tokens are shown by their prefix (their first characters); the secret
    itself is never kept, so it cannot be listed.

    Runs as the instance's operator: no sign-in.
    """
    with reported_errors():
        database.ready(announce)
        rows = database.token_list(org, user)
    if as_json:
        emit_json(rows)
        return
    console.print(_tokens_table(rows))


@tokens_app.command("revoke")
def revoke_token(
    token_id: Annotated[int, typer.Argument(help="The token's id (see csfpilot tokens list).")],
    as_json: AsJson = False,
) -> None:
    """Revoke an API token at once (anyone's: a leaked one, or one of a person who left).

    Revoking a token that is already revoked changes nothing.

    Runs as the instance's operator: no sign-in; recorded in the
    organization's audit trail.
    """
    with reported_errors():
        database.ready(announce)
        token = database.token_revoke(token_id)
    if as_json:
        emit_json(token)
        return
    console.print(
        f"Token {token['id']} {token['name']!r} ({token['prefix']}…) of {token['user']} is revoked."
    )
