"""One entry point for every report format: the web app, the API, the CLI and the benchmark
all call :func:`render`, so a format behaves the same wherever it is asked for."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from csfpilot.core.errors import InputRefused
from csfpilot.reports.model import Report

if TYPE_CHECKING:
    # The limits come with Jinja2's sandbox, which the renderers below import when used.
    from csfpilot.reports.limits import RenderLimits


# The largest custom template accepted; here rather than in .html so that the forms and
# commands that check an upload's size do not load Jinja2 and the HTML checker.
MAX_TEMPLATE_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Format:
    key: str
    suffix: str
    media_type: str
    kinds: tuple[str, ...] = ("brief", "workpaper")
    binary: bool = True


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("html", ".html", "text/html; charset=utf-8", binary=False),
        Format("pdf", ".pdf", "application/pdf"),
        Format(
            "xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        Format("md", ".md", "text/markdown; charset=utf-8", binary=False),
        Format(
            "docx",
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            kinds=("brief",),
        ),
    )
}
KINDS = ("brief", "workpaper")
SUFFIXES = {f.suffix: f.key for f in FORMATS.values()} | {".htm": "html", ".markdown": "md"}


def check_format(kind: str, fmt: str) -> Format:
    if kind not in KINDS:
        raise InputRefused(f"no report {kind!r}; reports: {', '.join(KINDS)}", field="kind")
    found = FORMATS.get(fmt)
    if found is None:
        raise InputRefused(
            f"no report format {fmt!r}; formats: {', '.join(FORMATS)}", field="format"
        )
    if kind not in found.kinds:
        raise InputRefused(
            f"the {kind} is not made as {fmt.upper()}; "
            f"formats for it: {', '.join(k for k, f in FORMATS.items() if kind in f.kinds)}",
            field="format",
        )
    return found


def render(
    report: Report,
    fmt: str,
    *,
    template: str | None = None,
    template_name: str = "template",
    limits: RenderLimits | None = None,
) -> bytes:
    """The report in ``fmt`` as bytes; ``template`` (HTML and PDF) replaces the built-in one.

    ``limits`` bound the template's render (the defaults of :class:`RenderLimits` if None).
    """
    check_format(report.kind, fmt)
    if fmt == "html":
        from csfpilot.reports.html import render_html

        page = render_html(report, template=template, template_name=template_name, limits=limits)
        return page.encode("utf-8")
    if fmt == "pdf":
        from csfpilot.reports.pdf import render_pdf

        return render_pdf(report, template=template, template_name=template_name, limits=limits)
    if fmt == "xlsx":
        from csfpilot.reports.xlsx import render_xlsx

        return render_xlsx(report)
    if fmt == "md":
        from csfpilot.reports.markdown import render_markdown

        return render_markdown(report).encode("utf-8")
    from csfpilot.reports.docx import render_docx

    return render_docx(report)


# The fonts the report templates name, in bold and regular, Latin, Chinese and numbers: laid
# out once, so that Pango's font set-up is done before the first report.
_WARM_PAGE = (
    '<html><head><style>body { font-family: "Noto Sans", "Noto Sans CJK TC", "DejaVu Sans", '
    'sans-serif; } code { font-family: "Noto Sans Mono", "DejaVu Sans Mono", monospace; }'
    "</style></head><body><h1>Profile 概況</h1><p>GV.OC-01 <b>62 %</b> 治理</p>"
    "<code>sha256</code></body></html>"
)


def warm_up() -> None:
    """Load every format's libraries and lay out a small page, so the next render is quick.

    A long-lived report process calls this when it starts (see
    ``csfpilot.webapp.reports.processes``); the first PDF then costs what any PDF costs.
    """
    from csfpilot.reports import docx, html, markdown, pdf, xlsx  # noqa: F401

    pdf.html_to_pdf(_WARM_PAGE)


def filename(title: str, kind: str, fmt: str, day: str) -> str:
    """A download name such as ``riverbend-clinics-brief-2026-03-02.pdf`` (ASCII, no spaces)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()[:60] or "profile"
    return f"{slug}-{kind}-{day}{FORMATS[fmt].suffix}"
