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
from importlib import import_module

import typer

from csfpilot import __version__

Adder = Callable[[typer.Typer], None]


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


def _command(module: str, function: str, name: str | None = None) -> Adder:
    """Adds the command ``function`` of ``csfpilot.cli.<module>``, imported only then."""

    def add(app: typer.Typer) -> None:
        app.command(name)(getattr(import_module(f"csfpilot.cli.{module}"), function))

    return add


def _group(module: str, group: str, name: str | None) -> Adder:
    """Adds the group ``group`` of ``csfpilot.cli.<module>``, imported only then."""

    def add(app: typer.Typer) -> None:
        sub = getattr(import_module(f"csfpilot.cli.{module}"), group)
        # Typer tells "no name given" (the group's own name) from an explicit None.
        if name is None:
            app.add_typer(sub)
        else:
            app.add_typer(sub, name=name)

    return add


def _export(app: typer.Typer) -> None:
    app.add_typer(_exchange_groups()[0], name="export")


def _import(app: typer.Typer) -> None:
    app.add_typer(_exchange_groups()[1], name="import")


def _profile(app: typer.Typer) -> None:
    app.add_typer(_profile_group(), name="profile")


def _sectors(app: typer.Typer) -> None:
    app.add_typer(_sectors_group(), name="sectors")


def _manage(app: typer.Typer) -> None:
    app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(manage)


# In the order the full tree adds them, which is the order help lists them in (Typer
# lists the commands first, then the groups, each in the order added).
TOP_LEVEL: dict[str, Adder] = {
    "serve": _command("server", "serve"),
    "frameworks": _command("catalog", "frameworks"),
    "catalog": _group("catalog", "app", None),
    "crosswalk": _command("catalog", "crosswalk"),
    "import-framework": _command("importing", "import_framework", "import-framework"),
    "export": _export,
    "import": _import,
    "profile": _profile,
    "report": _group("reporting", "app", "report"),
    "assess": _command("assess", "assess"),
    "audit": _group("audit", "app", "audit"),
    "evidence": _group("evidence", "app", "evidence"),
    "map": _group("mapping", "app", "map"),
    "backup": _command("backup", "backup"),
    "restore": _command("backup", "restore"),
    "worker": _command("worker", "worker"),
    "jobs": _group("worker", "jobs_app", "jobs"),
    "sectors": _sectors,
    "accounts": _group("accounts", "accounts_app", "accounts"),
    "org": _group("accounts", "org_app", "org"),
    "tokens": _group("accounts", "tokens_app", "tokens"),
    "package": _group("package", "app", "package"),
    "keys": _group("package", "keys_app", "keys"),
    "questionnaire": _group("questionnaire", "app", "questionnaire"),
    "manage": _manage,
}


def build(names: Iterable[str]) -> typer.Typer:
    """The root app with the top-level commands ``names`` (keys of ``TOP_LEVEL``)."""
    app = root_app()
    for name in names:
        TOP_LEVEL[name](app)
    return app
