"""The console entry point builds only the top-level command its arguments name, and what
that command shows and does is what the whole tree (``csfpilot.cli.main.app``) shows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from csfpilot.cli.entry import app_for
from csfpilot.cli.main import app
from csfpilot.cli.tree import TOP_LEVEL, build
from tests.cli.cli_probes import ENV, probes, run

ROOT = Path(__file__).resolve().parent.parent.parent
FULL = typer.main.get_command(app)
NAMES = list(FULL.commands)  # type: ignore[attr-defined]


def test_every_top_level_command_has_an_entry_in_the_lazy_table():
    assert sorted(NAMES) == sorted(TOP_LEVEL)


@pytest.mark.parametrize("name", NAMES)
def test_a_lazily_built_command_shows_and_refuses_as_the_whole_tree(name):
    # Built in a fresh interpreter: here the whole tree has completed every group.
    done = subprocess.run(
        [sys.executable, "-m", "tests.cli.cli_probes", name],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=True,
    )
    lazy = json.loads(done.stdout)
    assert lazy["commands"] == [name]
    assert lazy["probes"] == probes(app, name)


@pytest.mark.parametrize(
    "args",
    [[], ["--help"], ["--version", "profile"], ["profil", "score"], ["--", "profile"]],
    ids=["no arguments", "root help", "root option first", "misspelt", "double dash"],
)
def test_the_root_and_unknown_names_get_the_whole_tree(args):
    assert app_for(args) is app


def test_a_command_name_gets_that_command_alone():
    chosen = typer.main.get_command(app_for(["profile", "score", "p.yaml"]))
    assert list(chosen.commands) == ["profile"]  # type: ignore[attr-defined]


def test_the_version_alone_gets_the_root_alone():
    assert list(typer.main.get_command(app_for(["--version"])).commands) == []  # type: ignore[attr-defined]
    assert run(app_for(["--version"]), ["--version"]) == run(app, ["--version"])


def test_shell_completion_gets_the_whole_tree(monkeypatch):
    monkeypatch.setenv("_CSFPILOT_COMPLETE", "bash_complete")
    assert app_for(["profile"]) is app


def test_building_a_group_again_does_not_repeat_its_commands():
    again = typer.main.get_command(build(["profile", "sectors", "export", "import"]))
    for name in ("profile", "sectors", "export", "import"):
        group = again.commands[name]  # type: ignore[attr-defined]
        assert list(group.commands) == list(FULL.commands[name].commands)  # type: ignore[attr-defined]


def _python_m_csfpilot(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csfpilot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **ENV},
    )


@pytest.mark.parametrize(
    "args",
    [["profile", "--help"], ["--help"], ["profil"], ["--version"]],
    ids=["a group", "the root", "a misspelt name", "the version"],
)
def test_python_m_csfpilot_prints_what_the_whole_tree_prints(args):
    done = _python_m_csfpilot(args)
    code, output = run(app, args)
    assert (done.returncode, done.stdout + done.stderr) == (code, output)


def test_a_file_written_through_the_entry_point_is_complete(tmp_path):
    written = tmp_path / "new.yaml"
    for args in (["profile", "new", "-o", str(written)], ["profile", "validate", str(written)]):
        done = _python_m_csfpilot(args)
        assert done.returncode == 0, done.stdout + done.stderr
    text = written.read_text("utf-8")
    assert len(re.findall(r"^  [A-Z]{2}\.[A-Z]{2}-\d\d:$", text, re.MULTILINE)) == 106
    assert text.endswith("actions: []\n")
