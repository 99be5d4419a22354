"""A user's own template: sandboxed, autoescaped, checked for anything that runs; logos checked."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from csfpilot.core.errors import InputRefused
from csfpilot.reports.branding import MAX_LOGO_BYTES, Branding, logo_data_uri
from csfpilot.reports.html import render_html
from csfpilot.reports.pdf import render_pdf

from .conftest import HOSTILE_NAME


def png(width=40, height=20, fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def test_a_template_extends_the_brief_with_its_own_wording_logo_and_colours(build):
    logo = logo_data_uri(png(), name="logo.png")
    report = build("brief").with_branding(Branding(logo=logo, primary="#005a32", accent="#cc0000"))
    template = (
        '{% extends "brief.html" %}\n'
        "{% block kind %}Confidential · Board of directors{% endblock %}\n"
        '{% block intro %}<p class="intro">Prepared for {{ meta.organization }} by the CISO.'
        "</p>{% endblock %}\n"
    )
    page = render_html(report, template=template)
    assert "Confidential · Board of directors" in page
    assert "Prepared for Riverbend &amp; Co by the CISO." in page
    assert f'src="{logo}"' in page
    assert "--primary: #005a32" in page and "--accent: #cc0000" in page
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in page
    assert "<script>" not in page
    pdf = render_pdf(report, template=template)
    assert pdf.startswith(b"%PDF")


def test_a_complete_template_of_its_own(build):
    template = (
        "<!DOCTYPE html><html><head><title>{{ meta.title }}</title></head><body>"
        "<h1>{{ words.brief }}</h1><ul>{% for f in functions %}"
        "<li>{{ f.code }} {{ f.current | number(1) }}</li>{% endfor %}</ul>{{ charts.functions }}"
        "</body></html>"
    )
    page = render_html(build("brief"), template=template)
    assert "<li>GV 35.6</li>" in page and "<svg" in page
    assert f"<title>{HOSTILE_NAME}</title>" not in page


def test_syntax_errors_name_the_line(build):
    with pytest.raises(InputRefused) as refused:
        render_html(
            build("brief"),
            template="<p>\n{{ meta.title | nosuchfilter }}\n",
            template_name="t.html",
        )
    assert refused.value.file == "t.html" and refused.value.line == 2
    assert "nosuchfilter" in str(refused.value) and "t.html:2" in str(refused.value)


def test_unknown_variables_name_the_line(build):
    with pytest.raises(InputRefused) as refused:
        render_html(build("brief"), template="<p>ok</p>\n<p>{{ meta.nonsense }}</p>\n")
    assert "nonsense" in str(refused.value)
    assert refused.value.line == 2


@pytest.mark.parametrize(
    "expression",
    [
        "{{ meta.__class__.__mro__ }}",
        "{{ ''.__class__.__base__.__subclasses__() }}",
        "{{ words.items.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ self._TemplateReference__context }}",
    ],
)
def test_the_sandbox_refuses_python_internals(build, expression):
    with pytest.raises(InputRefused):
        render_html(build("brief"), template=f"<p>{expression}</p>")


@pytest.mark.parametrize(
    ("markup", "what"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="JaVaScRiPt&#58;alert(1)">x</a>', "JaVaScRiPt"),
        ('<iframe src="data:text/html,x"></iframe>', "<iframe>"),
        ('<img src="https://tracker.example/p.png">', "https://"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "svg+xml"),
        ('<style>body { background: url("https://x.example/a.png") }</style>', "stylesheet"),
        ('<svg><a href="javascript:alert(1)"><text>x</text></a></svg>', "javascript:"),
        ('<meta http-equiv="refresh" content="0;url=https://x.example">', "refresh"),
        ('<p style="background:url(https://x.example)">x</p>', "style attribute"),
    ],
)
def test_templates_that_would_run_or_fetch_are_refused(build, markup, what):
    with pytest.raises(InputRefused) as refused:
        render_html(
            build("brief"),
            template=f"<html><body>{markup}</body></html>",
            template_name="mine.html",
        )
    assert "runs script or loads a resource" in str(refused.value)
    assert refused.value.file == "mine.html"


def test_oversized_template_is_refused(build):
    with pytest.raises(InputRefused, match="bytes"):
        render_html(build("brief"), template="<p>x</p>" * 40_000)


def test_logo_must_really_be_a_png_or_jpeg():
    assert logo_data_uri(png()).startswith("data:image/png;base64,")
    assert logo_data_uri(png(fmt="JPEG")).startswith("data:image/jpeg;base64,")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    with pytest.raises(InputRefused, match="not a PNG or JPEG"):
        logo_data_uri(svg, name="logo.svg")
    with pytest.raises(InputRefused, match="GIF"):
        logo_data_uri(png(fmt="GIF"))
    with pytest.raises(InputRefused, match="not a PNG or JPEG"):
        logo_data_uri(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, name="fake.png")
    with pytest.raises(InputRefused, match="at most"):
        logo_data_uri(b"\x00" * (MAX_LOGO_BYTES + 1))
    with pytest.raises(InputRefused, match="pixels"):
        logo_data_uri(png(5000, 4000))
    truncated = png()[:60]
    with pytest.raises(InputRefused):
        logo_data_uri(truncated)
    assert base64.b64decode(logo_data_uri(png()).split(",", 1)[1]) == png()


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#12345g", "#fff;}body{x"])
def test_colours_are_hex_only(colour):
    with pytest.raises(InputRefused, match="#rrggbb"):
        Branding(primary=colour)
