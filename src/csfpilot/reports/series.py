"""What a chart draws: named series of values, and how each is drawn.

A series is one line, polygon or row of bars — the Current Profile's scores,
say — with a style that sets it apart by colour *and* by dash and marker
shape, so that a chart reads in black and white and for colour-blind readers.
The helpers here draw a series' markers, the legend and the text description
every chart carries for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from csfpilot.reports.svg import coord as _f
from csfpilot.reports.svg import number, text_width
from csfpilot.reports.svg import xml_text as _t


@dataclass(frozen=True, slots=True)
class SeriesStyle:
    """How one series is drawn; the dash and the marker keep it apart without colour."""

    colour: str
    dash: str = ""  # SVG stroke-dasharray; "" is a solid line
    marker: str = "circle"  # "circle" or "square"
    fill_opacity: float = 0.18  # area under a radar polygon, fill of a bar


CURRENT = SeriesStyle("#0b57a4", "", "circle", 0.22)
TARGET = SeriesStyle("#a34e00", "6 4", "square", 0.08)
# A white outline drawn under a label (paint-order) keeps it readable over grid lines.
HALO = 'stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'

EXTRA_STYLES = (
    SeriesStyle("#2b7a3d", "2 3", "circle", 0.1),
    SeriesStyle("#6b3fa0", "10 3 2 3", "square", 0.1),
    SeriesStyle("#b42318", "1 3", "circle", 0.1),
    SeriesStyle("#45525e", "12 4", "square", 0.1),
)


@dataclass(frozen=True)
class Series:
    """A named row of values on 0–100 (``None``: not assessed), one per axis or point."""

    name: str
    values: Sequence[float | None]
    style: SeriesStyle = CURRENT


def marker(style: SeriesStyle, x: float, y: float, tooltip: str, r: float = 4.0) -> str:
    tip = f"<title>{_t(tooltip)}</title>"
    if style.marker == "square":
        return (
            f'<rect x="{_f(x - r)}" y="{_f(y - r)}" width="{_f(2 * r)}" height="{_f(2 * r)}" '
            f'fill="#ffffff" stroke="{style.colour}" stroke-width="2">{tip}</rect>'
        )
    return (
        f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="{style.colour}" '
        f'stroke="#ffffff" stroke-width="1">{tip}</circle>'
    )


def legend(series: Sequence[Series], x: float, y: float, width: float) -> tuple[list[str], float]:
    """Legend entries laid out left to right, wrapping; returns the parts and its height."""
    parts = ['<g class="legend">']
    cx, cy = x, y
    for s in series:
        w = 34 + text_width(s.name, 13) + 18
        if cx > x and cx + w > x + width:
            cx, cy = x, cy + 22
        st = s.style
        dash = f' stroke-dasharray="{st.dash}"' if st.dash else ""
        parts.append(
            f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(cx + 26)}" y2="{_f(cy)}" '
            f'stroke="{st.colour}" stroke-width="3"{dash}/>'
        )
        parts.append(marker(st, cx + 13, cy, s.name, 3.5))
        parts.append(f'<text x="{_f(cx + 32)}" y="{_f(cy + 4.5)}">{_t(s.name)}</text>')
        cx += w
    parts.append("</g>")
    return parts, cy - y + 22


def describe(labels: Sequence[str], series: Sequence[Series], not_assessed: str) -> str:
    lines = []
    for i, label in enumerate(labels):
        values = ", ".join(
            f"{s.name} {number(s.values[i], not_assessed)}" for s in series if i < len(s.values)
        )
        lines.append(f"{label}: {values}")
    return "; ".join(lines) + "."


def check_lengths(labels: Sequence[str], series: Sequence[Series]) -> None:
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(
                f"series {s.name!r} has {len(s.values)} values for {len(labels)} labels"
            )
