"""The ``--check`` or write step the generator scripts share."""

from __future__ import annotations

import sys
from pathlib import Path


def check_or_write(target: Path, text: str, argv: list[str], script: str) -> int:
    """With ``--check``: 1 (and a message naming ``script``) when ``target`` differs from
    ``text``; otherwise write ``text`` to ``target``."""
    if "--check" in argv:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is out of date: run python scripts/{script}", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0
