"""Gap analysis and the action plan (POA&M) built from it."""

from csfpilot.core.gaps.analysis import (
    GapAnalysis,
    GroupGap,
    OutcomeGap,
    analyse_gaps,
    plan_order_key,
    profile_gap,
)
from csfpilot.core.gaps.plan import (
    CandidateAction,
    add_candidates,
    candidate_actions,
    candidate_title,
    natural_key,
    references_from_mapping_set,
)

__all__ = [
    "CandidateAction",
    "GapAnalysis",
    "GroupGap",
    "OutcomeGap",
    "add_candidates",
    "analyse_gaps",
    "candidate_actions",
    "candidate_title",
    "natural_key",
    "plan_order_key",
    "profile_gap",
    "references_from_mapping_set",
]
