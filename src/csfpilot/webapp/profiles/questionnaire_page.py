"""What the questionnaire page reads: the outcomes it shows, and the rest from the answer cache.

The page shows one outcome (or one Category's) to answer, beside the list of every
outcome of the profile with its answered mark and the progress bars. Only the
outcomes shown are read on every request; the list, the progress, the outcomes'
order and where the questionnaire resumes come from the answer cache
(:mod:`.answer_cache`, :mod:`.fragments`), and all outcome rows are read only when
one of those has to be worked out again (the first view after a change).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from csfpilot.core.errors import NotFound
from csfpilot.core.profiles import OutcomeFramework, ProfileKind, Scale, Side
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups, queries, storage
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.figures import GroupProgress, ProfileFigures


class QuestionnairePage:
    """One profile as the questionnaire reads it (three queries when the cache has the rest)."""

    def __init__(self, access: Access, profile_id: Any) -> None:
        lookups.ensure(access, Permission.VIEW)
        self.access = access
        self.profile: m.Profile = lookups.profile(access, profile_id)
        self.framework: OutcomeFramework = lookups.framework_of(self.profile)
        self.scale: Scale = storage.scale_of(self.profile)
        self.community = self.profile.kind == ProfileKind.COMMUNITY.value
        self.figures = ProfileFigures(access, self.profile, self.framework)

    @cached_property
    def detail(self) -> queries.ProfileDetail:
        """Every outcome row with its views: read only to draw the outcome list again."""
        return queries.profile_detail(self.access, self.profile.pk)

    @property
    def codes(self) -> list[str]:
        """Every outcome of the profile in document order."""
        return self.figures.outcome_codes()

    def next_unanswered(self, side: Side | str) -> str | None:
        return self.figures.next_unanswered(side)

    def progress(self) -> list[GroupProgress]:
        return self.figures.progress()

    def category_of(self, code: str) -> str:
        ancestors = self.framework.ancestors(code) if self.framework.is_outcome(code) else ()
        return ancestors[-1] if ancestors else ""

    def category_codes(self) -> list[str]:
        level = self.category_level
        return [g.code for g in self.framework.at_level(level)] if level else []

    @property
    def category_level(self) -> str:
        levels = self.framework.group_levels
        return levels[-1] if levels else ""

    def views(self, codes: list[str]) -> list[queries.OutcomeView]:
        """The outcomes ``codes`` of the profile, in document order (one query)."""
        rows = list(
            m.ProfileOutcome.objects.filter(profile=self.profile, code__in=codes)
            .select_related("owner", "updated_by")
            .defer(*queries.HEAVY_USER_FIELDS)
            .order_by("position")
        )
        return queries.outcome_views(self.access, self.framework, rows, self.profile)

    def outcome(self, code: str) -> queries.OutcomeView:
        found = self.views([code])
        if not found:
            raise NotFound(f"{self.profile.name!r} has no outcome {code!r}")
        return found[0]

    def in_category(self, category: str) -> list[queries.OutcomeView]:
        under = set(self.framework.outcomes_under(category)) if category else set()
        return self.views([c for c in self.codes if c in under])
