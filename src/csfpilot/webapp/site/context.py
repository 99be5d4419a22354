from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from csfpilot import __version__


def site(request: HttpRequest) -> dict[str, Any]:
    return {"csfpilot_version": __version__}
