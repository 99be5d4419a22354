"""How far a plan has come: closed is done + risk accepted; overdue is past due and not closed."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csfpilot.core.profiles import Action, ActionStatus, PlanProgress, plan_progress

TODAY = date(2026, 3, 2)


def action(n: int, status: ActionStatus, due: date | None = None) -> Action:
    return Action(id=f"A-{n:03d}", title="t", outcomes=("GV.OC-01",), status=status, due=due)


def test_closed_counts_done_and_risk_accepted_and_overdue_only_what_is_not_closed():
    past, future = date(2026, 1, 1), date(2026, 6, 1)
    actions = [
        action(1, ActionStatus.OPEN, past),  # overdue
        action(2, ActionStatus.IN_PROGRESS, past),  # overdue
        action(3, ActionStatus.IN_PROGRESS, future),
        action(4, ActionStatus.OPEN),
        action(5, ActionStatus.DONE, past),  # closed: never overdue
        action(6, ActionStatus.DONE),
        action(7, ActionStatus.RISK_ACCEPTED, past),
        action(8, ActionStatus.OPEN, TODAY),  # due today: not late yet
    ]
    progress = plan_progress(actions, TODAY)
    assert progress == PlanProgress(open=3, in_progress=2, done=2, risk_accepted=1, overdue=2)
    assert (progress.total, progress.closed, progress.closed_percent) == (8, 3, 38)


def test_an_empty_plan_has_no_percentage():
    progress = plan_progress([], TODAY)
    assert (progress.total, progress.closed, progress.closed_percent) == (0, 0, None)


# A shared machine can be slow to draw; that is not what this test is about.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(ActionStatus)),
            st.none() | st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 1, 1)),
        ),
        max_size=30,
    )
)
def test_the_counts_add_up(items):
    progress = plan_progress([action(i, s, d) for i, (s, d) in enumerate(items)], TODAY)
    assert progress.total == len(items)
    assert progress.closed == sum(s.closed for s, _ in items)
    assert progress.overdue <= progress.total - progress.closed
