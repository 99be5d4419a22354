"""Supplier criticality (GV.SC-04): a documented tiering the buyer can override.

CSF 2.0's GV.SC-04 asks that suppliers be "known and prioritized by criticality". csfpilot
derives a supplier's tier from three facts the buyer records, each worth points:

=====================  ======================================================
data access            none 0 · internal 1 · confidential 2 · personal or regulated 3
system access          none 0 · user-level 1 · administrative or privileged 3
service dependency     supporting 0 · important 1 · essential (the business stops) 3
=====================  ======================================================

The sum (0–9) gives the tier: 6 or more **critical**, 4–5 **high**, 2–3 **moderate**,
0–1 **low**. A buyer who knows better (a contractual obligation, a single point of failure)
sets the tier by hand with a reason; the derived one stays visible beside it.

A tier weighs the supplier's gaps in its risk rating (:mod:`.risk`): critical 4, high 3,
moderate 2, low 1. This module is plain Python so that the rule is tested on its own.
"""

from __future__ import annotations

from enum import StrEnum

DATA_POINTS = {"none": 0, "internal": 1, "confidential": 2, "personal": 3}
SYSTEM_POINTS = {"none": 0, "user": 1, "privileged": 3}
SERVICE_POINTS = {"supporting": 0, "important": 1, "essential": 3}


class Tier(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"


WEIGHTS = {Tier.CRITICAL: 4, Tier.HIGH: 3, Tier.MODERATE: 2, Tier.LOW: 1}
ORDER = {Tier.CRITICAL: 0, Tier.HIGH: 1, Tier.MODERATE: 2, Tier.LOW: 3}


def points(data_access: str, system_access: str, service_dependency: str) -> int:
    """The tiering points of one supplier; unknown values count as the highest (fail safe)."""
    return (
        DATA_POINTS.get(data_access, 3)
        + SYSTEM_POINTS.get(system_access, 3)
        + SERVICE_POINTS.get(service_dependency, 3)
    )


def derived_tier(data_access: str, system_access: str, service_dependency: str) -> Tier:
    total = points(data_access, system_access, service_dependency)
    if total >= 6:
        return Tier.CRITICAL
    if total >= 4:
        return Tier.HIGH
    if total >= 2:
        return Tier.MODERATE
    return Tier.LOW


def effective_tier(derived: Tier | str, override: str) -> Tier:
    """The buyer's tier when set, else the derived one."""
    return Tier(override) if override else Tier(derived)


def weight(tier: Tier | str) -> int:
    return WEIGHTS[Tier(tier)]
