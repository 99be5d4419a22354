"""Values every page's layout needs: version, navigation, language, search text."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language

from csfpilot import __version__
from csfpilot.webapp.site import navigation

# BCP 47 tags for the <html lang> attribute: browsers pick Traditional Chinese
# glyphs (and Taiwanese fonts) from "zh-Hant-TW", not from Django's "zh-hant".
_HTML_LANG = {"zh-hant": "zh-Hant-TW", "en": "en"}


def site(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    language = get_language() or "en"
    return {
        "csfpilot_version": __version__,
        "html_lang": _HTML_LANG.get(language, language),
        "main_nav": [
            {"key": i.key, "label": i.label, "url": i.url(), "current": i.is_current(view_name)}
            for i in navigation.items()
        ],
    }
