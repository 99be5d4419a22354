"""The dashboard's and history's charts: domain scores in, translated SVG out.

The drawing is :mod:`csfpilot.reports.charts` (pure Python, also used for
PDF reports); this module only picks what to draw — Functions on the radar
and the bars, Categories on the heatmap, snapshots on the trend — and hands
the charts their words in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from csfpilot.core.profiles import OutcomeFramework
from csfpilot.core.scoring import NodeScore, ProfileScores, TrendPoint
from csfpilot.reports import charts
from csfpilot.webapp.site.category_names import category_name
from csfpilot.webapp.site.templatetags.csf_display import FUNCTION_NAMES, level_name

# The Functions' colours of the site (darkened for contrast), each with its own dash and
# marker so that six lines stay apart in print and for colour-blind readers.
FUNCTION_STYLES = {
    "GV": charts.SeriesStyle("#7a5a00", "", "circle"),
    "ID": charts.SeriesStyle("#1f5fa8", "8 3", "square"),
    "PR": charts.SeriesStyle("#6b3fa0", "2 3", "circle"),
    "DE": charts.SeriesStyle("#a34e00", "12 3 3 3", "square"),
    "RS": charts.SeriesStyle("#b42318", "4 4", "circle"),
    "RC": charts.SeriesStyle("#2b7a3d", "1 2", "square"),
}


def group_label(node: NodeScore) -> str:
    """``GV Govern`` in the reader's language; a group of another framework by its title."""
    name = FUNCTION_NAMES.get(node.code)
    if name is not None:
        return f"{node.code} {name}"
    return f"{node.code} {node.title.title()}" if node.title else node.code


def _sides(nodes: Sequence[NodeScore]) -> list[charts.Series]:
    return [
        charts.Series(_("Current"), [n.current.percent for n in nodes], charts.CURRENT),
        charts.Series(_("Target"), [n.target.percent for n in nodes], charts.TARGET),
    ]


def _safe(svg: str) -> SafeString:
    # Every text in the SVG is escaped by the chart module itself.
    return mark_safe(svg)  # noqa: S308


def _per(framework: OutcomeFramework, csf: str, other: str) -> str:
    """A chart title naming the framework's top level (the CSF's keeps its own wording)."""
    top = framework.group_levels[0] if framework.group_levels else ""
    return csf if top == "function" else other % {"level": level_name(top)}


def top_level(scores: ProfileScores, framework: OutcomeFramework) -> tuple[NodeScore, ...]:
    """The scores of the framework's top groups (the Functions for the CSF)."""
    if not framework.group_levels:
        return ()
    return scores.at_level(framework.group_levels[0])


def function_radar(scores: ProfileScores, framework: OutcomeFramework) -> SafeString | None:
    nodes = top_level(scores, framework)
    if len(nodes) < 3:
        return None
    return _safe(
        charts.radar(
            [group_label(n) for n in nodes],
            _sides(nodes),
            title=_per(
                framework,
                _("Current and target score per Function"),
                _("Current and target score per %(level)s"),
            ),
            not_assessed=_("not assessed"),
            id_prefix="fn-radar",
        )
    )


def function_bars(scores: ProfileScores, framework: OutcomeFramework) -> SafeString | None:
    nodes = top_level(scores, framework)
    if not nodes:
        return None
    return _safe(
        charts.grouped_bars(
            [group_label(n) for n in nodes],
            _sides(nodes),
            title=_per(
                framework,
                _("Current and target score per Function, 0–100"),
                _("Current and target score per %(level)s, 0–100"),
            ),
            not_assessed=_("not assessed"),
            id_prefix="fn-bars",
        )
    )


def category_heatmap(
    scores: ProfileScores,
    framework: OutcomeFramework,
    href: Callable[[str], str] | None = None,
) -> SafeString | None:
    """Each Category's current score as a tile, one row per Function."""
    levels = framework.group_levels
    if len(levels) < 2:
        return None
    top, second = levels[0], levels[1]
    rows = []
    for node in scores.at_level(top):
        cells = [
            charts.HeatCell(
                code=g.code,
                label=category_name(g.title) or g.title,
                value=g.current.percent,
                href=href(g.code) if href else "",
            )
            for g in scores.at_level(second)
            if framework.group(g.code) is not None and framework.group(g.code).parent == node.code
        ]
        rows.append(charts.HeatRow(group_label(node), cells))
    return _safe(
        charts.heatmap(
            rows,
            title=_("Current score of each Category"),
            not_assessed=_("not assessed"),
            legend_title=_("Current score"),
            id_prefix="cat-heatmap",
        )
    )


def point_label(point: TrendPoint) -> str:
    if point.taken is None:
        return _("Now")
    return timezone.localtime(point.taken).date().isoformat()


def score_trend(points: Sequence[TrendPoint], *, id_prefix: str = "trend") -> SafeString | None:
    """The profile's current and target score at each snapshot and now."""
    if not points:
        return None
    now = timezone.now()
    xs = [charts.TrendX(point_label(p), timezone.localtime(p.taken or now).date()) for p in points]
    series = [
        charts.Series(
            _("Current"), [p.scores.profile.current.percent for p in points], charts.CURRENT
        ),
        charts.Series(
            _("Target"), [p.scores.profile.target.percent for p in points], charts.TARGET
        ),
    ]
    return _safe(
        charts.trend(
            xs,
            series,
            title=_("Profile score over time"),
            not_assessed=_("not assessed"),
            id_prefix=id_prefix,
        )
    )


def function_trend(points: Sequence[TrendPoint], framework: OutcomeFramework) -> SafeString | None:
    """Each Function's current score at each snapshot and now."""
    if len(points) < 2 or not framework.group_levels:
        return None
    now = timezone.now()
    xs = [charts.TrendX(point_label(p), timezone.localtime(p.taken or now).date()) for p in points]
    first = points[0].scores.at_level(framework.group_levels[0])
    spare = list(charts.EXTRA_STYLES)
    series = []
    for i, node in enumerate(first):
        values = [p.scores.group(node.code).current.percent for p in points]
        style = FUNCTION_STYLES.get(node.code) or spare[i % len(spare)]
        series.append(charts.Series(group_label(node), values, style))
    return _safe(
        charts.trend(
            xs,
            series,
            title=_per(
                framework,
                _("Current score per Function over time"),
                _("Current score per %(level)s over time"),
            ),
            not_assessed=_("not assessed"),
            id_prefix="fn-trend",
        )
    )
