"""Parts of the profile pages drawn from all of a profile's outcomes, kept as finished HTML.

The questionnaire's list of 106 outcomes, the progress bars, the dashboard's charts
and its table of scores per Function and Category show nothing but the profile row
and its outcome rows. Drawing them is most of a page's work, so each is kept, once
drawn, in the answer cache under the key of the answers it is drawn from
(:mod:`.answer_cache`: the state of the profile's rows, read with one query on every
request) and what else changes its markup: the reader's language, the fragment's own
parameters (the outcome the questionnaire shows, the page's mode), and the templates
themselves (a digest of every template file and the release), so a server with
changed templates never serves what an older one drew.

A fragment is drawn without the request: no CSRF token, user or session can end up in
markup that another reader is served. Whatever depends on who reads (the answer
card's form, what a role may change, the evidence panel) stays outside, drawn on
every request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

import csfpilot
from csfpilot.webapp.profiles.answer_cache import ProfileAnswers

_TEMPLATES = Path(csfpilot.__file__).resolve().parent / "webapp"
_template_version: str | None = None


def template_version() -> str:
    """A digest of the release and every template file, read once per process."""
    global _template_version
    if _template_version is None:
        digest = hashlib.sha256(csfpilot.__version__.encode())
        for path in sorted(_TEMPLATES.rglob("templates/**/*.html")):
            digest.update(str(path.relative_to(_TEMPLATES)).encode())
            digest.update(path.read_bytes())
        _template_version = digest.hexdigest()[:16]
    return _template_version


def drawn(
    answers: ProfileAnswers, name: str, params: tuple[Any, ...], draw: Callable[[], str | None]
) -> SafeString:
    """The HTML ``draw()`` returns ("" for None: nothing to draw), or what it returned
    before for the same key.

    ``params`` must hold every value besides the profile's rows that the markup
    depends on; the language and the templates' version are added here.
    """
    language = get_language() or ""
    html = answers.get(
        f"fragment:{name}", (*params, language, template_version()), lambda: str(draw() or "")
    )
    # Drawn by the template engine or the chart module, each escaping what it puts in.
    return mark_safe(html)  # noqa: S308


def fragment(
    answers: ProfileAnswers,
    name: str,
    params: tuple[Any, ...],
    template: str,
    context: Callable[[], dict[str, Any]],
    *,
    keep: bool = True,
) -> SafeString:
    """``template`` drawn with ``context()`` (called only when it is drawn), as :func:`drawn`;
    with ``keep`` false, drawn for this request alone and not kept."""
    if not keep:
        # Drawn by the template engine, which escaped every value it put in.
        return mark_safe(render_to_string(template, context()))  # noqa: S308
    return drawn(answers, name, params, lambda: render_to_string(template, context()))


def progress(
    answers: ProfileAnswers,
    figures: Callable[[], Any],
    *,
    community: bool,
) -> SafeString:
    """The questionnaire's progress bars per Function (the overview's and the questionnaire's)."""
    return fragment(
        answers,
        "progress",
        (community,),
        "profiles/_progress.html",
        lambda: {"progress": figures(), "community": community},
    )
