"""Reports as PDF: the same HTML page, laid out for A4 paper by WeasyPrint.

WeasyPrint draws with Pango, so Traditional Chinese text renders with the
system's CJK fonts (Debian's ``fonts-noto-cjk``, named first after Noto Sans
in the report's stylesheet). The page may only use ``data:`` URIs (the logo):
the fetcher refuses every other protocol, so making a PDF never touches the
network or the file system, whatever a template says.
"""

from __future__ import annotations

from csfpilot.reports.html import render_html
from csfpilot.reports.limits import RenderLimits
from csfpilot.reports.model import Report
from csfpilot.reports.weasyprint_loader import load_weasyprint


def html_to_pdf(page: str) -> bytes:
    """Lay out an HTML report for print and return the PDF's bytes."""
    # Imported here: WeasyPrint loads Pango and fonts, which a command that writes
    # HTML or XLSX does not need.
    weasyprint = load_weasyprint()
    fetcher = weasyprint.urls.URLFetcher(
        allowed_protocols=("data",), allow_redirects=False, timeout=1
    )
    document = weasyprint.HTML(string=page, url_fetcher=fetcher, media_type="print")
    return document.write_pdf()


def render_pdf(
    report: Report,
    *,
    template: str | None = None,
    template_name: str = "template",
    limits: RenderLimits | None = None,
) -> bytes:
    """The checked HTML page of :func:`render_html`, laid out as PDF."""
    return html_to_pdf(
        render_html(report, template=template, template_name=template_name, limits=limits)
    )
