"""The templates and scripts need nothing the Content-Security-Policy forbids: no inline
script, style or event handler, no ``hx-on`` (HTMX evaluates those), no ``javascript:``
URLs, no eval. A page that broke the rule would still render, but with a part silently dead;
this finds it in the source, and tests/e2e/test_security.py finds it in the browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parents[2] / "src" / "csfpilot" / "webapp"
TEMPLATES = sorted(WEBAPP.glob("**/templates/**/*.html"))
SCRIPTS = sorted(WEBAPP.glob("**/static/**/*.js"))

FORBIDDEN_IN_TEMPLATES = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"),
    "style element": re.compile(r"<style\b"),
    "style attribute": re.compile(r"\sstyle\s*="),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on attribute": re.compile(r"\shx-on"),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}
FORBIDDEN_IN_SCRIPTS = {
    "eval": re.compile(r"\beval\s*\("),
    "new Function": re.compile(r"\bnew\s+Function\s*\("),
    "string timer": re.compile(r"\bset(?:Timeout|Interval)\s*\(\s*['\"`]"),
    "style attribute": re.compile(r"setAttribute\(\s*['\"]style['\"]"),
}


def test_there_is_something_to_check():
    assert len(TEMPLATES) >= 40
    assert len(SCRIPTS) >= 2


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEBAPP)))
def test_template_has_no_inline_code(path: Path):
    text = path.read_text()
    found = [
        f"{name} at line {text.count(chr(10), 0, m.start()) + 1}: {m.group(0).strip()}"
        for name, pattern in FORBIDDEN_IN_TEMPLATES.items()
        for m in pattern.finditer(text)
    ]
    assert found == []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(WEBAPP)))
def test_script_needs_no_eval(path: Path):
    text = path.read_text()
    found = [name for name, pattern in FORBIDDEN_IN_SCRIPTS.items() if pattern.search(text)]
    assert found == []


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<div style="color: red">',
        '<button onclick="go()">',
        '<form hx-on::after-request="x()">',
        '<a href="javascript:go()">',
        "<style>p {}</style>",
    ],
)
def test_the_scan_finds_each_kind(snippet: str):
    assert any(p.search(snippet) for p in FORBIDDEN_IN_TEMPLATES.values())


def test_the_scan_allows_external_scripts_and_json_data():
    for ok in (
        '<script src="/static/app.js" defer></script>',
        '<script type="application/json" id="data">{}</script>',
        '<input name="online" data-on="1">',
    ):
        assert not any(p.search(ok) for p in FORBIDDEN_IN_TEMPLATES.values()), ok
