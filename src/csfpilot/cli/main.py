"""The ``csfpilot`` command."""

from __future__ import annotations

import typer

from csfpilot import __version__
from csfpilot.cli import (
    accounts,
    assess,
    audit,
    backup,
    catalog,
    evidence,
    exporting,
    importing,
    mapping,
    package,
    profile,
    profile_db,
    profile_exchange,
    profile_intake,
    profile_transfer,
    questionnaire,
    sector_exchange,
    sector_members,
    server,
    worker,
)
from csfpilot.cli.help_layout import install as install_help_layout
from csfpilot.cli.reporting import app as report_app

install_help_layout()

app = typer.Typer(
    name="csfpilot",
    help="Adopt the NIST Cybersecurity Framework 2.0 from the terminal.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"csfpilot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """csfpilot: browse the CSF 2.0 Core, build profiles, close gaps, prove it."""


app.command()(server.serve)
app.command()(catalog.frameworks)
app.add_typer(catalog.app)
app.command()(catalog.crosswalk)
app.command("import-framework")(importing.import_framework)
app.add_typer(exporting.app, name="export")
app.add_typer(profile_exchange.import_app, name="import")
profile_exchange.register(exporting.app)
app.add_typer(profile.app, name="profile")
profile_db.register(profile.app)
profile_intake.register(profile.app)
profile_transfer.register(profile.app)
app.add_typer(report_app, name="report")
app.command()(assess.assess)
app.add_typer(audit.app, name="audit")
app.add_typer(evidence.app, name="evidence")
app.add_typer(mapping.app, name="map")
app.command()(backup.backup)
app.command()(backup.restore)
app.command()(worker.worker)
app.add_typer(worker.jobs_app, name="jobs")
sector_members.register()
sector_exchange.register()
app.add_typer(worker.sectors_app, name="sectors")
app.add_typer(accounts.accounts_app, name="accounts")
app.add_typer(accounts.org_app, name="org")
app.add_typer(accounts.tokens_app, name="tokens")
app.add_typer(package.app, name="package")
app.add_typer(package.keys_app, name="keys")
app.add_typer(questionnaire.app, name="questionnaire")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command against csfpilot's database."""
    from csfpilot.cli import database

    database.manage(*ctx.args)
