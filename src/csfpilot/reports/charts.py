"""Charts of profile scores as self-contained, accessible SVG.

A profile's scores read on 0–100 (see :mod:`csfpilot.core.scoring`): the
Current Profile says where the organization stands, the Target Profile where it
must be. Four charts show them:

- :func:`radar` — one axis per CSF Function, a polygon per side: the shape of
  the gap at a glance;
- :func:`grouped_bars` — one row per Function (or Category), a bar per side,
  with the number written at the end of each bar;
- :func:`heatmap` — every Category as a tile coloured by its score, grouped by
  Function, so the weakest Categories stand out;
- :func:`trend` — scores over a profile's snapshots.

Every chart is a string holding one ``<svg>`` element with a ``<title>`` and a
``<desc>`` (screen readers announce them; the description lists every value),
text labels for every value (colour never carries meaning alone: the target
side is also dashed and drawn with square markers), presentation attributes
instead of CSS (so a strict Content-Security-Policy, print and PDF renderers
all show it the same) and a ``viewBox`` so it scales to any width. Values of
``None`` mean *not assessed*: they are labelled as such and never drawn as 0.

All text given to a chart is escaped here, so callers pass plain strings.
Callers also pass the words a chart writes itself (``not_assessed``), so the
web app can hand in translations without this module knowing Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from csfpilot.reports.series import (
    CURRENT,
    EXTRA_STYLES,
    HALO,
    TARGET,
    Series,
    SeriesStyle,
)
from csfpilot.reports.series import check_lengths as _check
from csfpilot.reports.series import describe as _describe
from csfpilot.reports.series import legend as _legend
from csfpilot.reports.series import marker as _marker
from csfpilot.reports.svg import GRID, INK, MUTED, number, open_svg, text_width
from csfpilot.reports.svg import clamp as _clamp
from csfpilot.reports.svg import coord as _f
from csfpilot.reports.svg import element_id as _id
from csfpilot.reports.svg import xml_text as _t

__all__ = [
    "CURRENT",
    "EXTRA_STYLES",
    "HEAT_BANDS",
    "TARGET",
    "HeatCell",
    "HeatRow",
    "Series",
    "SeriesStyle",
    "TrendX",
    "grouped_bars",
    "heat_band",
    "heatmap",
    "radar",
    "trend",
]


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One heatmap tile: a short ``code`` printed on it, a longer ``label`` for its tooltip."""

    code: str
    label: str
    value: float | None
    href: str = ""


@dataclass(frozen=True, slots=True)
class HeatRow:
    """A row of tiles (a Function's Categories) with the row's name at its left."""

    label: str
    cells: Sequence[HeatCell]


@dataclass(frozen=True, slots=True)
class TrendX:
    """One point in time on a trend: its label and, when known, its date."""

    label: str
    when: date | datetime | None = None


# Score bands of the heatmap, worst first: (upper bound, fill, text colour).
# A diverging red-yellow-blue ramp that stays readable for red-green colour blindness;
# the number is printed on every tile anyway.
HEAT_BANDS: tuple[tuple[float, str, str], ...] = (
    (20.0, "#b2182b", "#ffffff"),
    (40.0, "#ef8a62", INK),
    (60.0, "#fddbc7", INK),
    (80.0, "#92c5de", INK),
    (100.0, "#2166ac", "#ffffff"),
)
NOT_ASSESSED_FILL = "#eceff3"


def heat_band(value: float | None) -> int | None:
    """The index into :data:`HEAT_BANDS` for a score (bands are closed at the top)."""
    if value is None:
        return None
    v = min(max(value, 0.0), 100.0)
    for i, (upper, _fill, _ink) in enumerate(HEAT_BANDS):
        if v < upper or i == len(HEAT_BANDS) - 1:
            return i
    return len(HEAT_BANDS) - 1  # pragma: no cover - the loop always returns


# --- radar -------------------------------------------------------------------------------


