"""Help screens and refusals of one top-level command, without running its work.

Kept apart from the tests so that a fresh interpreter can import it before any command
tree is built (a group completed by the whole tree would hide one the lazy table left
incomplete).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

WIDTH = 80
ENV = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERMINAL_WIDTH": str(WIDTH)}


def run(app: typer.Typer, args: list[str]) -> tuple[int, str]:
    done = CliRunner().invoke(app, args, env=ENV, terminal_width=WIDTH)
    return done.exit_code, done.output


def _arguments(name: str, command: Any) -> list[list[str]]:
    if not isinstance(command, TyperGroup):
        probes = [[name, "--help"]]
        # manage passes unknown options on to Django, so it would run.
        if not command.context_settings.get("ignore_unknown_options"):
            probes.append([name, "--no-such-option"])
        return probes
    probes = [[name], [name, "--help"], [name, "no-such-command"], [name, "--no-such-option"]]
    for sub in command.commands:
        probes += [[name, sub, "--help"], [name, sub, "--no-such-option"]]
    return probes


def probes(app: typer.Typer, name: str) -> list[list[Any]]:
    """``[arguments, exit code, output]`` of each probe of ``name`` in ``app``."""
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return [[args, *run(app, args)] for args in _arguments(name, command)]


if __name__ == "__main__":
    from csfpilot.cli.tree import build

    lazy = build([sys.argv[1]])
    shown = list(typer.main.get_command(lazy).commands)  # type: ignore[attr-defined]
    print(json.dumps({"commands": shown, "probes": probes(lazy, sys.argv[1])}))
