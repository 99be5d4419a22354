"""Write docs/api.md's reference section from the OpenAPI schema (``--check`` only compares)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from generated_file import check_or_write

TARGET = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def generated() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csfpilot.webapp.config.settings")
    import django

    django.setup()
    from csfpilot.webapp.config.api import api
    from csfpilot.webapp.config.api_reference import markdown, replace_section

    return replace_section(TARGET.read_text(encoding="utf-8"), markdown(api.get_openapi_schema()))


def main(argv: list[str]) -> int:
    text = generated()
    return check_or_write(TARGET, text, argv, "gen_api_docs.py")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
