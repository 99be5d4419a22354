"""A profile's figures as its pages draw them: scores, gaps and the questionnaire's progress.

All of them are worked out from the profile row and its outcome rows alone, so
they are kept in the answer cache (:mod:`.answer_cache`) under the state of
those rows, read with one query per request: the overview and the dashboard
read the outcome rows only when a rating, a setting or an outcome changed since
the figures were last built, on this server or another.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from csfpilot.core.gaps import GapAnalysis, analyse_gaps
from csfpilot.core.profiles import OutcomeFramework, Profile, Side
from csfpilot.core.scoring import ProfileScores, score_profile
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.profiles import answer_cache, lookups
from csfpilot.webapp.profiles import models as m


@dataclass(frozen=True)
class GroupProgress:
    """How many included outcomes under a Function are answered, per side."""

    code: str
    title: str
    included: int
    current_answered: int
    target_answered: int

    @property
    def complete(self) -> bool:
        return self.current_answered == self.target_answered == self.included


def group_progress(
    framework: OutcomeFramework, answered: dict[str, tuple[bool, bool]], level: str | None
) -> list[GroupProgress]:
    """``answered``: each included outcome's (current rated, target rated).

    ``level`` None is the framework's own top level: the Functions of the CSF, the
    families of SP 800-53, the controls of CIS.
    """
    if level is None:
        level = framework.group_levels[0] if framework.group_levels else ""
    out = []
    for group in framework.at_level(level):
        codes = [c for c in framework.outcomes_under(group.code) if c in answered]
        out.append(
            GroupProgress(
                code=group.code,
                title=framework.text(group.code) or group.title,
                included=len(codes),
                current_answered=sum(answered[c][0] for c in codes),
                target_answered=sum(answered[c][1] for c in codes),
            )
        )
    return out


class ProfileFigures:
    """Scores, gaps, progress and the next unanswered outcome of a profile, as it is now.

    Each figure is found in the answer cache or built from the rows (read at most
    once per request, and only for a figure not found) and stored for the next reader.
    """

    def __init__(self, access: Access, row: m.Profile, framework: OutcomeFramework) -> None:
        self._answers = answer_cache.computed_answers(access, row)
        self._row = row
        self._framework = framework

    @property
    def answers(self) -> answer_cache.ProfileAnswers:
        """The answers found under the state read for these figures (drawn fragments too)."""
        return self._answers

    @cached_property
    def _rated(self) -> Profile:
        return lookups.rated_profile(self._row, actions=[])

    @cached_property
    def _answered(self) -> list[tuple[str, bool, bool]]:
        """Each included outcome in document order: (id, current rated, target rated)."""
        rows = (
            m.ProfileOutcome.objects.filter(profile=self._row, included=True)
            .order_by("position")
            .values_list("code", "current", "target")
        )
        return [(code, current is not None, target is not None) for code, current, target in rows]

    @cached_property
    def scores(self) -> ProfileScores:
        return self._answers.get(
            "page-scores", (), lambda: score_profile(self._rated, self._framework)
        )

    @cached_property
    def gaps(self) -> GapAnalysis:
        return self._answers.get(
            "page-gaps", (), lambda: analyse_gaps(self._rated, self._framework)
        )

    def progress(self, level: str | None = None) -> list[GroupProgress]:
        """Answered outcomes per Function (or Category)."""

        def build() -> list[GroupProgress]:
            answered = {code: (c, t) for code, c, t in self._answered}
            return group_progress(self._framework, answered, level)

        return self._answers.get("page-progress", (level,), build)

    def outcome_codes(self) -> list[str]:
        """Every outcome of the profile in document order, in scope or not."""

        def build() -> list[str]:
            return list(
                m.ProfileOutcome.objects.filter(profile=self._row)
                .order_by("position")
                .values_list("code", flat=True)
            )

        return self._answers.get("page-outcome-codes", (), build)

    def current_ratings(self) -> dict[str, Any]:
        """{outcome: Current level key or None} of the included outcomes (the evidence
        states are worked out from them)."""

        def build() -> dict[str, Any]:
            return dict(
                m.ProfileOutcome.objects.filter(profile=self._row, included=True).values_list(
                    "code", "current"
                )
            )

        return self._answers.get("page-current-ratings", (), build)

    def next_unanswered(self, side: Side | str = Side.CURRENT) -> str | None:
        """The first included outcome not yet rated on ``side``, in document order."""
        at = 1 if Side(side) is Side.CURRENT else 2

        def build() -> str:
            # "" for none: the cache takes None for "not stored".
            return next((row[0] for row in self._answered if not row[at]), "")

        return self._answers.get("page-next-unanswered", (at,), build) or None
