"""A report as an HTTP response: downloaded (attachment) or, for HTML, read in the browser.

An HTML report opened in the browser is a page from a stored template on the
app's own address, so it is served under the report's policy instead of the
app's: the report's own Content-Security-Policy (inline styles and data-URI
images, nothing else), without frames, forms or a base URL, and sandboxed, so
that even a page that slipped past the template checks would run nothing and
would not share the app's origin (its cookies or its API).
"""

from __future__ import annotations

from django.http import HttpResponse

from csfpilot.core.errors import InputRefused
from csfpilot.reports.content_policy import CSP
from csfpilot.reports.render import Format

DISPOSITIONS = ("attachment", "inline")
VIEWABLE = ("html",)
"""The formats a browser shows as the report itself (the others are always downloads)."""

REPORT_CSP = f"{CSP}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"


def check_disposition(disposition: str, fmt: str) -> str:
    if disposition not in DISPOSITIONS:
        raise InputRefused(
            f"no disposition {disposition!r}; dispositions: {', '.join(DISPOSITIONS)}",
            field="disposition",
        )
    if disposition == "inline" and fmt not in VIEWABLE:
        raise InputRefused(
            f"only {', '.join(f.upper() for f in VIEWABLE)} reports open in the browser; "
            f"a {fmt.upper()} report is a download",
            field="disposition",
        )
    return disposition


def report_response(data: bytes, spec: Format, name: str, disposition: str) -> HttpResponse:
    """``data`` with its media type, file name and disposition (checked by the caller)."""
    response = HttpResponse(data, content_type=spec.media_type)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    if spec.key in VIEWABLE:
        # Set here, so the app's own policy (which forbids inline styles) is not applied.
        response["Content-Security-Policy"] = REPORT_CSP
    return response
