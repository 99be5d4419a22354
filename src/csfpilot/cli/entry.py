"""The ``csfpilot`` console entry point: only the commands the arguments name are loaded.

``csfpilot profile score FILE`` builds the root with the ``profile`` group alone, and
``csfpilot --version`` the root alone; help on the root, no arguments, a name that is
not a top-level command (whose error lists or suggests the others) and shell
completion get the whole tree, so everything the user sees is what
``csfpilot.cli.main.app`` shows.
"""

from __future__ import annotations

import gc
import os
import sys

import typer


def _completing() -> bool:
    # Click completes when _<PROG>_COMPLETE is set, and PROG follows the script's name.
    return any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)


def app_for(args: list[str]) -> typer.Typer:
    """The app to run ``csfpilot`` with ``args``: one top-level command, or all."""
    from csfpilot.cli.tree import TOP_LEVEL, build

    # Only a first argument that names a command is looked at: an option before it
    # (--help, --version) belongs to the root, whose help lists every command.
    if args and args[0] in TOP_LEVEL and not _completing():
        return build([args[0]])
    if args == ["--version"]:  # answered before any command is looked at
        return build([])
    from csfpilot.cli.main import app

    return app


def main(prog_name: str | None = None) -> None:
    app = app_for(sys.argv[1:])
    # What is loaded by now (modules, their classes and functions) lives as long as the
    # process. Frozen, the collector no longer walks it at every collection the command's
    # own work triggers, nor at exit: a tenth of the CPU time of a command on a profile
    # file. What the command creates is collected as usual.
    gc.freeze()
    app(prog_name=prog_name)
