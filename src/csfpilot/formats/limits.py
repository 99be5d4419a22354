"""The one size limit for a file brought in: a profile file, a workbook, an OSCAL document.

The web pages, the API, the background jobs and the command line all refuse a
file above ``CSFPILOT_IMPORT_MAX_MB`` MiB (default 8) by its size, before any
of it is parsed, so that a file refused on one front end is refused on every
one. Framework catalogs and backups, which are bigger by nature, have limits
of their own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

MiB = 1024 * 1024
DEFAULT_IMPORT_MAX_MB = 8
"""Far above a real profile: 106 outcomes with long notes is well under 1 MiB."""


def import_max_bytes(environ: Mapping[str, str] = os.environ) -> int:
    """The import limit in bytes, from ``CSFPILOT_IMPORT_MAX_MB`` (a positive number)."""
    raw = environ.get("CSFPILOT_IMPORT_MAX_MB", "").strip()
    if not raw:
        return DEFAULT_IMPORT_MAX_MB * MiB
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ValueError(f"CSFPILOT_IMPORT_MAX_MB must be a positive number of MiB, not {raw!r}")
    return int(value * MiB)


IMPORT_MAX_BYTES = import_max_bytes()
"""The limit this process was started with."""
