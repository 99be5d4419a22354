"""The dashboard: scores current vs target per Function and Category, the gaps, the trend.

Everything drawn from the profile's outcomes alone (the charts, the table of scores)
is kept as finished HTML under the answer cache's key (:mod:`.fragments`); the gap
list with its filters, which also shows the open actions and each outcome's
evidence, is kept under that key with the actions' versions and the evidence's
inputs added. A repeat view reads the state of those and draws only the page around.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import ProfileKind
from csfpilot.webapp.evidence import dashboard_panel, outcome_panel
from csfpilot.webapp.evidence import queries as evidence_queries
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import dashboard_charts, fragments, page_queries, queries, storage
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.forms import GapFilterForm
from csfpilot.webapp.profiles.labels import PRIORITY_LABELS, level_label
from csfpilot.webapp.profiles.page_cache import kept_page
from csfpilot.webapp.profiles.views import profile_context, profile_page
from csfpilot.webapp.site.templatetags.csf_display import FUNCTION_NAMES

GAPS_SHOWN = 25
"""The gap list shows the top of the plan; the rest is one click away."""


def _gap_filters(request: HttpRequest) -> dict[str, Any]:
    """The gap list's filters as the query takes them; owner ``-`` means "nobody yet"."""
    function = request.GET.get("function") or None
    priority = request.GET.get("priority") or None
    owner = request.GET.get("owner")
    owner = None if owner in (None, "") else ("" if owner == "-" else owner)
    return {"function": function, "priority": priority, "owner": owner}


@profile_page(Permission.VIEW)
@require_GET
@kept_page("dashboard")
def dashboard(request: HttpRequest, access: Access, pk: int) -> HttpResponse:
    """Scores current vs target per Function and Category, the gaps in plan order, the trend.

    A request from the gap list's filters (HTMX) gets the list alone.
    """
    board = queries.dashboard(access, pk)
    row = board.profile
    answers = board.figures.answers
    today = timezone.localdate()
    # The links and scan tallies are read on every request (two queries): they and the
    # day are the evidence states' key; the states are worked out only to draw again.
    inputs = evidence_queries.evidence_inputs(row)
    evidence_key = (inputs.digest(), today.isoformat())

    @cache
    def states() -> dict[str, Any]:
        return outcome_panel.states(
            row, today, ratings=board.figures.current_ratings(), inputs=inputs
        )

    def gap_context() -> dict[str, Any]:
        try:
            gaps = board.gap_view(**_gap_filters(request))
        except InputRefused:
            gaps = board.gap_view()
        return _gap_list_context(access, row, gaps, request, states=states())

    def gap_part(name: str, template: str) -> SafeString:
        # Only the list without filters is kept: a filtered one is drawn for its request,
        # whose query string is the reader's to choose and must not fill the cache.
        return fragments.fragment(
            answers,
            name,
            (board.actions_key, evidence_key),
            template,
            gap_context,
            keep=not request.GET,
        )

    if request.htmx and request.htmx.target == "gap-list":
        return HttpResponse(gap_part("gap-list", "profiles/_gap_list.html"))
    slug = access.organization.slug
    categories = board.framework.group_levels[-1] if board.framework.group_levels else ""
    assess_url = reverse("profiles:assess", args=[slug, pk])
    profile_score, gap_score, gap_total = answers.get(
        "page-dashboard-cards",
        (),
        lambda: (board.scores.profile, board.gaps.profile, len(board.gaps.with_gap())),
    )
    cover = None
    if row.kind != ProfileKind.COMMUNITY.value:
        cover = answers.get(
            "page-evidence-coverage", evidence_key, lambda: _coverage(row, states())
        )
    return render(
        request,
        "profiles/dashboard.html",
        {
            **profile_context(access, row, "dashboard"),
            "board": board,
            "profile_score": profile_score,
            "gap_score": gap_score,
            "gap_total": gap_total,
            **_dashboard_figures(board, assess_url, categories),
            "gap_section": gap_part("gap-section", "profiles/_gap_section.html"),
            "trend": dashboard_charts.score_trend(board.trend) if len(board.trend) > 1 else None,
            "assess_url": assess_url,
            "plan": board.plan,
            "evidence": dashboard_panel.panel(access, row, None, cover=cover),
        },
    )


