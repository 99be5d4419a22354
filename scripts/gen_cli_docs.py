"""Write docs/cli.md from the ``csfpilot`` command tree (``--check`` only compares)."""

from __future__ import annotations

import sys
from pathlib import Path

from csfpilot.cli.main import app
from csfpilot.cli.reference import markdown

TARGET = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def main(argv: list[str]) -> int:
    text = markdown(app)
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is out of date: run python scripts/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
