"""The size limit of an imported file, as this server is configured (one for every page)."""

from __future__ import annotations

from django.conf import settings


def import_limit() -> int:
    """``CSFPILOT_IMPORT_MAX_MB`` in bytes: the largest file any import accepts."""
    return int(settings.CSFPILOT_IMPORT_MAX_BYTES)


def too_big(size: int) -> str | None:
    """Why a file of ``size`` bytes is refused, or None when it fits."""
    from django.utils.translation import gettext as _

    limit = import_limit()
    if size <= limit:
        return None
    return _("The file has %(n)s bytes; the limit is %(max)s (CSFPILOT_IMPORT_MAX_MB).") % {
        "n": f"{size:,}",
        "max": f"{limit:,}",
    }