def radar(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    description: str = "",
    maximum: float = 100.0,
    not_assessed: str = "not assessed",
    id_prefix: str = "radar",
) -> str:
    """One axis per label (clockwise from the top), one closed polygon per series.

    Every axis carries its label and, beneath it, each series' value separated by
    " / " in legend order. A value of ``None`` sits at the centre with no marker
    and is printed as ``–``. Grid rings mark every fifth of ``maximum``.
    """
    if len(axes) < 3:
        raise ValueError("a radar needs at least three axes; use grouped_bars")
    _check(axes, series)
    uid = _id(id_prefix)
    width, radius = 520.0, 140.0
    legend, legend_h = _legend(series, 16, 20, width - 32)
    cx, cy = width / 2, legend_h + 30 + radius + 26
    height = cy + radius + 66
    n = len(axes)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * _clamp(value, maximum) / maximum
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    desc = description or _describe(axes, series, not_assessed)
    out = open_svg(uid, width, height, title, desc, "chart-radar")
    out.extend(legend)
    out.append('<g class="grid" fill="none">')
    for step in range(1, 6):
        ring = " ".join(
            f"{_f(x)},{_f(y)}" for x, y in (point(i, maximum * step / 5) for i in range(n))
        )
        out.append(f'<polygon points="{ring}" stroke="{GRID}" stroke-width="1"/>')
    for i in range(n):
        x, y = point(i, maximum)
        out.append(f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}" stroke="{GRID}"/>')
    out.append("</g>")
    # The ring values sit halfway between the first two axes, where no marker ever is
    # (markers sit on the axes), and never on the first axis with its points and labels.
    out.append(f'<g class="ticks" fill="{MUTED}" font-size="10" aria-hidden="true" {HALO}>')
    for step in range(1, 6):
        (x0, y0), (x1, y1) = point(0, maximum * step / 5), point(1, maximum * step / 5)
        tx, ty = (x0 + x1) / 2, (y0 + y1) / 2
        out.append(
            f'<text x="{_f(tx)}" y="{_f(ty + 3.5)}" text-anchor="middle">'
            f"{_f(maximum * step / 5)}</text>"
        )
    out.append("</g>")
    for k, s in enumerate(series):
        st = s.style
        pts = [point(i, v if v is not None else 0.0) for i, v in enumerate(s.values)]
        if any(v is not None for v in s.values):
            dash = f' stroke-dasharray="{st.dash}"' if st.dash else ""
            out.append(
                f'<polygon class="series series-{k}" points="'
                + " ".join(f"{_f(x)},{_f(y)}" for x, y in pts)
                + f'" fill="{st.colour}" fill-opacity="{st.fill_opacity}" '
                f'stroke="{st.colour}" stroke-width="2.5" stroke-linejoin="round"{dash}/>'
            )
        for i, v in enumerate(s.values):
            if v is not None:
                x, y = pts[i]
                out.append(_marker(st, x, y, f"{axes[i]} — {s.name}: {number(v, '')}"))
    out.append('<g class="axis-labels">')
    for i, label in enumerate(axes):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        lx, ly = cx + (radius + 18) * math.cos(angle), cy + (radius + 18) * math.sin(angle)
        anchor = "middle" if abs(math.cos(angle)) < 0.3 else "start" if lx > cx else "end"
        if math.sin(angle) < -0.3:
            ly -= 16  # labels above the chart grow upward, away from the rings
        elif math.sin(angle) > 0.3:
            ly += 10
        values = " / ".join(number(s.values[i], "–") for s in series)
        out.append(
            f'<text x="{_f(lx)}" y="{_f(ly)}" text-anchor="{anchor}">'
            f'<tspan font-weight="600">{_t(label)}</tspan>'
            f'<tspan x="{_f(lx)}" dy="16" fill="{MUTED}">{_t(values)}</tspan></text>'
        )
    out.append("</g></svg>")
    return "".join(out)


