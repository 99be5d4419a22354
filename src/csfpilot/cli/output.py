"""How commands talk back: Rich for people, exact JSON for scripts, one-line errors.

Exit codes are part of the interface: 0 done, 1 something asked for does not
exist (an unknown framework or element id), 2 input refused (a file that cannot
be imported, or a bad option).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console

from csfpilot.core.errors import CsfpilotError, InputRefused, NotFound

EXIT_NOT_FOUND = 1
EXIT_REFUSED = 2

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout, byte-for-byte what a script will parse."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr, no traceback, then exit with ``code``."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn csfpilot's own errors into a one-line message and the matching exit code."""
    try:
        yield
    except NotFound as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    except InputRefused as exc:
        fail(str(exc), EXIT_REFUSED)
    except CsfpilotError as exc:
        fail(str(exc), EXIT_REFUSED)


SHORT_DIGEST = 12


def short_digest(digest: str) -> str:
    """A digest as tables show it: its first hex digits, enough to tell files apart."""
    return digest[:SHORT_DIGEST] + "…" if len(digest) > SHORT_DIGEST else digest


def announce(message: str) -> None:
    """A status line on stderr, so that stdout stays clean for ``--json``."""
    err_console.print(f"[dim]{message}[/]", soft_wrap=True)
