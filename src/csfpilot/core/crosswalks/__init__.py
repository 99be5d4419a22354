"""Moving an assessment from one framework to another through crosswalks.

An organization assessed against one framework (CSF 2.0, SP 800-53, ISO/IEC
27001...) can see the same results in another one, through the crosswalk
datasets NIST and others publish. :mod:`.relations` says what each OLIR
relationship lets a rating carry; :mod:`.routes` finds which datasets lead
from one framework to another (chains included); :mod:`.transfer` computes,
for each target outcome, a proposed rating that explains itself: which source
outcomes it rests on, through which relationships and datasets, and how they
were combined.
"""

from csfpilot.core.crosswalks.relations import Coverage, compose, coverage_of
from csfpilot.core.crosswalks.routes import Hop, Route, find_route, route_through
from csfpilot.core.crosswalks.transfer import (
    CombineRule,
    Contribution,
    Proposal,
    Transfer,
    apply_transfer,
    nearest_level,
    transfer_profile,
)

__all__ = [
    "CombineRule",
    "Contribution",
    "Coverage",
    "Hop",
    "Proposal",
    "Route",
    "Transfer",
    "apply_transfer",
    "compose",
    "coverage_of",
    "find_route",
    "nearest_level",
    "route_through",
    "transfer_profile",
]