# --- grouped bars ------------------------------------------------------------------------


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    description: str = "",
    maximum: float = 100.0,
    not_assessed: str = "not assessed",
    id_prefix: str = "bars",
    width: float = 640.0,
) -> str:
    """Horizontal bars: one group per label, one bar per series, the value at its end.

    Horizontal bars keep long labels (Category titles, Traditional Chinese names)
    readable and fit a phone screen. A ``None`` value draws no bar and prints the
    not-assessed word instead.
    """
    _check(labels, series)
    uid = _id(id_prefix)
    label_w = min(max((text_width(lb, 13) for lb in labels), default=0) + 16, width * 0.42)
    bar_h, gap_in, gap_out = 16.0, 3.0, 14.0
    group_h = len(series) * bar_h + (len(series) - 1) * gap_in
    legend, legend_h = _legend(series, 16, 20, width - 32)
    top = legend_h + 28
    plot_x, plot_w = label_w + 8, width - label_w - 8 - 54
    height = top + len(labels) * (group_h + gap_out) + 26
    desc = description or _describe(labels, series, not_assessed)
    out = open_svg(uid, width, height, title, desc, "chart-bars")
    out.extend(legend)
    plot_bottom = top + len(labels) * (group_h + gap_out) - gap_out / 2
    out.append(f'<g class="grid" font-size="10" fill="{MUTED}">')
    for step in range(0, 6):
        x = plot_x + plot_w * step / 5
        out.append(
            f'<line x1="{_f(x)}" y1="{_f(top - 6)}" x2="{_f(x)}" y2="{_f(plot_bottom)}" '
            f'stroke="{GRID}"/>'
            f'<text x="{_f(x)}" y="{_f(plot_bottom + 14)}" text-anchor="middle" '
            f'aria-hidden="true">{_f(maximum * step / 5)}</text>'
        )
    out.append("</g>")
    for i, label in enumerate(labels):
        gy = top + i * (group_h + gap_out)
        out.append(
            f'<text class="bar-label" x="{_f(label_w)}" y="{_f(gy + group_h / 2 + 4.5)}" '
            f'text-anchor="end" font-weight="600">{_t(label)}</text>'
        )
        for k, s in enumerate(series):
            v = s.values[i]
            st = s.style
            y = gy + k * (bar_h + gap_in)
            tip = f"{label} — {s.name}: {number(v, not_assessed)}"
            if v is None:
                out.append(
                    f'<text class="value" x="{_f(plot_x + 4)}" y="{_f(y + bar_h - 4)}" '
                    f'fill="{MUTED}" font-style="italic">{_t(not_assessed)}'
                    f"<title>{_t(tip)}</title></text>"
                )
                continue
            w = plot_w * _clamp(v, maximum) / maximum
            dash = f' stroke-dasharray="{st.dash}"' if st.dash else ""
            solid = st.fill_opacity >= 0.2
            fill_attr = (
                f'fill="{st.colour}"'
                if solid
                else f'fill="{st.colour}" fill-opacity="{max(st.fill_opacity, 0.12)}"'
            )
            out.append(
                f'<rect class="bar series-{k}" x="{_f(plot_x)}" y="{_f(y)}" '
                f'width="{_f(max(w, 0.5))}" height="{_f(bar_h)}" {fill_attr} '
                f'stroke="{st.colour}" stroke-width="1.5"{dash}>'
                f"<title>{_t(tip)}</title></rect>"
            )
            out.append(
                f'<text class="value" x="{_f(plot_x + w + 5)}" y="{_f(y + bar_h - 4)}" '
                f'font-variant-numeric="tabular-nums">{_t(number(v, not_assessed))}</text>'
            )
    out.append("</svg>")
    return "".join(out)


# --- heatmap -----------------------------------------------------------------------------


