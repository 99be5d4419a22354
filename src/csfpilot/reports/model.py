"""What a report says, computed once from the domain and handed to every format.

A board brief and an auditor's workpaper read the same facts: the profile's
Tiers (current → target, with the reasons), its scores per Function and
Category, the outcomes below target in action-plan order (priority weight ×
gap), the action plan and how far it has come, the trend since the last
snapshot, and where the Core's texts came from (which NIST release, and the
SHA-256 of the file it was read from, so an auditor can check it).

:func:`build_report` computes them from :mod:`csfpilot.core` objects — the
web app and the command line each build those objects their own way and pass
them in. The result holds only plain values (strings, numbers, lists and
dicts once :meth:`Report.context` is called), which is all a user's own
template may see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

from csfpilot.core.gaps import analyse_gaps
from csfpilot.core.profiles import (
    TIER_ASPECTS,
    Implementation,
    OutcomeFramework,
    Profile,
    Scale,
    plan_progress,
)
from csfpilot.core.profiles.progress import is_overdue
from csfpilot.core.scoring import percent, score_profile
from csfpilot.core.scoring import trend as trend_of
from csfpilot.reports.branding import Branding
from csfpilot.reports.evidence import EvidenceBook, outcome_evidence, register, state_counts
from csfpilot.reports.transfers import TransferView, transfer_sections
from csfpilot.reports.words import merged

TOP_GAPS = 10
"""How many gaps the board brief lists; the workpaper lists all of them."""

LevelLabel = Callable[[Scale, Any], str]


@dataclass(frozen=True, slots=True)
class Provenance:
    """The framework release the profile's outcomes come from, and its source file."""

    key: str
    name: str = ""
    version: str = ""
    publisher: str = ""
    source_file: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Report:
    """Everything a report shows; :meth:`context` gives it as plain dicts and lists."""

    kind: str  # "brief" or "workpaper"
    language: str
    words: dict[str, str]
    meta: dict[str, Any]
    provenance: dict[str, str]
    tiers: list[dict[str, Any]]
    totals: dict[str, Any]
    functions: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    top_gaps: list[dict[str, Any]]
    trend: dict[str, Any]
    plan: dict[str, Any]
    actions: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    method: dict[str, Any]
    branding: dict[str, str] = field(default_factory=lambda: Branding().as_dict())
    # Every evidence item the profile cites (see csfpilot.reports.evidence), and the counts
    # of outcomes per evidence state; empty when the report was made without a library.
    register: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    # The profile's results transferred to other frameworks (csfpilot.reports.transfers).
    transfers: list[dict[str, Any]] = field(default_factory=list)

    def context(self) -> dict[str, Any]:
        """The report as plain data: what templates (built-in or a user's) render."""
        return asdict(self)

    def with_branding(self, branding: Branding) -> Report:
        return replace(self, branding=branding.as_dict())


def _pct(value: Any) -> float | None:
    return percent(value, 1) if value is not None else None


def _details(d: Implementation) -> dict[str, Any]:
    return {
        "policies": d.policies,
        "practices": d.practices,
        "roles": d.roles,
        "references": list(d.references),
        "evidence": list(d.evidence),
    }


def _default_level_label(scale: Scale, key: Any) -> str:
    level = scale.get(key)
    return level.label if level is not None else str(key)


