"""The ``csfpilot`` command, the whole tree: for help, documentation and tests.

The console entry point builds only the part its arguments ask for
(``csfpilot.cli.entry``); this app is the same root with every command.
"""

from __future__ import annotations

from csfpilot.cli.tree import TOP_LEVEL, build

app = build(TOP_LEVEL)