def heatmap(
    rows: Sequence[HeatRow],
    *,
    title: str,
    description: str = "",
    not_assessed: str = "not assessed",
    legend_title: str = "Score",
    id_prefix: str = "heatmap",
) -> str:
    """Tiles coloured by score, one row per group; a tile with ``href`` is a link.

    Each tile prints its code and value; the colour band comes from
    :data:`HEAT_BANDS` and the legend spells the bands out. Not-assessed tiles
    are pale grey with a dashed border.
    """
    uid = _id(id_prefix)
    tile_w, tile_h, gap = 92.0, 56.0, 6.0
    label_w = min(max((text_width(r.label, 13) for r in rows), default=0) + 20, 180)
    columns = max((len(r.cells) for r in rows), default=1)
    width = label_w + columns * (tile_w + gap) + 8
    width = max(width, 520.0)
    top = 12.0
    grid_h = len(rows) * (tile_h + gap)
    height = top + grid_h + 62
    if not description:
        description = (
            "; ".join(
                f"{r.label}: "
                + ", ".join(f"{c.code} {number(c.value, not_assessed)}" for c in r.cells)
                for r in rows
            )
            + "."
        )
    out = open_svg(uid, width, height, title, description, "chart-heatmap")
    for i, row in enumerate(rows):
        y = top + i * (tile_h + gap)
        out.append(
            f'<text class="row-label" x="{_f(label_w - 10)}" y="{_f(y + tile_h / 2 + 4.5)}" '
            f'text-anchor="end" font-weight="600">{_t(row.label)}</text>'
        )
        for j, cell in enumerate(row.cells):
            x = label_w + j * (tile_w + gap)
            band = heat_band(cell.value)
            if band is None:
                fill, ink = NOT_ASSESSED_FILL, MUTED
                border = f' stroke="{MUTED}" stroke-dasharray="4 3"'
            else:
                _upper, fill, ink = HEAT_BANDS[band]
                border = ' stroke="#ffffff"'
            value_font = (
                'font-size="11" font-style="italic"' if cell.value is None else 'font-size="15"'
            )
            tip = f"{cell.code} {cell.label}: {number(cell.value, not_assessed)}".replace("  ", " ")
            tile = (
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(tile_w)}" height="{_f(tile_h)}" '
                f'rx="4" fill="{fill}"{border}/>'
                f'<text x="{_f(x + tile_w / 2)}" y="{_f(y + 22)}" text-anchor="middle" '
                f'fill="{ink}" font-weight="700" font-size="12">{_t(cell.code)}</text>'
                f'<text x="{_f(x + tile_w / 2)}" y="{_f(y + 42)}" text-anchor="middle" '
                f'fill="{ink}" {value_font}>{_t(number(cell.value, not_assessed))}</text>'
            )
            band_class = "none" if band is None else str(band)
            if cell.href:
                out.append(
                    f'<a class="tile band-{band_class}" href="{_t(cell.href)}">'
                    f"<title>{_t(tip)}</title>{tile}</a>"
                )
            else:
                out.append(f'<g class="tile band-{band_class}"><title>{_t(tip)}</title>{tile}</g>')
    ly = top + grid_h + 16
    out.append(
        f'<g class="legend" font-size="11"><text x="{_f(label_w)}" y="{_f(ly + 12)}" '
        f'font-weight="600">{_t(legend_title)}</text>'
    )
    lx = label_w + text_width(legend_title, 11) + 12
    lower = 0.0
    for upper, fill, ink in HEAT_BANDS:
        out.append(
            f'<rect x="{_f(lx)}" y="{_f(ly)}" width="52" height="18" fill="{fill}"/>'
            f'<text x="{_f(lx + 26)}" y="{_f(ly + 13)}" text-anchor="middle" fill="{ink}">'
            f"{_f(lower)}–{_f(upper)}</text>"
        )
        lx += 54
        lower = upper
    out.append(
        f'<rect x="{_f(lx + 6)}" y="{_f(ly)}" width="18" height="18" fill="{NOT_ASSESSED_FILL}" '
        f'stroke="{MUTED}" stroke-dasharray="4 3"/>'
        f'<text x="{_f(lx + 30)}" y="{_f(ly + 13)}" fill="{MUTED}">{_t(not_assessed)}</text>'
    )
    out.append("</g></svg>")
    return "".join(out)


# --- trend -------------------------------------------------------------------------------


def _ordinal(when: date | datetime) -> float:
    if isinstance(when, datetime):
        return when.timestamp() / 86400.0
    return float(when.toordinal() - date(1970, 1, 1).toordinal())


