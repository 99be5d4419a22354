"""The SVG charts: well-formed XML, values drawn where they belong, labels escaped."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date
from itertools import pairwise

import pytest

from csfpilot.reports import svg
from csfpilot.reports.charts import (
    CURRENT,
    HEAT_BANDS,
    TARGET,
    HeatCell,
    HeatRow,
    Series,
    TrendX,
    grouped_bars,
    heat_band,
    heatmap,
    radar,
    trend,
)

NS = {"s": "http://www.w3.org/2000/svg"}
FUNCTIONS = ["GV Govern", "ID Identify", "PR Protect", "DE Detect", "RS Respond", "RC Recover"]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    """Every text the chart shows, one per <text> (its tspans joined)."""
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def points(attr: str) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in attr.split()]  # type: ignore[misc]


def two_sides() -> list[Series]:
    return [
        Series("Current", [40.0, 55.0, 60.0, None, 35.0, 20.0], CURRENT),
        Series("Target", [80.0, 75.0, 90.0, 65.0, 75.0, 100.0], TARGET),
    ]


# --- every chart ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "svg",
    [
        radar(FUNCTIONS, two_sides(), title="Radar T", description="Radar D", id_prefix="r1"),
        grouped_bars(FUNCTIONS, two_sides(), title="Bars T", description="Bars D", id_prefix="b1"),
        heatmap(
            [HeatRow("GV", [HeatCell("GV.OC", "Context", 10.0)])],
            title="Heat T",
            description="Heat D",
            id_prefix="h1",
        ),
        trend(
            [TrendX("Q1"), TrendX("Q2")],
            [Series("Current", [10.0, 20.0])],
            title="Trend T",
            description="Trend D",
            id_prefix="t1",
        ),
    ],
    ids=["radar", "bars", "heatmap", "trend"],
)
def test_every_chart_is_an_accessible_image_with_title_and_description(svg):
    root = parse(svg)
    assert root.get("role") == "img"
    title = root.find("s:title", NS)
    desc = root.find("s:desc", NS)
    assert title is not None and desc is not None
    assert title.text.endswith(" T") and desc.text.endswith(" D")
    # aria-labelledby names exactly the title and the description, by their ids.
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert root.get("viewBox").startswith("0 0 ")
    # No script and no style element or attribute: a strict CSP and PDF renderers agree.
    for el in root.iter():
        assert not el.tag.endswith(("script", "style", "foreignObject"))
        assert "style" not in el.attrib
        assert not any(k.startswith("on") for k in el.attrib)


def test_the_default_description_lists_every_value_and_says_not_assessed():
    svg = radar(FUNCTIONS, two_sides(), title="t", not_assessed="not assessed")
    desc = parse(svg).find("s:desc", NS).text
    assert "GV Govern: Current 40, Target 80" in desc
    assert "DE Detect: Current not assessed, Target 65" in desc


def test_two_charts_on_one_page_get_distinct_ids():
    a = parse(grouped_bars(["x"], [Series("s", [1.0])], title="a", id_prefix="one"))
    b = parse(grouped_bars(["x"], [Series("s", [1.0])], title="b", id_prefix="two"))
    assert a.find("s:title", NS).get("id") != b.find("s:title", NS).get("id")
    # A prefix that would be an invalid id is made into a valid one.
    odd = parse(grouped_bars(["x"], [Series("s", [1.0])], title="c", id_prefix="9 <x>"))
    assert odd.find("s:title", NS).get("id").startswith("chart-9")


def test_labels_are_escaped_and_stay_exactly_what_was_given():
    hostile = "R&D <script>alert('x')</script> \"quoted\""
    svg = grouped_bars([hostile], [Series("Cur<rent>", [50.0])], title="T & <b>", id_prefix="e")
    assert "<script>" not in svg
    root = parse(svg)
    assert hostile in texts(root)
    assert "Cur<rent>" in texts(root)
    assert root.find("s:title", NS).text == "T & <b>"


def test_control_characters_that_xml_forbids_are_dropped_not_fatal():
    svg = heatmap(
        [HeatRow("Row\x00\x07", [HeatCell("GV\x1b.OC", "t\x0b", 50.0, href="/x?a=1&b=2")])],
        title="T\x01",
    )
    root = parse(svg)
    assert "Row" in texts(root) and "GV.OC" in texts(root)
    link = root.find(".//s:a", NS)
    assert link.get("href") == "/x?a=1&b=2"


def test_series_and_labels_must_have_the_same_length():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        grouped_bars(["a", "b", "c"], [Series("s", [1.0, 2.0])], title="t")
    with pytest.raises(ValueError, match="at least three axes"):
        radar(["a", "b"], [Series("s", [1.0, 2.0])], title="t")


# --- radar ---------------------------------------------------------------------------------


def test_radar_places_each_vertex_at_its_value_along_its_axis():
    series = two_sides()
    root = parse(radar(FUNCTIONS, series, title="t"))
    axes = root.findall(".//s:g[@class='grid']/s:line", NS)
    assert len(axes) == 6
    cx, cy = float(axes[0].get("x1")), float(axes[0].get("y1"))
    ends = [(float(a.get("x2")), float(a.get("y2"))) for a in axes]
    # The first axis points straight up; the others follow clockwise, 60 degrees apart.
    assert ends[0][0] == pytest.approx(cx)
    radius = cy - ends[0][1]
    for i, (x, y) in enumerate(ends):
        angle = -math.pi / 2 + 2 * math.pi * i / 6
        assert x == pytest.approx(cx + radius * math.cos(angle), abs=0.01)
        assert y == pytest.approx(cy + radius * math.sin(angle), abs=0.01)
    current, target = root.findall(".//s:polygon[@class]", NS)[-2:]
    assert current.get("class") == "series series-0"
    for poly, s in ((current, series[0]), (target, series[1])):
        for (x, y), (ex, ey), v in zip(points(poly.get("points")), ends, s.values, strict=True):
            share = (v or 0.0) / 100
            assert x == pytest.approx(cx + (ex - cx) * share, abs=0.01)
            assert y == pytest.approx(cy + (ey - cy) * share, abs=0.01)
    # The target side is dashed, so it reads without colour.
    assert target.get("stroke-dasharray") and not current.get("stroke-dasharray")


def test_radar_prints_each_axis_value_and_a_dash_for_not_assessed():
    root = parse(radar(FUNCTIONS, two_sides(), title="t"))
    shown = texts(root)
    assert "GV Govern40 / 80" in shown
    assert "DE Detect– / 65" in shown
    # Not assessed has no marker on its axis: five current (round) markers, six target
    # (square) ones, each plus its legend sample.
    assert len(root.findall(".//s:circle", NS)) == 5 + 1
    assert len(root.findall(".//s:rect", NS)) == 6 + 1
    tips = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "RC Recover — Target: 100" in tips


def test_radar_values_beyond_the_scale_stay_on_the_chart():
    root = parse(radar(["a", "b", "c"], [Series("s", [150.0, -5.0, 50.0])], title="t"))
    axes = root.findall(".//s:g[@class='grid']/s:line", NS)
    cy = float(axes[0].get("y1"))
    top = float(axes[0].get("y2"))
    poly = root.find(".//s:polygon[@class='series series-0']", NS)
    first, second, _third = points(poly.get("points"))
    assert first[1] == pytest.approx(top)  # clamped at the maximum
    assert second[1] == pytest.approx(cy)  # clamped at zero


# --- bars ----------------------------------------------------------------------------------


def test_bar_lengths_are_proportional_and_the_value_is_written_at_the_end():
    root = parse(grouped_bars(FUNCTIONS, two_sides(), title="t"))
    grid = root.findall(".//s:g[@class='grid']/s:line", NS)
    x0, x100 = float(grid[0].get("x1")), float(grid[-1].get("x1"))
    bars = root.findall(".//s:rect[@class]", NS)
    # Ten bars: one current value is not assessed and draws no bar.
    assert len(bars) == 11
    by_tip = {b.find("s:title", NS).text: b for b in bars}
    pr_target = by_tip["PR Protect — Target: 90"]
    assert float(pr_target.get("x")) == pytest.approx(x0)
    assert float(pr_target.get("width")) == pytest.approx((x100 - x0) * 0.9, abs=0.01)
    gv_current = by_tip["GV Govern — Current: 40"]
    assert float(gv_current.get("width")) == pytest.approx((x100 - x0) * 0.4, abs=0.01)
    # Each bar's number follows it on the same line.
    values = {
        t.text: t for t in root.findall(".//s:text[@class='value']", NS) if t.text is not None
    }
    assert float(values["40"].get("x")) == pytest.approx(x0 + (x100 - x0) * 0.4 + 5, abs=0.01)
    assert values["not assessed"].get("font-style") == "italic"


def test_bars_group_the_series_of_one_label_together_in_legend_order():
    root = parse(
        grouped_bars(["A", "B"], [Series("c", [10.0, 20.0]), Series("t", [30.0, 40.0])], title="t")
    )
    ys = [float(r.get("y")) for r in root.findall(".//s:rect[@class]", NS)]
    assert ys == sorted(ys)  # A-c, A-t, B-c, B-t from the top
    labels = root.findall(".//s:text[@class='bar-label']", NS)
    assert [t.text for t in labels] == ["A", "B"]


# --- heatmap -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0.0, 0),
        (19.99, 0),
        (20.0, 1),
        (59.9, 2),
        (60.0, 3),
        (99.0, 4),
        (100.0, 4),
        (130.0, 4),
        (-3.0, 0),
        (None, None),
    ],
)
def test_heat_bands_are_closed_at_the_top(value, band):
    assert heat_band(value) == band


def test_heatmap_tiles_carry_code_value_colour_and_link():
    rows = [
        HeatRow(
            "Govern",
            [
                HeatCell("GV.OC", "Organizational Context", 12.5, "/p/GV.OC"),
                HeatCell("GV.RM", "Risk Management Strategy", None),
            ],
        ),
        HeatRow("Identify", [HeatCell("ID.AM", "Asset Management", 85.0)]),
    ]
    root = parse(heatmap(rows, title="t", not_assessed="n/a"))
    link = root.find(".//s:a", NS)
    assert link.get("href") == "/p/GV.OC"
    assert link.get("class") == "tile band-0"
    rect = link.find("s:rect", NS)
    assert rect.get("fill") == HEAT_BANDS[0][1]
    assert [t.text for t in link.findall("s:text", NS)] == ["GV.OC", "12"]
    assert link.find("s:title", NS).text == "GV.OC Organizational Context: 12"
    groups = root.findall(".//s:g[@class]", NS)
    classes = [g.get("class") for g in groups]
    assert "tile band-none" in classes and "tile band-4" in classes
    missing = next(g for g in groups if g.get("class") == "tile band-none")
    assert missing.find("s:rect", NS).get("stroke-dasharray")  # not colour alone
    assert [t.text for t in missing.findall("s:text", NS)] == ["GV.RM", "n/a"]
    # Tiles of one row share a y; the next row is lower.
    first_row = {float(r.get("y")) for r in root.findall(".//s:a/s:rect", NS)}
    second = next(g for g in groups if g.get("class") == "tile band-4").find("s:rect", NS)
    assert float(second.get("y")) > max(first_row)
    # The legend spells the bands out.
    assert "0–20" in texts(root) and "80–100" in texts(root)


# --- trend ---------------------------------------------------------------------------------


def test_trend_spaces_dated_points_in_proportion_to_time():
    pts = [
        TrendX("Jan", date(2026, 1, 1)),
        TrendX("Feb", date(2026, 1, 11)),
        TrendX("Apr", date(2026, 1, 31)),
    ]
    root = parse(trend(pts, [Series("Current", [10.0, None, 30.0])], title="t"))
    markers = [
        c for c in root.findall(".//s:circle", NS) if c.find("s:title", NS).text != "Current"
    ]
    assert len(markers) == 2  # None draws no point
    x_first, x_last = (float(m.get("cx")) for m in markers)
    ticks = root.findall(".//s:g[@class='x-labels']/s:line", NS)
    xs = [float(t.get("x1")) for t in ticks]
    assert xs[0] == pytest.approx(x_first) and xs[-1] == pytest.approx(x_last)
    assert xs[1] - xs[0] == pytest.approx((xs[2] - xs[0]) / 3, abs=0.01)
    # A gap in the data breaks the line: no polyline joins the two points across it.
    assert root.findall(".//s:polyline", NS) == []


def test_trend_y_positions_follow_the_values():
    pts = [TrendX("a"), TrendX("b"), TrendX("c")]
    root = parse(trend(pts, [Series("Target", [0.0, 50.0, 100.0], TARGET)], title="t"))
    line = root.find(".//s:polyline", NS)
    (x0, y0), (x1, y1), (x2, y2) = points(line.get("points"))
    assert x1 - x0 == pytest.approx(x2 - x1)  # undated points are evenly spaced
    assert y1 == pytest.approx((y0 + y2) / 2)
    assert y2 < y0  # higher scores are drawn higher
    assert line.get("stroke-dasharray") == TARGET.dash
    assert [t.text for t in root.findall(".//s:text[@class='value']", NS)] == ["0", "50", "100"]


def test_a_crowded_trend_labels_only_each_lines_last_point():
    pts = [TrendX(f"S{i}") for i in range(10)]
    series = [Series(f"F{k}", [float(i * 10 + k) for i in range(10)]) for k in range(3)]
    root = parse(trend(pts, series, title="t"))
    assert [t.text for t in root.findall(".//s:text[@class='value']", NS)] == ["90", "91", "92"]


def test_text_width_counts_wide_characters_as_one_em():
    assert svg.text_width("治理", 10) == pytest.approx(20.0)
    assert svg.text_width("GV", 10) < svg.text_width("治理", 10)


def test_end_labels_of_lines_that_finish_close_together_do_not_overlap():
    pts = [TrendX("a"), TrendX("b")]
    series = [Series(f"F{k}", [10.0, 50.0 + k * 0.5]) for k in range(4)]
    root = parse(trend(pts, series, title="t"))
    labels = root.findall(".//s:text[@class='value']", NS)
    assert [t.text for t in labels] == ["50", "50", "51", "52"]  # in legend order
    ys = sorted(float(t.get("y")) for t in labels)
    assert all(b - a >= 12 - 1e-6 for a, b in pairwise(ys))
    # Written to the right of the last point, not over it.
    assert all(t.get("text-anchor") == "start" for t in labels)


def _bbox(t: ET.Element, size: float) -> tuple[float, float, float, float]:
    """A text's box (left, right, top, bottom) from its anchor, width and font size."""
    x, y, w = float(t.get("x")), float(t.get("y")), svg.text_width("".join(t.itertext()), size)
    anchor = t.get("text-anchor") or "start"
    left = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    return left, left + w, y - size, y


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


