"""How far an action plan has come, in the words every page and report uses.

An action is *open*, *in progress*, *done* or *risk accepted* (its status).
It is **closed** when it is done or its remaining risk was accepted: nothing
more will be done on it. It is **overdue** when its due date has passed and
it is not closed. The plan page, the overview, the dashboard and every report
count with :func:`plan_progress`, so "4 of 12 closed" means the same thing
wherever it is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from csfpilot.core.profiles.actions import ActionStatus


class Tracked(Protocol):
    """Anything with an action's status and due date (a domain action or a stored row)."""

    @property
    def status(self) -> Any: ...

    @property
    def due(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """Actions per status, how many are closed (done + risk accepted) and how many overdue."""

    open: int = 0
    in_progress: int = 0
    done: int = 0
    risk_accepted: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.open + self.in_progress + self.done + self.risk_accepted

    @property
    def closed(self) -> int:
        return self.done + self.risk_accepted

    @property
    def closed_percent(self) -> int | None:
        """Closed actions as a whole percentage of all of them; ``None`` for an empty plan."""
        return round(100 * self.closed / self.total) if self.total else None


def is_overdue(action: Tracked, today: date) -> bool:
    return action.due is not None and action.due < today and not ActionStatus(action.status).closed


def plan_progress(actions: Iterable[Tracked], today: date) -> PlanProgress:
    """Count ``actions`` by status, and those overdue on ``today``."""
    counts = dict.fromkeys(ActionStatus, 0)
    overdue = 0
    for action in actions:
        counts[ActionStatus(action.status)] += 1
        overdue += is_overdue(action, today)
    return PlanProgress(
        open=counts[ActionStatus.OPEN],
        in_progress=counts[ActionStatus.IN_PROGRESS],
        done=counts[ActionStatus.DONE],
        risk_accepted=counts[ActionStatus.RISK_ACCEPTED],
        overdue=overdue,
    )
