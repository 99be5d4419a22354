"""A supplier's answers against the buyer's requirement: gaps, Function attainment, risk.

Every requirement is an outcome with a target level on a rating scale (implementation
status by default), so both the target and the supplier's answer have a normalized score
between 0 and 1 (:mod:`csfpilot.core.profiles.scales`). For one questionnaire:

- an outcome's **shortfall** is ``max(0, target − answer)``; an unanswered outcome counts
  as 0 (nothing claimed); an answer of "not applicable" drops the outcome out, as in every
  other csfpilot score;
- the **gap** is the sum of shortfalls over the sum of targets (0 = every target met,
  1 = nothing met), shown as a percentage;
- **attainment** per CSF Function is ``Σ min(answer, target) / Σ target`` over the
  Function's outcomes, 0–100 (the portfolio heatmap);
- the **risk score** is ``round(100 × gap × weight / 4)`` where the weight is the
  supplier's tier (critical 4, high 3, moderate 2, low 1), so a critical supplier with every
  target missed scores 100 and a low-tier one 25;
- the **risk rating** is *high* from 40, *medium* from 15, *low* below, and *unknown* until
  a questionnaire is submitted.

Plain Python: the rule is documented in docs/suppliers.md and tested on its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from csfpilot.webapp.suppliers.tiering import weight

HIGH_FROM = 40
MEDIUM_FROM = 15


@dataclass(frozen=True)
class Line:
    """One requirement with the supplier's answer, as scores (None: not applicable/unset)."""

    code: str
    target: Fraction | None
    answer: Fraction | None
    answered: bool
    applicable: bool = True


@dataclass
class Result:
    gap: float | None  # 0..1, None when nothing counts
    attainment: dict[str, float] = field(default_factory=dict)  # Function → 0..100
    shortfalls: list[str] = field(default_factory=list)  # codes below target
    score: int | None = None
    rating: str = "unknown"


def rating_of(score: int | None) -> str:
    if score is None:
        return "unknown"
    if score >= HIGH_FROM:
        return "high"
    if score >= MEDIUM_FROM:
        return "medium"
    return "low"


def assess(lines: Iterable[Line], tier: str) -> Result:
    met_total = Fraction(0)
    target_total = Fraction(0)
    by_fn_met: dict[str, Fraction] = defaultdict(Fraction)
    by_fn_target: dict[str, Fraction] = defaultdict(Fraction)
    shortfalls: list[str] = []
    for line in lines:
        if not line.applicable or line.target is None or line.target == 0:
            continue
        got = line.answer if (line.answered and line.answer is not None) else Fraction(0)
        met = min(got, line.target)
        fn = line.code.split(".", 1)[0]
        met_total += met
        target_total += line.target
        by_fn_met[fn] += met
        by_fn_target[fn] += line.target
        if met < line.target:
            shortfalls.append(line.code)
    if target_total == 0:
        return Result(gap=None)
    gap = 1 - met_total / target_total
    attainment = {
        fn: round(float(by_fn_met[fn] / by_fn_target[fn]) * 100, 1) for fn in by_fn_target
    }
    score = round(float(gap) * 100 * weight(tier) / 4)
    return Result(
        gap=float(gap),
        attainment=attainment,
        shortfalls=shortfalls,
        score=score,
        rating=rating_of(score),
    )
