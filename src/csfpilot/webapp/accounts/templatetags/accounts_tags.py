from __future__ import annotations

from django import template

from csfpilot.webapp.accounts.adapters import signup_open as _signup_open

register = template.Library()


@register.simple_tag
def signup_open() -> bool:
    """Whether the sign-in page should offer to create an account."""
    return _signup_open()