def build_report(
    profile: Profile,
    framework: OutcomeFramework,
    *,
    kind: str = "brief",
    provenance: Provenance,
    history: Sequence[Profile] = (),
    today: date,
    generated: datetime,
    organization: str = "",
    language: str = "en",
    words: Mapping[str, str] | None = None,
    group_names: Mapping[str, str] | None = None,
    level_label: LevelLabel | None = None,
    scope_label: str = "",
    scale_label: str = "",
    snapshot_label: Callable[[datetime], str] | None = None,
    evidence: EvidenceBook | None = None,
    transfers: Sequence[TransferView] = (),
) -> Report:
    """The report on ``profile``; ``history`` holds its snapshots (any order) for the trend.

    ``evidence`` (the organization's library as the web app reads it) adds
    each outcome's evidence and findings, and the evidence register.

    ``transfers`` adds a section per other framework with the results transferred
    to it (coverage and datasets cited).

    ``group_names`` names the top groups in the reader's language (``GV`` →
    "Govern"), ``level_label`` names a rating level; both default to the
    framework's and the scale's English names.
    """
    if kind not in ("brief", "workpaper"):
        raise ValueError(f"unknown report kind {kind!r}")
    w = merged(words)
    label = level_label or _default_level_label
    names = dict(group_names or {})
    scale = profile.scale
    scores = score_profile(profile, framework)
    gaps = analyse_gaps(profile, framework)
    levels = framework.group_levels
    top_level = levels[0] if levels else ""
    second_level = levels[1] if len(levels) > 1 else ""
    group_gaps = {g.code: g for g in gaps.groups}

    def group_name(code: str, title: str) -> str:
        if code in names:
            return names[code]
        return title.title() if title.isupper() else title

    def group_row(node: Any) -> dict[str, Any]:
        g = group_gaps.get(node.code)
        return {
            "code": node.code,
            "name": group_name(node.code, node.title),
            "current": node.current.percent,
            "target": node.target.percent,
            "gap": g.percent if g is not None else None,
            "assessed": node.current.assessed,
            "included": node.included,
        }

    functions = [group_row(n) for n in scores.at_level(top_level)] if top_level else []
    categories = []
    if second_level:
        for n in scores.at_level(second_level):
            row = group_row(n)
            group = framework.group(n.code)
            row["function"] = group.parent if group is not None and group.parent else ""
            categories.append(row)

    def ancestors(code: str) -> tuple[str, str]:
        chain = framework.ancestors(code) if framework.is_outcome(code) else ()
        return (chain[0] if chain else "", chain[-1] if chain else "")

    def priority_word(p: Any) -> str:
        return w[f"priority_{p.value}"] if p is not None else ""

    gap_rows = []
    for i, g in enumerate(gaps.with_gap(), start=1):
        fn, cat = ancestors(g.outcome)
        gap_rows.append(
            {
                "rank": i,
                "outcome": g.outcome,
                "text": framework.text(g.outcome),
                "function": fn,
                "category": cat,
                "priority": priority_word(g.priority),
                "current": label(scale, g.current.key),
                "target": label(scale, g.target.key),
                "gap": _pct(g.gap),
                "weighted": _pct(g.rank),
                "owner": g.owner,
            }
        )

    outcome_rows = []
    for code in framework.order(profile.outcomes):
        entry = profile.outcomes[code]
        if not entry.included:
            continue
        fn, cat = ancestors(code)
        current, target = entry.current, entry.target
        gap = gaps.outcome(code)
        outcome_rows.append(
            {
                "code": code,
                "text": framework.text(code),
                "function": fn,
                "category": cat,
                "rationale": entry.rationale,
                "priority": priority_word(entry.priority),
                "current": label(scale, current.key) if current is not None else "",
                "target": label(scale, target.key) if target is not None else "",
                "current_score": _pct(current.score) if current is not None else None,
                "target_score": _pct(target.score) if target is not None else None,
                "gap": _pct(gap.gap) if gap is not None else None,
                "owner": entry.owner,
                "notes": entry.notes,
                "considerations": entry.considerations,
                "current_details": _details(entry.current_details),
                "target_details": _details(entry.target_details),
                "proof": outcome_evidence(evidence, code, w) if evidence else None,
            }
        )

    progress = plan_progress(profile.actions, today)
    actions = []
    for a in profile.actions:
        actions.append(
            {
                "id": a.id,
                "title": a.title,
                "outcomes": list(a.outcomes),
                "owner": a.owner,
                "due": a.due.isoformat() if a.due else "",
                "milestone": a.milestone,
                "status": a.status.value,
                "status_label": w[f"status_{a.status.value}"],
                "cost": a.cost,
                "controls": list(a.controls),
                "notes": a.notes,
                "overdue": is_overdue(a, today),
            }
        )
    # The plan page's words: closed = done + risk accepted; overdue = past due and not closed.
    plan = {
        "total": progress.total,
        "open": progress.open,
        "in_progress": progress.in_progress,
        "done": progress.done,
        "risk_accepted": progress.risk_accepted,
        "overdue": progress.overdue,
        "closed": progress.closed,
        "closed_percent": progress.closed_percent,
    }

    tiers = []
    for aspect in TIER_ASPECTS:
        rating = profile.tiers.aspect(aspect)
        tiers.append(
            {
                "aspect": aspect,
                "name": w[aspect],
                "current": int(rating.current) if rating.current is not None else None,
                "target": int(rating.target) if rating.target is not None else None,
                "current_label": w[f"tier_{int(rating.current)}"]
                if rating.current is not None
                else w["no_tier"],
                "target_label": w[f"tier_{int(rating.target)}"]
                if rating.target is not None
                else w["no_tier"],
                "current_rationale": rating.current_rationale,
                "target_rationale": rating.target_rationale,
            }
        )

    trend = _trend(profile, history, framework, top_level, group_name, snapshot_label)
    node = scores.profile
    totals = {
        "current": node.current.percent,
        "target": node.target.percent,
        "gap": gaps.profile.percent,
        "outcomes": node.outcomes,
        "included": node.included,
        "assessed": node.current.assessed,
        "not_assessed": node.current.not_assessed,
        "not_applicable": node.current.not_applicable,
        "with_gap": len(gap_rows),
        "not_comparable": len(gaps.not_comparable),
    }
    meta = {
        "title": profile.name,
        "organization": organization,
        "kind": profile.kind.value,
        "scope": scope_label or profile.scope.type.label.capitalize(),
        "scope_name": profile.scope.name,
        "description": profile.description,
        "assumptions": profile.assumptions,
        "scale": scale_label or scale.name,
        "scale_key": scale.key,
        "rollup": profile.rollup.value,
        "rollup_label": w[f"rollup_{profile.rollup.value}"],
        "based_on": profile.based_on,
        "today": today.isoformat(),
        "generated": generated.isoformat(timespec="minutes"),
        "top_level": top_level,
        "second_level": second_level,
    }
    method = {
        "scale": w["method_scale"] % {"scale": scale_label or scale.name},
        "rollup": w["method_priority" if profile.rollup.value == "priority" else "method_equal"],
        "gap": w["method_gap"],
        "levels": [
            {
                "key": str(lv.key),
                "label": label(scale, lv.key),
                "score": _pct(lv.score) if lv.score is not None else None,
            }
            for lv in scale.levels
        ],
    }
    prov = asdict(provenance)
    prov["text"] = w["provenance_text"] % {
        "framework": provenance.name or provenance.key,
        "version": provenance.version or "—",
        "publisher": provenance.publisher or "—",
    }
    return Report(
        kind=kind,
        language=language,
        words=w,
        meta=meta,
        provenance=prov,
        tiers=tiers,
        totals=totals,
        functions=functions,
        categories=categories,
        gaps=gap_rows,
        top_gaps=gap_rows[:TOP_GAPS],
        trend=trend,
        plan=plan,
        actions=actions,
        outcomes=outcome_rows,
        method=method,
        register=register(evidence, w) if evidence else [],
        transfers=transfer_sections(transfers, w, label),
        evidence=(
            {
                "counts": state_counts(evidence),
                "summary": w["evidence_summary"] % state_counts(evidence),
            }
            if evidence
            else {}
        ),
    )


