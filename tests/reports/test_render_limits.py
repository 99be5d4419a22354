"""Render limits: a template cannot hold a worker or its memory, whatever the data it meets."""

from __future__ import annotations

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.reports.html import check_template, render_html
from csfpilot.reports.limits import RenderLimits
from csfpilot.reports.render import render

# Quiet on an ordinary profile; nested loops once the title holds BOOM.
TIME_BOMB = (
    '{% extends "brief.html" %}\n'
    "{% block intro %}\n"
    '{% if "BOOM" in meta.title %}\n'
    "{% for a in range(1000) %}{% for b in range(1000) %}.{% endfor %}{% endfor %}\n"
    "{% endif %}\n"
    "{% endblock %}\n"
)


def test_a_time_bomb_passes_the_test_render_and_is_refused_when_it_goes_off(build, clinic):
    small = RenderLimits(max_iterations=5000)
    page = render_html(build("brief"), template=TIME_BOMB, limits=small)
    assert "Board brief" in page
    boom = build("brief", profile=clinic.replace(name="BOOM Clinic"))
    with pytest.raises(InputRefused) as refused:
        render_html(boom, template=TIME_BOMB, template_name="bomb.html", limits=small)
    assert "more than 5000 loop iterations" in str(refused.value)
    assert refused.value.file == "bomb.html" and refused.value.line == 4


def test_the_limits_hold_for_the_pdf_as_well(build, clinic):
    boom = build("brief", profile=clinic.replace(name="BOOM Clinic"))
    with pytest.raises(InputRefused, match="loop iterations"):
        render(boom, "pdf", template=TIME_BOMB, limits=RenderLimits(max_iterations=5000))


def test_the_render_time_is_bounded(build):
    endless = (
        "{% for a in range(100000) %}{% for b in range(100000) %}"
        "{% for c in range(100000) %}{% endfor %}{% endfor %}{% endfor %}"
    )
    limits = RenderLimits(seconds=0.5, max_iterations=10**15)
    with pytest.raises(InputRefused, match=r"took more than 0\.5 seconds"):
        render_html(build("brief"), template=endless, limits=limits)


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ('{{ ("x"*200000000)|length }}', "at most 1000000"),
        ("{{ ([0]*200000000)|length }}", "at most 1000000"),
        ('{{ (200000000*"x")|length }}', "at most 1000000"),
        ('{{ "x".rjust(1000000000) }}', "at most 1000000"),
        ('{{ "x"|center(1000000000) }}', "at most 1000000"),
        ('{{ "{:>999999999}".format(1) }}', "at most 1000000"),
        ('{{ "%0999999999d" % 1 }}', "at most 1000000"),
        ('{{ "%*d" % (999999999, 1) }}', "* width"),
        ('{{ "%0999999999d"|format(1) }}', "at most 1000000"),
        ('{{ ("ab"*400000)|replace("", "xyz") }}', "at most 1000000"),
        ('{{ ("x"*900000).join(["a"]*1000) }}', "at most 1000000"),
        ('{{ (["x"*900000]*2)|join("y"*900000) }}', "at most 1000000"),
        ('{{ ("a\n"*1000)|indent(999999) }}', "at most 1000000"),
        ("{{ 7**100000000 }}", "bits"),
        (
            "{% set ns = namespace(n=7**1000) %}{% for i in range(30) %}"
            "{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }}",
            "bits",
        ),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
            "{% endfor %}{{ ns.s|length }}",
            "with ~",
        ),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
            "{% endfor %}{{ ns.s|length }}",
            "with +",
        ),
        ("{% for i in range(1000001) %}{% endfor %}", "range() of 1000001 numbers"),
        ("{{ lipsum(1000000) }}", "lipsum"),
        ("{% set l = [1] %}{{ l.append(l) }}", "unsafe"),
    ],
)
def test_amplification_is_refused_before_the_memory_is_taken(build, expression, said):
    limits = RenderLimits(max_iterations=1_000_000)
    with pytest.raises(InputRefused) as refused:
        render_html(build("brief"), template=f"<p>{expression}</p>", limits=limits)
    assert said in str(refused.value)


@pytest.mark.parametrize(
    "template",
    [
        '<p>{% include "custom.html" %}</p>',
        "{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}{{ again(0) }}",
    ],
)
def test_endless_recursion_is_a_report_error(build, template):
    with pytest.raises(InputRefused, match="itself"):
        render_html(build("brief"), template=template, template_name="loop.html")


def test_recursive_loops_are_refused_when_the_template_is_checked():
    with pytest.raises(InputRefused) as refused:
        check_template("<ul>\n{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}</ul>")
    assert "recursive loops" in str(refused.value) and refused.value.line == 2


def test_the_output_size_is_bounded_for_built_in_templates_too(build):
    with pytest.raises(InputRefused, match="output is over 5000 characters"):
        render_html(build("brief"), limits=RenderLimits(max_output=5000))


def test_default_limits_leave_the_built_in_reports_alone(build):
    for kind in ("brief", "workpaper"):
        assert "</html>" in render_html(build(kind)) or "</footer>" in render_html(build(kind))
