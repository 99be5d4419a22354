"""Reports as one self-contained HTML page: the page people read, and the PDF's source.

Every report — built-in or a user's own template — is rendered by Jinja2's
immutable sandbox with autoescaping on, over the plain data of
:meth:`Report.context` (strings, numbers, lists, dicts), within the limits of
:mod:`csfpilot.reports.limits` (time, loop iterations, string and output size).
A template can therefore read the report but cannot reach Python objects,
attributes beginning with ``_``, or anything else on the machine, nor hold a
worker; and text from the profile can never become markup. The charts are
inline SVG drawn by :mod:`csfpilot.reports.charts`; the stylesheet is inline;
nothing is fetched.

A user's template usually extends a built-in one and overrides its blocks
(``{% extends "brief.html" %}`` then ``{% block title %}``, ``{% block intro %}``
...), see ``docs/reports.md``. Errors in it are refused with the template's
line number; every page rendered, built-in or not, gets the report's
Content-Security-Policy and is checked by :func:`csfpilot.reports.safety.safe_page`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from markupsafe import Markup

from csfpilot.core.errors import InputRefused
from csfpilot.reports import charts
from csfpilot.reports.limits import LimitedEnvironment, RenderLimits, limited
from csfpilot.reports.model import Report
from csfpilot.reports.render import MAX_TEMPLATE_BYTES
from csfpilot.reports.safety import safe_page

TEMPLATES = Path(__file__).parent / "templates"
CUSTOM = "custom.html"


def _number(value: Any, digits: int = 0, empty: str = "—") -> str:
    if value is None or value == "":
        return empty
    return f"{float(value):.{digits}f}"


def _signed(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value):+.1f}"


def _environment(custom: str | None = None) -> LimitedEnvironment:
    loaders: list[Any] = []
    if custom is not None:
        loaders.append(DictLoader({CUSTOM: custom}))
    loaders.append(FileSystemLoader(TEMPLATES))
    env = LimitedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = _number
    env.filters["signed"] = _signed
    return env


@cache
def _builtin() -> LimitedEnvironment:
    return _environment()


def function_chart(report: Report) -> str:
    """Current and target score per Function as horizontal bars (SVG)."""
    fns = report.functions
    if not fns:
        return ""
    w = report.words
    return charts.grouped_bars(
        [f"{f['code']} {f['name']}" for f in fns],
        [
            charts.Series(w["current"], [f["current"] for f in fns], charts.CURRENT),
            charts.Series(w["target"], [f["target"] for f in fns], charts.TARGET),
        ],
        title=w["chart_title"],
        not_assessed=w["not_assessed"],
        id_prefix="report-fn-bars",
        # The brief shows the chart in a half-width column: a narrower drawing keeps its text
        # legible once scaled down.
        width=440.0 if report.kind == "brief" else 620.0,
    )


def trend_chart(report: Report) -> str:
    points = report.trend["points"]
    if len(points) < 2:
        return ""
    w = report.words
    xs = [charts.TrendX(p["label"] or w["now"]) for p in points]
    return charts.trend(
        xs,
        [
            charts.Series(w["current"], [p["current"] for p in points], charts.CURRENT),
            charts.Series(w["target"], [p["target"] for p in points], charts.TARGET),
        ],
        title=w["trend"],
        not_assessed=w["not_assessed"],
        id_prefix="report-trend",
        width=620.0,
    )


def context(report: Report) -> dict[str, Any]:
    """The template's variables: the report's data and its charts (SVG).

    The page's Content-Security-Policy is not among them: the renderer sets it.
    """
    data = report.context()
    # The chart module escapes every text it draws, so its SVG is markup already.
    data["charts"] = {
        "functions": Markup(function_chart(report)),  # noqa: S704
        "trend": Markup(trend_chart(report)),  # noqa: S704
    }
    return data


def check_template(source: str, *, name: str = "template") -> None:
    """Refuse a template that is too large or does not compile, naming the line."""
    if len(source.encode("utf-8")) > MAX_TEMPLATE_BYTES:
        raise InputRefused(
            f"the template has more than {MAX_TEMPLATE_BYTES} bytes", file=name, field="template"
        )
    try:
        _environment(source).get_template(CUSTOM)
    except TemplateSyntaxError as exc:
        raise InputRefused(f"template error: {exc.message}", file=name, line=exc.lineno) from None
    except TemplateError as exc:
        raise InputRefused(f"template error: {exc}", file=name) from None


def render_html(
    report: Report,
    *,
    template: str | None = None,
    template_name: str = "template",
    data: Mapping[str, Any] | None = None,
    limits: RenderLimits | None = None,
) -> str:
    """The report as an HTML page, from the built-in template of its kind or from ``template``.

    A custom ``template`` may extend ``brief.html`` or ``workpaper.html`` (or
    ``base.html``); an error while rendering it, a render limit reached, or
    anything in the page that could run or fetch is refused with its line.
    """
    values = dict(data) if data is not None else context(report)
    if template is None:
        env, name, shown = _builtin(), f"{report.kind}.html", f"{report.kind}.html"
    else:
        check_template(template, name=template_name)
        env, name, shown = _environment(template), CUSTOM, template_name
    with limited(limits or RenderLimits()):
        try:
            page = env.get_template(name).render(values)
        except InputRefused as exc:  # a render limit, raised inside the template
            raise InputRefused(
                f"template error: {exc.message}", file=shown, line=_error_line(exc)
            ) from None
        except TemplateError as exc:
            raise InputRefused(
                f"template error: {exc}", file=shown, line=_error_line(exc)
            ) from None
        except RecursionError as exc:
            raise InputRefused(
                "template error: the template includes itself or calls a macro from itself "
                "without end",
                file=shown,
                line=_error_line(exc),
            ) from None
        except MemoryError:
            raise InputRefused(
                "template error: the template ran out of memory", file=shown
            ) from None
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            raise InputRefused(
                f"template error: {type(exc).__name__}: {exc}",
                file=shown,
                line=_error_line(exc),
            ) from None
    return safe_page(page, name=shown)


def _error_line(exc: BaseException) -> int | None:
    """The line of the user's template where rendering failed, from Jinja's traceback."""
    if isinstance(exc, TemplateSyntaxError):
        return exc.lineno
    tb = exc.__traceback__
    line = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == "<template>" or code.co_filename.endswith(CUSTOM):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
