"""Writing SVG by hand, safely: escaping, ids, number formats and the <svg> opening.

Charts are built as strings (no XML library needed at render time, nothing to
install for the command line). Everything that comes from a user or from a
translation goes through :func:`xml_text`, so a label can never break out of
its element or make the document unreadable.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, '
    '"Noto Sans CJK TC", "PingFang TC", "Microsoft JhengHei", sans-serif'
)
INK = "#1b1f24"
MUTED = "#505a64"
GRID = "#d3d9df"


# XML 1.0 forbids most C0 control characters even when escaped; a label that held one
# would make the whole document unreadable, so they are dropped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: object) -> str:
    """Text or attribute content, escaped for XML."""
    return escape(_XML_INVALID.sub("", str(text)), quote=True)


def element_id(prefix: str) -> str:
    """An id prefix safe in XML and CSS (letters, digits, '-', '_'), never empty."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", prefix).strip("-")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "chart-" + cleaned
    return cleaned


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width: SVG cannot measure text before it is shown.

    Wide (East Asian) characters take about one em, Latin about 0.6 em (bold
    included): an overestimate wastes a little room, an underestimate clips.
    """
    width = 0.0
    for ch in text:
        width += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.6
    return width * size


def number(value: float | None, not_assessed: str, digits: int = 0) -> str:
    """A value as printed on a chart: ``42``, or the not-assessed word."""
    if value is None:
        return not_assessed
    return f"{value:.{digits}f}"


def clamp(value: float, maximum: float) -> float:
    return min(max(value, 0.0), maximum)


def coord(x: float) -> str:
    """Coordinates with two decimals at most, without trailing zeros."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def open_svg(
    uid: str, width: float, height: float, title: str, description: str, css_class: str
) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {coord(width)} {coord(height)}" '
        f'width="{coord(width)}" height="{coord(height)}" role="img" class="chart {css_class}" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="{xml_text(FONT)}" '
        f'font-size="13" fill="{INK}">',
        f'<title id="{uid}-title">{xml_text(title)}</title>',
        f'<desc id="{uid}-desc">{xml_text(description)}</desc>',
    ]
