"""The action plan a profile carries: a Plan of Action and Milestones (POA&M).

Each action says what will be done to close the gap on one or more outcomes,
who owns it, by when, at which milestone, what it costs, and where it stands.
Candidate actions are proposed from the gap analysis
(:mod:`csfpilot.core.gaps.plan`); once accepted they live in the profile as
:class:`Action` objects and are tracked there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from csfpilot.core.errors import InputRefused


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    RISK_ACCEPTED = "risk-accepted"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")

    @property
    def closed(self) -> bool:
        """Done, or the remaining risk was accepted: nothing more to do."""
        return self in (ActionStatus.DONE, ActionStatus.RISK_ACCEPTED)


ACTION_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Action:
    """One line of the POA&M.

    ``outcomes`` are the outcome ids the action closes gaps on; ``controls``
    are the controls chosen to do it (e.g. SP 800-53 ids suggested from the
    informative references); ``cost`` is free text ("2 person-weeks",
    "$15k").
    """

    id: str
    title: str
    outcomes: tuple[str, ...]
    owner: str = ""
    due: date | None = None
    milestone: str = ""
    status: ActionStatus = ActionStatus.OPEN
    cost: str = ""
    controls: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        if not ACTION_ID_RE.match(self.id or ""):
            raise InputRefused(
                f"action id {self.id!r} must be 1-64 letters, digits, '.', '_' or '-'",
                field="actions.id",
            )
        if not self.title.strip():
            raise InputRefused(f"action {self.id} needs a title", field="actions.title")
        if not self.outcomes:
            raise InputRefused(
                f"action {self.id} must name at least one outcome", field="actions.outcomes"
            )


def next_action_id(existing: list[str] | tuple[str, ...], prefix: str = "A-") -> str:
    """The next free id of the form ``A-001`` after the highest one in use."""
    highest = 0
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    for action_id in existing:
        m = pattern.match(action_id)
        if m:
            highest = max(highest, int(m.group(1)))
    return f"{prefix}{highest + 1:03d}"
