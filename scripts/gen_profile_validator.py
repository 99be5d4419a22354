"""Write the profile schema's validator module from profile.schema.json (``--check``
only compares)."""

from __future__ import annotations

import sys
from pathlib import Path

from csfpilot.formats.native.schema import validator_source

TARGET = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "csfpilot"
    / "formats"
    / "native"
    / "profile_validator.py"
)


def main(argv: list[str]) -> int:
    text = validator_source()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(
                f"{TARGET} is out of date: run python scripts/gen_profile_validator.py",
                file=sys.stderr,
            )
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