@pytest.mark.parametrize("first", [12.0, 20.0, 80.0, 89.0, 100.0])
def test_a_trend_value_never_runs_into_the_axis_numbers(first):
    # The dashboard's score over time: the first point's value sat on the y axis' "80".
    pts = [TrendX(f"Q{i}", date(2026, 3 * i, 28)) for i in range(1, 5)]
    series = [Series("Current", [first, 16.0, 31.0, 37.0]), Series("Target", [89.0] * 4, TARGET)]
    root = parse(trend(pts, series, title="t"))
    values = [_bbox(t, 11) for t in root.findall(".//s:text[@class='value']", NS)]
    ticks = [_bbox(t, 10) for t in root.findall(".//s:g[@class='grid']/s:text", NS)]
    assert len(values) == 8 and len(ticks) == 6
    assert not [(v, t) for v in values for t in ticks if _overlap(v, t)]
    grid = root.find(".//s:g[@class='grid']/s:line", NS)
    right_end = float(grid.get("x2"))
    assert all(v[1] <= right_end + 14 for v in values)


def test_radar_ring_values_stay_off_the_axes_and_their_points():
    root = parse(radar(FUNCTIONS, two_sides(), title="t"))
    axes = root.findall(".//s:g[@class='grid']/s:line", NS)
    cx = float(axes[0].get("x1"))
    ticks = root.findall(".//s:g[@class='ticks']/s:text", NS)
    assert [t.text for t in ticks] == ["20", "40", "60", "80", "100"]
    markers = [
        (float(c.get("cx")), float(c.get("cy"))) for c in root.findall(".//s:circle", NS)
    ] + [
        (
            float(r.get("x")) + float(r.get("width")) / 2,
            float(r.get("y")) + float(r.get("height")) / 2,
        )
        for r in root.findall(".//s:rect", NS)
        if r.find("s:title", NS) is not None
    ]
    for t in ticks:
        left, right, top, bottom = _bbox(t, 10)
        # Not on the first (vertical) axis, where that axis' points are drawn.
        assert not left <= cx <= right
        for mx, my in markers:
            assert not (left - 4 < mx < right + 4 and top - 4 < my < bottom + 4)
