"""Scores, gaps, plans and comparisons as JSON-ready dicts.

The CLI's ``--json`` output and any API that reports on a profile use these
shapes, so they stay identical everywhere. Scores and gaps are on 0–100 with
two decimals; ``null`` means *not assessed* (never 0).
"""

from __future__ import annotations

from typing import Any

from csfpilot.core.gaps import CandidateAction, GapAnalysis, GroupGap
from csfpilot.core.profiles import OutcomeFramework, Profile
from csfpilot.core.scoring import (
    Comparison,
    NodeScore,
    ProfileScores,
    SideScore,
    TrendPoint,
    percent,
)


def _side(s: SideScore) -> dict[str, Any]:
    return {
        "score": s.percent,
        "assessed": s.assessed,
        "not_assessed": s.not_assessed,
        "not_applicable": s.not_applicable,
    }


def _node(n: NodeScore) -> dict[str, Any]:
    return {
        "id": n.code,
        "title": n.title,
        "outcomes": n.outcomes,
        "included": n.included,
        "current": _side(n.current),
        "target": _side(n.target),
    }


def profile_header(profile: Profile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "kind": profile.kind.value,
        "framework": profile.framework,
        "scale": profile.scale.key,
        "rollup": profile.rollup.value,
    }


def scores_summary(
    profile: Profile, scores: ProfileScores, framework: OutcomeFramework
) -> dict[str, Any]:
    """``profile`` (header + totals), then one list per group level (``functions``...)."""
    top = _node(scores.profile)
    top.pop("id")
    top.pop("title")
    out: dict[str, Any] = {"profile": {**profile_header(profile), **top}}
    for level in framework.group_levels:
        rows = []
        for n in scores.at_level(level):
            row = _node(n)
            group = framework.group(n.code)
            if group is not None and group.parent is not None:
                row["parent"] = group.parent
            rows.append(row)
        out[_plural(level)] = rows
    return out


def _plural(level: str) -> str:
    return level[:-1] + "ies" if level.endswith("y") else level + "s"


def _group_gap(g: GroupGap) -> dict[str, Any]:
    return {
        "id": g.code,
        "title": g.title,
        "gap": g.percent,
        "comparable": g.comparable,
        "with_gap": g.with_gap,
        "not_comparable": g.not_comparable,
    }


def gaps_summary(
    profile: Profile, gaps: GapAnalysis, framework: OutcomeFramework
) -> dict[str, Any]:
    """Outcomes with a gap in action-plan order, then group gaps per level."""
    top = _group_gap(gaps.profile)
    top.pop("id")
    top.pop("title")
    outcomes = []
    for g in gaps.with_gap():
        ancestors = framework.ancestors(g.outcome) if framework.is_outcome(g.outcome) else ()
        outcomes.append(
            {
                "id": g.outcome,
                "groups": list(ancestors),
                "priority": g.priority.value if g.priority else None,
                "weight": g.weight,
                "current": g.current.key,
                "target": g.target.key,
                "current_score": percent(g.current_score),
                "target_score": percent(g.target_score),
                "gap": percent(g.gap),
                "rank": percent(g.rank),
                "owner": g.owner,
            }
        )
    out: dict[str, Any] = {"profile": {**profile_header(profile), **top}, "outcomes": outcomes}
    for level in framework.group_levels:
        out[_plural(level)] = [_group_gap(g) for g in gaps.at_level(level)]
    out["not_comparable"] = list(gaps.not_comparable)
    return out


def plan_summary(profile: Profile, candidates: list[CandidateAction]) -> dict[str, Any]:
    return {
        "profile": profile_header(profile),
        "candidates": [
            {
                "outcome": c.outcome,
                "title": c.title,
                "priority": c.gap.priority.value if c.gap.priority else None,
                "gap": percent(c.gap.gap),
                "rank": percent(c.gap.rank),
                "owner": c.gap.owner,
                "suggested_controls": list(c.suggested_controls),
                "covered_by": list(c.covered_by),
            }
            for c in candidates
        ],
        "actions": [
            {
                "id": a.id,
                "title": a.title,
                "outcomes": list(a.outcomes),
                "owner": a.owner,
                "due": a.due.isoformat() if a.due else None,
                "milestone": a.milestone,
                "status": a.status.value,
                "cost": a.cost,
                "controls": list(a.controls),
            }
            for a in profile.actions
        ],
    }


def comparison_summary(comparison: Comparison, *, all_scores: bool = False) -> dict[str, Any]:
    """Field changes, and score deltas (the profile row always; groups when they moved)."""
    scores = []
    for d in comparison.deltas:
        if d.level != "profile" and not d.changed and not all_scores:
            continue
        scores.append({"id": d.code, "level": d.level, "title": d.title, **d.as_percent()})
    return {
        "before": comparison.before,
        "after": comparison.after,
        "changes": [
            {"element": c.element, "field": c.field, "before": c.before, "after": c.after}
            for c in comparison.changes
        ],
        "scores": scores,
    }


def trend_summary(
    points: list[TrendPoint], framework: OutcomeFramework, level: str
) -> dict[str, Any]:
    """One series per node: the profile and every group at ``level``."""
    codes = [g.code for g in framework.at_level(level)]
    return {
        "points": [
            {"taken": p.taken.isoformat() if p.taken else None, "label": p.label} for p in points
        ],
        "series": [
            {
                "id": "",
                "level": "profile",
                "current": [p.scores.profile.current.percent for p in points],
                "target": [p.scores.profile.target.percent for p in points],
            },
            *(
                {
                    "id": code,
                    "level": level,
                    "current": [p.scores.group(code).current.percent for p in points],
                    "target": [p.scores.group(code).target.percent for p in points],
                }
                for code in codes
            ),
        ],
    }
