"""Write docs/cli.md from the ``csfpilot`` command tree (``--check`` only compares)."""

from __future__ import annotations

import sys
from pathlib import Path

from generated_file import check_or_write

from csfpilot.cli.main import app
from csfpilot.cli.reference import markdown

TARGET = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def main(argv: list[str]) -> int:
    text = markdown(app)
    return check_or_write(TARGET, text, argv, "gen_cli_docs.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
