"""Reports as Markdown: for a wiki, a pull request, or a repository of assessments.

Rendered by the same sandboxed Jinja2 engine as the HTML (autoescaping off,
since this is not HTML); every value from the profile goes through
:func:`md`, which escapes Markdown's and HTML's special characters and folds
line breaks, so a note can neither break a table nor become a link, an
image or raw HTML when the Markdown is turned into a page.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from csfpilot.reports.html import _number, _signed
from csfpilot.reports.model import Report

TEMPLATES = Path(__file__).parent / "templates"
# Characters that start emphasis, code, links, images, tables, raw HTML or entities in
# CommonMark/GFM; without "[" and "<" no link or tag can form, without "|" no cell breaks.
_SPECIAL = re.compile(r"([\\`*_\[\]!|<>&~])")


def md(value: Any) -> str:
    """Plain text made inert in Markdown: specials escaped, one line."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return _SPECIAL.sub(r"\\\1", text)


@cache
def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md
    env.filters["number"] = _number
    env.filters["signed"] = _signed
    return env


def render_markdown(report: Report) -> str:
    text = _environment().get_template("report.md").render(report.context())
    # Blank lines collapse to one, so that conditional sections leave no gaps.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
