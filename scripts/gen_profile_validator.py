"""Write the profile schema's validator module from profile.schema.json (``--check``
only compares)."""

from __future__ import annotations

import sys
from pathlib import Path

from generated_file import check_or_write

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
    return check_or_write(TARGET, text, argv, "gen_profile_validator.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
