"""Template filters for profile pages: scores on 0–100, signed deltas, Function colours."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def score(value: float | None, digits: int = 0) -> SafeString:
    """A 0–100 score, or "not assessed" in words (never 0: nothing was rated)."""
    if value is None:
        return format_html('<span class="score-none">{}</span>', _("not assessed"))
    return format_html('<span class="score">{}</span>', f"{value:.{int(digits)}f}")


@register.filter
def delta(value: float | None, digits: int = 1) -> SafeString:
    """A signed change in points: ``+4.2`` up, ``−3.0`` down, ``±0`` unchanged, ``—`` unknown."""
    if value is None:
        return mark_safe('<span class="score-none">—</span>')
    if value > 0:
        return format_html('<span class="delta-up">+{}</span>', f"{value:.{int(digits)}f}")
    if value < 0:
        return format_html('<span class="delta-down">−{}</span>', f"{-value:.{int(digits)}f}")
    return mark_safe('<span class="score">±0</span>')


@register.filter
def dom_id(code: str) -> str:
    """``GV.OC-01`` → ``GV-OC-01``: an id CSS selectors and HTMX targets accept."""
    return (code or "").replace(".", "-")


@register.filter
def function_of(code: str) -> str:
    """The Function part of a CSF id: ``GV.OC-01`` → ``GV``."""
    return (code or "").split(".", 1)[0]
