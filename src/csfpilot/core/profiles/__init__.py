"""Organizational and Community Profiles: scope, outcomes, scales, Tiers, actions.

Start here: :class:`Profile` holds everything a profile file holds;
:func:`csf_2_0` (or :meth:`OutcomeFramework.from_catalog`) says which outcomes
it can assess; :func:`check_profile` refuses ids the framework cannot assess.
Scores live in :mod:`csfpilot.core.scoring`, gaps and the action plan in
:mod:`csfpilot.core.gaps`.
"""

from csfpilot.core.profiles.actions import Action, ActionStatus, next_action_id
from csfpilot.core.profiles.changes import Change, profile_changes
from csfpilot.core.profiles.checks import (
    WITHDRAWALS_DATASET,
    WithdrawalIndex,
    WithdrawnTo,
    check_profile,
    refuse_unknown_outcome,
)
from csfpilot.core.profiles.community import derive_target
from csfpilot.core.profiles.framework import Group, OutcomeFramework, csf_2_0
from csfpilot.core.profiles.model import (
    Implementation,
    OutcomeEntry,
    Priority,
    Profile,
    ProfileKind,
    Scope,
    ScopeType,
    Side,
    SnapshotInfo,
    priority_weight,
)
from csfpilot.core.profiles.progress import PlanProgress, plan_progress
from csfpilot.core.profiles.scales import (
    BUILTIN_SCALES,
    MATURITY,
    STATUS,
    Level,
    RollUp,
    Scale,
    answer_keys,
    key_of_level,
)
from csfpilot.core.profiles.tiers import TIER_ASPECTS, Tier, TierRating, Tiers

__all__ = [
    "BUILTIN_SCALES",
    "MATURITY",
    "STATUS",
    "TIER_ASPECTS",
    "WITHDRAWALS_DATASET",
    "Action",
    "ActionStatus",
    "Change",
    "Group",
    "Implementation",
    "Level",
    "OutcomeEntry",
    "OutcomeFramework",
    "PlanProgress",
    "Priority",
    "Profile",
    "ProfileKind",
    "RollUp",
    "Scale",
    "Scope",
    "ScopeType",
    "Side",
    "SnapshotInfo",
    "Tier",
    "TierRating",
    "Tiers",
    "WithdrawalIndex",
    "WithdrawnTo",
    "answer_keys",
    "check_profile",
    "csf_2_0",
    "derive_target",
    "key_of_level",
    "next_action_id",
    "plan_progress",
    "priority_weight",
    "profile_changes",
    "refuse_unknown_outcome",
]