def _coverage(row: m.Profile, states: dict[str, Any]) -> evidence_queries.Coverage:
    """The evidence panel's figures, without the states they were counted from."""
    cover = evidence_queries.coverage(row, today=timezone.localdate(), states=states)
    return evidence_queries.Coverage(states={}, by_function=cover.by_function, counts=cover.counts)


def _dashboard_figures(
    board: queries.Dashboard, assess_url: str, categories: str
) -> dict[str, Any]:
    """The charts and the table of scores, drawn once per state of the profile's rows."""
    answers = board.figures.answers
    charts = {
        "radar": lambda: dashboard_charts.function_radar(board.scores, board.framework),
        "bars": lambda: dashboard_charts.function_bars(board.scores, board.framework),
        "heatmap": lambda: dashboard_charts.category_heatmap(
            board.scores, board.framework, href=lambda code: f"#row-{code.replace('.', '-')}"
        ),
    }
    out: dict[str, Any] = {
        name: fragments.drawn(answers, f"dashboard-{name}", (), draw)
        for name, draw in charts.items()
    }
    out["score_table"] = fragments.fragment(
        answers,
        "score-table",
        (),
        "profiles/_score_table.html",
        lambda: {
            "rows": _score_rows(board),
            "category_level": categories,
            "assess_url": assess_url,
            "top_level": levels[0] if (levels := board.profile.framework.levels) else "",
        },
    )
    return out


def _score_rows(board: queries.Dashboard) -> list[dict[str, Any]]:
    gaps = {g.code: g for g in board.gaps.groups}
    rows = []
    for node in board.scores.groups:
        rows.append(
            {
                "node": node,
                "dom": node.code.replace(".", "-"),
                "gap": gaps[node.code].percent if node.code in gaps else None,
                # A Category's name is shown by the template, with csfpilot's translation.
                "label": dashboard_charts.group_label(node)
                if node.level == board.framework.group_levels[0]
                else "",
            }
        )
    return rows


def _gap_list_context(
    access: Access,
    row: m.Profile,
    gaps: queries.GapView,
    request: HttpRequest,
    *,
    states: dict[str, Any] | None = None,
) -> dict[str, Any]:
    functions = [
        (g.code, f"{g.code} {FUNCTION_NAMES.get(g.code) or g.title.title()}")
        for g in gaps.functions
    ]
    form = GapFilterForm(request.GET or None, functions=functions, owners=list(gaps.owners))
    form.is_valid()
    scale = storage.scale_of(row)
    in_plan = page_queries.actions_by_outcome(row)
    show_all = request.GET.get("all") == "1"
    shown = gaps.outcomes if show_all else gaps.outcomes[:GAPS_SHOWN]
    slug = access.organization.slug
    if states is None and row.kind != ProfileKind.COMMUNITY.value:
        states = outcome_panel.states(row)
    items = [
        {
            "gap": g,
            "url": reverse("profiles:outcome", args=[slug, row.pk, g.outcome]),
            "rank": i,
            "current": level_label(scale, g.current.key),
            "target": level_label(scale, g.target.key),
            "points": round(float(g.gap * 100), 1),
            "priority": PRIORITY_LABELS.get(g.priority) if g.priority else None,
            "actions": in_plan.get(g.outcome, []),
            "evidence": outcome_panel.badge(states.get(g.outcome)) if states else None,
        }
        for i, g in enumerate(shown, start=1)
    ]
    more = request.GET.copy()
    more["all"] = "1"
    return {
        "gaps": gaps,
        "gap_items": items,
        "gap_matches": len(gaps.outcomes),
        "gap_hidden": len(gaps.outcomes) - len(items),
        "gap_all_url": f"?{more.urlencode()}",
        "gap_form": form,
        "gap_total": len(gaps.analysis.with_gap()),
        "filtered": any(v is not None for v in (gaps.function, gaps.priority, gaps.owner)),
        "gap_url": reverse("profiles:dashboard", args=[slug, row.pk]),
        "plan_url": reverse("profiles:plan", args=[slug, row.pk]),
        "access": access,
        "org": access.organization,
        "profile": row,
    }
