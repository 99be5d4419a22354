"""Every command's --help reads well in an 80-column terminal: nothing wider, no value
placeholder on a flag, no sentence broken early, no choice cut in the middle."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from csfpilot.cli.main import app
from csfpilot.cli.reference import _walk

WIDTH = 80


def _commands() -> Iterator[tuple[list[str], Any]]:
    root = typer.main.get_command(app)
    for cmd, ctx in _walk(root, typer.Context(root, info_name="csfpilot")):
        yield ctx.command_path.split()[1:], cmd


COMMANDS = list(_commands())


def _help(path: list[str]) -> str:
    done = CliRunner().invoke(
        app, [*path, "--help"], env={"COLUMNS": str(WIDTH), "NO_COLOR": "1"}, terminal_width=WIDTH
    )
    assert done.exit_code == 0, done.output
    return done.output


def _early_breaks(text: str) -> list[str]:
    """Lines of the description (above the first panel) that end although the next
    line's first word would have fit on them: a sentence broken in the middle."""
    prose = text.split("╭", 1)[0].splitlines()
    room = WIDTH - 2  # one space of padding on each side
    early = []
    for line, following in itertools.pairwise(prose):
        here, there = line.strip(), following.strip()
        if not here or not there or here.startswith("Usage:"):
            continue
        if len(here) + 1 + len(there.split()[0]) <= room:
            early.append(here)
    return early


def test_the_walk_finds_every_command():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "profile validate", "tokens create", "org members", "serve"} <= names
    assert len(names) > 50


@pytest.mark.parametrize(
    ("path", "cmd"), COMMANDS, ids=[" ".join(p) or "csfpilot" for p, _ in COMMANDS]
)
def test_help_fits_80_columns_and_reads_as_written(path, cmd):
    text = _help(path)
    assert [line for line in text.splitlines() if len(line) > WIDTH] == []
    assert "<bool>" not in text and "BOOLEAN" not in text
    assert _early_breaks(text) == []
    for param in cmd.params:
        desc = param.type_descriptor
        for choice in desc.choices or () if desc.is_choice else ():
            assert str(getattr(choice, "value", choice)) in text, (param.name, choice)


def test_the_checks_catch_what_they_look_for():
    """The early-break check flags a sentence cut where the next word fits."""
    broken = " Every problem in a file is listed, each with its line; a\n YAML syntax error.\n"
    assert _early_breaks(broken) == ["Every problem in a file is listed, each with its line; a"]
    assert _early_breaks(" " + "word " * 15 + "\n last\n") == []
