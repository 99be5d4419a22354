"""The ``csfpilot`` command tree, one top-level name at a time.

Importing every command module and building all of Typer's commands takes about a
third of a second, longer than most commands' own work. So each top-level name has an
entry in :data:`TOP_LEVEL` that imports only the modules behind that name and adds it
to a root app; ``csfpilot.cli.main.app`` is the root with every entry added in order,
and the console entry point (``csfpilot.cli.entry``) builds the root with the one
entry its arguments name.

Some groups take commands from several modules (``profile``, ``export`` and
``import``, ``sectors``). Those modules add their commands to a group object that
lives for the whole process, so each group is completed once, whichever of the full
tree or a single entry asks for it first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import typer

from csfpilot import __version__


def _version(value: bool) -> None:
    if value:
        typer.echo(f"csfpilot {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """csfpilot: browse the CSF 2.0 Core, build profiles, close gaps, prove it."""


def manage(ctx: typer.Context) -> None:
    """Run a Django management command against csfpilot's database."""
    from csfpilot.cli import database

    database.manage(*ctx.args)


def root_app() -> typer.Typer:
    """The ``csfpilot`` app with its options and no commands yet."""
    from csfpilot.cli.help_layout import install as install_help_layout

    install_help_layout()
    app = typer.Typer(
        name="csfpilot",
        help="Adopt the NIST Cybersecurity Framework 2.0 from the terminal.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode="rich",
    )
    app.callback()(_root)
    return app


@cache
def _profile_group() -> typer.Typer:
    from csfpilot.cli import profile, profile_db, profile_intake, profile_transfer

    profile_db.register(profile.app)
    profile_intake.register(profile.app)
    profile_transfer.register(profile.app)
    return profile.app


@cache
def _exchange_groups() -> tuple[typer.Typer, typer.Typer]:
    """``export`` and ``import``: the profile exchange formats add to both."""
    from csfpilot.cli import exporting, profile_exchange

    profile_exchange.register(exporting.app)
    return exporting.app, profile_exchange.import_app


@cache
def _sectors_group() -> typer.Typer:
    # Imported in this order, the group lists its commands as it always has: the
    # worker's own, then the exchange's, then the members'.
    from csfpilot.cli import sector_exchange, sector_members, worker

    sector_exchange.register()
    sector_members.register()
    return worker.sectors_app


def _serve(app: typer.Typer) -> None:
    from csfpilot.cli import server

    app.command()(server.serve)


def _frameworks(app: typer.Typer) -> None:
    from csfpilot.cli import catalog

    app.command()(catalog.frameworks)


def _catalog(app: typer.Typer) -> None:
    from csfpilot.cli import catalog

    app.add_typer(catalog.app)


def _crosswalk(app: typer.Typer) -> None:
    from csfpilot.cli import catalog

    app.command()(catalog.crosswalk)


def _import_framework(app: typer.Typer) -> None:
    from csfpilot.cli import importing

    app.command("import-framework")(importing.import_framework)


def _export(app: typer.Typer) -> None:
    app.add_typer(_exchange_groups()[0], name="export")


def _import(app: typer.Typer) -> None:
    app.add_typer(_exchange_groups()[1], name="import")


def _profile(app: typer.Typer) -> None:
    app.add_typer(_profile_group(), name="profile")


def _report(app: typer.Typer) -> None:
    from csfpilot.cli import reporting

    app.add_typer(reporting.app, name="report")


def _assess(app: typer.Typer) -> None:
    from csfpilot.cli import assess

    app.command()(assess.assess)


def _audit(app: typer.Typer) -> None:
    from csfpilot.cli import audit

    app.add_typer(audit.app, name="audit")


def _evidence(app: typer.Typer) -> None:
    from csfpilot.cli import evidence

    app.add_typer(evidence.app, name="evidence")


def _map(app: typer.Typer) -> None:
    from csfpilot.cli import mapping

    app.add_typer(mapping.app, name="map")


def _backup(app: typer.Typer) -> None:
    from csfpilot.cli import backup

    app.command()(backup.backup)


def _restore(app: typer.Typer) -> None:
    from csfpilot.cli import backup

    app.command()(backup.restore)


def _worker(app: typer.Typer) -> None:
    from csfpilot.cli import worker

    app.command()(worker.worker)


def _jobs(app: typer.Typer) -> None:
    from csfpilot.cli import worker

    app.add_typer(worker.jobs_app, name="jobs")


def _sectors(app: typer.Typer) -> None:
    app.add_typer(_sectors_group(), name="sectors")


def _accounts(app: typer.Typer) -> None:
    from csfpilot.cli import accounts

    app.add_typer(accounts.accounts_app, name="accounts")


def _org(app: typer.Typer) -> None:
    from csfpilot.cli import accounts

    app.add_typer(accounts.org_app, name="org")


def _tokens(app: typer.Typer) -> None:
    from csfpilot.cli import accounts

    app.add_typer(accounts.tokens_app, name="tokens")


def _package(app: typer.Typer) -> None:
    from csfpilot.cli import package

    app.add_typer(package.app, name="package")


def _keys(app: typer.Typer) -> None:
    from csfpilot.cli import package

    app.add_typer(package.keys_app, name="keys")


def _questionnaire(app: typer.Typer) -> None:
    from csfpilot.cli import questionnaire

    app.add_typer(questionnaire.app, name="questionnaire")


def _manage(app: typer.Typer) -> None:
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(manage)


# In the order the full tree adds them, which is the order help lists them in (Typer
# lists the commands first, then the groups, each in the order added).
TOP_LEVEL: dict[str, Callable[[typer.Typer], None]] = {
    "serve": _serve,
    "frameworks": _frameworks,
    "catalog": _catalog,
    "crosswalk": _crosswalk,
    "import-framework": _import_framework,
    "export": _export,
    "import": _import,
    "profile": _profile,
    "report": _report,
    "assess": _assess,
    "audit": _audit,
    "evidence": _evidence,
    "map": _map,
    "backup": _backup,
    "restore": _restore,
    "worker": _worker,
    "jobs": _jobs,
    "sectors": _sectors,
    "accounts": _accounts,
    "org": _org,
    "tokens": _tokens,
    "package": _package,
    "keys": _keys,
    "questionnaire": _questionnaire,
    "manage": _manage,
}


def build(names: Iterable[str]) -> typer.Typer:
    """The root app with the top-level commands ``names`` (keys of ``TOP_LEVEL``)."""
    app = root_app()
    for name in names:
        TOP_LEVEL[name](app)
    return app
