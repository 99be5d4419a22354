"""Sections of an organization's home page, contributed by each feature.

The home page shows what the organization has. Each feature registers a
:class:`Panel` (profiles, assessments, evidence...) from its ``AppConfig.ready``;
the page asks every panel for its context with the viewer's access, so a panel
shows only what that role may see and hides itself by returning None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from csfpilot.webapp.organizations.permissions import Access


@dataclass(frozen=True)
class Panel:
    """One section. ``wide`` sections (a feature's main content, e.g. the profiles) span
    the page above the cards; the others are cards beside Members."""

    key: str
    template: str
    context: Callable[[HttpRequest, Access], dict[str, Any] | None]
    order: int = 50
    wide: bool = False


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]
    wide: bool


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """Add (or replace, by key) a section of the organization home page."""
    _PANELS[panel.key] = panel


def panels_for(request: HttpRequest, access: Access) -> list[RenderedPanel]:
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request, access)
        if context is not None:
            shown.append(RenderedPanel(panel.key, panel.template, context, panel.wide))
    return shown
