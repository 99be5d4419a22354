"""A transfer as a JSON-ready dict: what the CLI's ``--json`` and the API's preview give.

One shape everywhere: the route and rule, counts by coverage, then one row per
target outcome with the proposed level on each side, the coverage, the
sources with their ratings and the relationship path, and the datasets used.
Scores are on 0–100 with two decimals; ``null`` means no proposal.
"""

from __future__ import annotations

from typing import Any

from csfpilot.core.crosswalks import Proposal, Transfer
from csfpilot.core.crosswalks.transfer import Contribution, SideProposal
from csfpilot.core.profiles import Level
from csfpilot.core.scoring import percent


def _key(level: Level | None) -> str | int | None:
    return None if level is None else level.key


def _side(s: SideProposal) -> dict[str, Any]:
    return {
        "level": _key(s.level),
        "label": None if s.level is None else s.level.label,
        "score": percent(s.score),
        "coverage": s.coverage.value,
        "rated_sources": s.rated,
        "held_below_full": s.capped,
    }


def _source(c: Contribution) -> dict[str, Any]:
    return {
        "id": c.source,
        "current": _key(c.current),
        "target": _key(c.target),
        "relationship": c.relationship.value,
        "coverage": c.coverage.value,
        "path": [
            {
                "dataset": s.dataset,
                "source": s.source,
                "relationship": s.relationship.value,
                "target": s.target,
            }
            for s in c.path
        ],
    }


def proposal_row(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.outcome,
        "coverage": p.coverage.value,
        "current": _side(p.current),
        "target": _side(p.target),
        "sources": [_source(c) for c in p.contributions],
        "datasets": list(p.datasets),
    }


def transfer_summary(t: Transfer) -> dict[str, Any]:
    return {
        "source_profile": t.source_profile,
        "from_framework": t.source_framework,
        "to_framework": t.target_framework,
        "datasets": list(t.datasets),
        "route": t.route.describe(),
        "rule": t.rule.value,
        "rule_label": t.rule.label,
        "source_scale": t.source_scale.key,
        "target_scale": t.target_scale.key,
        "counts": t.counts(),
        "not_assessable": list(t.not_assessable),
        "outcomes": [proposal_row(p) for p in t.proposals],
    }