def _trend(
    profile: Profile,
    history: Sequence[Profile],
    framework: OutcomeFramework,
    top_level: str,
    group_name: Callable[[str, str], str],
    snapshot_label: Callable[[datetime], str] | None,
) -> dict[str, Any]:
    """Scores now against the latest snapshot, overall and per Function."""
    dated = [p for p in history if p.snapshot is not None]
    live = replace(profile, snapshot=None)
    points = trend_of([*dated, live], framework)
    names = {p.snapshot.taken: p.snapshot.label for p in dated if p.snapshot is not None}
    series = [
        {
            "label": (
                snapshot_label(p.taken)
                if snapshot_label and p.taken
                else (p.taken.date().isoformat() if p.taken else "")
            ),
            "snapshot": names.get(p.taken, "") if p.taken else "",
            "taken": p.taken.isoformat(timespec="minutes") if p.taken else "",
            "current": p.scores.profile.current.percent,
            "target": p.scores.profile.target.percent,
        }
        for p in points
    ]
    if len(points) < 2:
        return {"previous": None, "points": series, "functions": []}
    before, after = points[-2], points[-1]

    def delta(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else round(b - a, 1)

    functions = []
    if top_level:
        for node in after.scores.at_level(top_level):
            old = before.scores.group(node.code)
            functions.append(
                {
                    "code": node.code,
                    "name": group_name(node.code, node.title),
                    "before": old.current.percent,
                    "now": node.current.percent,
                    "change": delta(old.current.percent, node.current.percent),
                }
            )
    prev = series[-2]
    return {
        "previous": {
            **prev,
            "change_current": delta(prev["current"], series[-1]["current"]),
            "change_target": delta(prev["target"], series[-1]["target"]),
        },
        "points": series,
        "functions": functions,
    }