def trend(
    points: Sequence[TrendX],
    series: Sequence[Series],
    *,
    title: str,
    description: str = "",
    maximum: float = 100.0,
    not_assessed: str = "not assessed",
    id_prefix: str = "trend",
    width: float = 640.0,
) -> str:
    """Lines over time, oldest point left; a ``None`` breaks the line there.

    When every point has a date the x axis is proportional to time (a quarter
    looks like a quarter); otherwise points are evenly spaced. With one or two
    lines every point carries its value; with more, each line's last value is
    written at its right end, the labels pushed apart so that none overlaps.
    """
    labels = [p.label for p in points]
    _check(labels, series)
    if not points:
        raise ValueError("a trend needs at least one point")
    uid = _id(id_prefix)
    legend, legend_h = _legend(series, 16, 20, width - 32)
    top = legend_h + 34
    all_labels = len(series) <= 2 and len(points) <= 12
    left, right, plot_h = 44.0, 30.0 if all_labels else 44.0, 220.0
    plot_w = width - left - right
    # The points keep clear of the y axis, so that a value printed over the first
    # point never runs into the axis' numbers (nor the last one past the grid).
    inset = 18.0
    data_left, data_w = left + inset, plot_w - 2 * inset
    height = top + plot_h + 58
    dates = [p.when for p in points]
    if all(d is not None for d in dates) and len({_ordinal(d) for d in dates if d}) > 1:
        ords = [_ordinal(d) for d in dates if d is not None]
        lo, hi = min(ords), max(ords)
        xs = [data_left + data_w * (o - lo) / (hi - lo) for o in ords]
    elif len(points) == 1:
        xs = [left + plot_w / 2]
    else:
        xs = [data_left + data_w * i / (len(points) - 1) for i in range(len(points))]

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * _clamp(v, maximum) / maximum

    desc = description or _describe(labels, series, not_assessed)
    out = open_svg(uid, width, height, title, desc, "chart-trend")
    out.extend(legend)
    out.append(f'<g class="grid" font-size="10" fill="{MUTED}">')
    for step in range(0, 6):
        y = y_of(maximum * step / 5)
        out.append(
            f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(left + plot_w)}" y2="{_f(y)}" '
            f'stroke="{GRID}"/><text x="{_f(left - 6)}" y="{_f(y + 3.5)}" '
            f'text-anchor="end" aria-hidden="true">{_f(maximum * step / 5)}</text>'
        )
    out.append("</g>")
    out.append(f'<g class="x-labels" font-size="11" fill="{MUTED}">')
    last_right = -1e9
    for i, (x, label) in enumerate(zip(xs, labels, strict=True)):
        w = text_width(label, 11)
        anchor = "middle"
        lx = x
        if i == 0 and len(xs) > 1:
            anchor, lx = "start", x - 4
        elif i == len(xs) - 1 and len(xs) > 1:
            anchor, lx = "end", x + 4
        start = lx - (w / 2 if anchor == "middle" else 0 if anchor == "start" else w)
        # Skip a label that would overlap its left neighbour; the point keeps its tooltip.
        if start < last_right + 6 and i != len(xs) - 1:
            continue
        last_right = start + w
        out.append(
            f'<line x1="{_f(x)}" y1="{_f(top + plot_h)}" x2="{_f(x)}" '
            f'y2="{_f(top + plot_h + 5)}" stroke="{MUTED}"/>'
            f'<text x="{_f(lx)}" y="{_f(top + plot_h + 20)}" text-anchor="{anchor}">'
            f"{_t(label)}</text>"
        )
    out.append("</g>")
    ends: list[tuple[float, int, float, float]] = []  # (wanted y, series, value, x)
    for k, s in enumerate(series):
        st = s.style
        dash = f' stroke-dasharray="{st.dash}"' if st.dash else ""
        for run in _runs(s.values):
            if len(run) > 1:
                pts = " ".join(f"{_f(xs[i])},{_f(y_of(s.values[i] or 0.0))}" for i in run)
                out.append(
                    f'<polyline class="series series-{k}" points="{pts}" fill="none" '
                    f'stroke="{st.colour}" stroke-width="2.5" stroke-linejoin="round"{dash}/>'
                )
        last = max((i for i, v in enumerate(s.values) if v is not None), default=None)
        for i, v in enumerate(s.values):
            if v is None:
                continue
            x, y = xs[i], y_of(v)
            out.append(_marker(st, x, y, f"{labels[i]} — {s.name}: {number(v, '')}"))
            if all_labels:
                # Alternate sides so that two close lines do not print over each other.
                out.append(_trend_label(x, y + (-9 if k % 2 == 0 else 17), "middle", st, v))
            elif i == last:
                ends.append((y + 4, k, v, x + 8))
    placed = _spread([e[0] for e in sorted(ends)], gap=12.0, low=top + plot_h + 4)
    for y, (_wanted, k, v, x) in sorted(
        zip(placed, sorted(ends), strict=True), key=lambda pair: pair[1][1]
    ):
        out.append(_trend_label(x, y, "start", series[k].style, v))
    out.append("</svg>")
    return "".join(out)


def _trend_label(x: float, y: float, anchor: str, style: SeriesStyle, value: float) -> str:
    return (
        f'<text class="value" x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" {HALO} '
        f'font-size="11" fill="{style.colour}" font-weight="600">{_t(number(value, ""))}</text>'
    )


def _spread(wanted: list[float], *, gap: float, low: float) -> list[float]:
    """Positions as close to ``wanted`` (sorted) as possible, at least ``gap`` apart and
    none below ``low``: labels at the end of lines that finish close together."""
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, placed[-1] + gap) if placed else y)
    overflow = (placed[-1] - low) if placed else 0.0
    if overflow > 0:
        placed = [y - overflow for y in placed]
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    return placed


def _runs(values: Iterable[float | None]) -> list[list[int]]:
    """Indices of consecutive non-None values: each run is one unbroken line."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    return runs
