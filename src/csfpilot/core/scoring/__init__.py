"""Scores of profiles: outcome scores rolled up to Categories, Functions and the Profile,
and how scores move between snapshots."""

from csfpilot.core.scoring.history import (
    Comparison,
    ScoreDelta,
    TrendPoint,
    compare_profiles,
    label_of,
    score_deltas,
    trend,
)
from csfpilot.core.scoring.rollup import (
    PROFILE_LEVEL,
    NodeScore,
    ProfileScores,
    SideScore,
    outcome_score,
    outcome_weight,
    percent,
    score_profile,
    score_total,
)

__all__ = [
    "PROFILE_LEVEL",
    "Comparison",
    "NodeScore",
    "ProfileScores",
    "ScoreDelta",
    "SideScore",
    "TrendPoint",
    "compare_profiles",
    "label_of",
    "outcome_score",
    "outcome_weight",
    "percent",
    "score_deltas",
    "score_profile",
    "score_total",
    "trend",
]
