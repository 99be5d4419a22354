"""The check every rendered report passes: the report's own Content-Security-Policy, then an
HTML5 parse and an allow-list of tags, attributes and CSS, refusing known sanitizer bypasses."""

from __future__ import annotations

import re

import pytest
from tinyhtml5 import parse

from csfpilot.core.errors import InputRefused
from csfpilot.reports.html import render_html
from csfpilot.reports.pdf import html_to_pdf
from csfpilot.reports.render import render
from csfpilot.reports.safety import CSP, POLICY_META, refuse_active_content, safe_page

from .bypass_corpus import CORPUS

HTML = "{http://www.w3.org/1999/xhtml}"


def policies(page: str) -> list[str]:
    root = parse(page)
    return [
        meta.get("content")
        for meta in root.iter(f"{HTML}meta")
        if (meta.get("http-equiv") or "").lower() == "content-security-policy"
    ]


def test_a_template_cannot_replace_the_reports_content_security_policy(build):
    # The finding: a variable named like the policy, set before extending the brief.
    template = '{% set csp = "default-src * \'unsafe-inline\'" %}{% extends "brief.html" %}'
    page = render_html(build("brief"), template=template)
    assert policies(page) == [CSP]
    head = parse(page).find(f"{HTML}head")
    assert head[0].get("content") == CSP  # first in <head>: it covers the whole page
    assert "unsafe-inline'\"" not in page and "default-src *" not in page


@pytest.mark.parametrize("kind", ["brief", "workpaper"])
def test_built_in_reports_carry_the_policy_once_and_pass_the_check(build, kind):
    page = render_html(build(kind))
    assert policies(page) == [CSP]
    refuse_active_content(page)


def test_a_page_without_the_policy_first_is_refused():
    with pytest.raises(InputRefused, match="no Content-Security-Policy"):
        refuse_active_content("<!DOCTYPE html><html><head><title>x</title></head></html>")
    late = "<!DOCTYPE html><html><head><title>x</title>" + POLICY_META + "</head></html>"
    with pytest.raises(InputRefused):
        refuse_active_content(late)


@pytest.mark.parametrize(("key", "template"), CORPUS, ids=[key for key, _ in CORPUS])
def test_known_bypasses_are_refused(build, key, template):
    with pytest.raises(InputRefused) as refused:
        render_html(build("brief"), template=template, template_name="mine.html")
    message = str(refused.value)
    assert message.startswith("mine.html: the rendered report holds")
    assert "runs script or loads a resource" in message


@pytest.mark.parametrize(("key", "template"), CORPUS[:8], ids=[key for key, _ in CORPUS[:8]])
def test_the_pdf_input_meets_the_same_check(build, key, template):
    with pytest.raises(InputRefused, match="the rendered report holds"):
        render(build("brief"), "pdf", template=template, template_name="mine.html")


@pytest.mark.parametrize(
    ("markup", "named"),
    [
        ("<p>a</p>\n<p>b</p>\n<svg><style><img src=x onerror=alert(1)>", "<img>"),
        ('<p>a</p>\n<p>b</p>\n<table background="http://x.example/b.png">', "background="),
        ('<p>a</p>\n<p>b</p>\n<p style="color: red; \\66ilter: blur(2px)">', "filter"),
        ("<p>a</p>\n<p>b</p>\n<math><mi>x</mi></math>", "<math>"),
    ],
)
def test_the_refusal_names_the_tag_attribute_or_property_and_its_line(build, markup, named):
    template = "<!DOCTYPE html>\n<html><head><title>t</title></head><body>\n" + markup
    with pytest.raises(InputRefused) as refused:
        render_html(build("brief"), template=template, template_name="mine.html")
    message = str(refused.value)
    assert named in message
    # The page starts with the policy on line 1; the markup's third line is line 5.
    assert re.search(r"\(line 5 of the rendered page\)", message), message


def test_what_a_report_needs_is_allowed(build):
    logo = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPg"
        "PAAEDAQAIicLsAAAAAElFTkSuQmCC"
    )
    template = (
        '{% extends "workpaper.html" %}\n'
        "{% block extra_style %}\n"
        "@page { size: A4 landscape; @top-right { content: counter(page); } }\n"
        "@media print { .screen-only { display: none } }\n"
        ".intro { background: linear-gradient(90deg, #fff, #eef); color: var(--primary);\n"
        "  border-left: 4px solid rgb(0 90 50 / 80%); padding: calc(1rem + 2px); }\n"
        f".mark {{ background: url({logo}) no-repeat; }}\n"
        "{% endblock %}\n"
        '{% block intro %}<section class="intro" aria-label="Intro"><h2 id="intro">Intro</h2>'
        '<p><a href="#intro">Back</a> · <img src="' + logo + '" alt="" width="8" height="8"></p>'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10" width="20" height="10">'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#005a32"/></linearGradient>'
        '</defs><rect width="20" height="10" fill="url(#g)"/><text x="1" y="9">A</text></svg>'
        '<table><thead><tr><th scope="col" colspan="2">x</th></tr></thead></table>'
        "</section>{% endblock %}\n"
    )
    page = render_html(build("workpaper"), template=template)
    assert 'fill="url(#g)"' in page
    assert html_to_pdf(page).startswith(b"%PDF")


def test_safe_page_puts_the_policy_after_the_doctype_and_adds_one_when_missing():
    page = safe_page("<!doctype html>\n<p>x</p>")
    assert page.startswith("<!doctype html>" + POLICY_META)
    bare = safe_page("<p>x</p>")
    assert bare.startswith("<!DOCTYPE html>" + POLICY_META)
