"""The sector benchmark as pages and the API show it: an organization beside its sector.

A number about the sector is shown only when at least ``k`` *approved*
organizations contribute to it (``CSFPILOT_SECTOR_MIN_ORGS``, default 5) and no
one of them dominates it (the p% rule, both ways: :mod:`.disclosure`). Otherwise
it is withheld, not merely greyed out: with two or three organizations in a
group, a mean would let each of them work out the others' scores. The count
itself (n) is shown, so people know why.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.organizations.sectors import Sector
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles.frameworks import outcome_framework
from csfpilot.webapp.sectors import disclosure, services, stewardship
from csfpilot.webapp.sectors.aggregates import SIDES, Stats, sector_stats
from csfpilot.webapp.sectors.disclosure import Withheld, min_orgs
from csfpilot.webapp.sectors.models import PROFILE_CODE, ContributedScore, MemberStatus

INLINE_REFRESH = 25
"""At most this many stale organizations are recomputed while a page waits; more go to a job."""

SECTOR_CHECK_SECONDS = 30
"""How often a sector's other organizations are checked for changed profiles."""


__all__ = ["Benchmark", "BenchmarkRow", "SideView", "benchmark", "min_orgs", "profile_choices"]


@dataclass(frozen=True)
class SideView:
    """One side of one row: the organization's own score and the sector's numbers."""

    own: float | None
    n: int
    stats: Stats | None  # None when withheld
    withheld: Withheld | None = None  # why the sector's numbers are not shown

    @property
    def hidden(self) -> bool:
        return self.stats is None

    # Positions on the 0–100 spread bar; a zero-wide middle half still shows as a sliver.
    @property
    def spread(self) -> float:
        return 0.0 if self.stats is None else max(self.stats.q3 - self.stats.q1, 0.5)

    @property
    def median_x(self) -> float:
        return 0.0 if self.stats is None else min(max(self.stats.median - 0.5, 0.0), 99.0)

    @property
    def own_x(self) -> float:
        return 0.0 if self.own is None else min(max(self.own - 0.8, 0.0), 98.4)


@dataclass(frozen=True)
class BenchmarkRow:
    code: str  # "" for the whole profile
    title: str
    current: SideView
    target: SideView

    def side(self, side: str) -> SideView:
        return self.current if side == "current" else self.target


@dataclass(frozen=True)
class Benchmark:
    sector: str
    sector_label: str
    min_orgs: int
    p_percent: float
    contributing: int  # approved organizations of the sector with a counted profile
    membership: str  # the viewer's organization in its sector: requested, approved, revoked
    counted_profile: pm.Profile | None
    designated: bool  # the counted profile was chosen by an owner (not the latest)
    rows: list[BenchmarkRow]
    refreshing: int  # stale organizations left to a background recompute
    refresh_job_id: int | None


def _schedule_recompute(sector: str) -> int | None:
    # Imported here: the jobs app runs this module's services, not the other way round.
    from csfpilot.webapp.jobs import services as jobs
    from csfpilot.webapp.sectors.jobs import recompute_sector

    return jobs.enqueue_once(
        recompute_sector,
        label=f"Recompute sector scores: {sector}",
        dedupe_key=f"sector:{sector}",
        sector=sector,
        only_stale=True,
    ).pk


def benchmark(access: Access) -> Benchmark:
    """The organization's Function and profile scores beside its sector's distribution."""
    lookups.ensure(access, Permission.VIEW)
    org = access.organization
    k = min_orgs()
    p_percent = disclosure.p_percent()
    sector = org.sector
    refreshing = 0
    job_id = None
    # The viewer's own scores are always current; the rest of the sector is looked at
    # once per SECTOR_CHECK_SECONDS (the look costs more than the aggregate itself).
    services.refresh(services.stale_organizations(organization_ids=[org.pk]))
    if sector and cache.add(f"csfpilot:sector-checked:{sector}", True, SECTOR_CHECK_SECONDS):
        stale = services.stale_organizations(sector)
        if len(stale) <= INLINE_REFRESH:
            services.refresh(stale)
        else:
            refreshing = len(stale)
            job_id = _schedule_recompute(sector)
    stats = sector_stats(sector) if sector else {}
    own = {
        code: (current, target)
        for code, current, target in ContributedScore.objects.filter(
            contribution_id=org.pk
        ).values_list("code", "current", "target")
    }
    counted_id = services.counted_profile_id(org)
    counted = pm.Profile.objects.filter(pk=counted_id).first() if counted_id is not None else None
    framework_row = catalog.Framework.objects.filter(key=services.BENCHMARK_FRAMEWORK).first()
    groups: list[tuple[str, str]] = [(PROFILE_CODE, "")]
    if framework_row is not None:
        framework = outcome_framework(framework_row)
        groups += [
            (g.code, framework.text(g.code) or g.title)
            for g in framework.at_level(services.BENCHMARK_LEVEL)
        ]
    rows = []
    for code, title in groups:
        sides = {}
        for i, side in enumerate(SIDES):
            found = stats.get((code, side))
            n = found.n if found else 0
            why = (
                Withheld.FEW
                if found is None
                else disclosure.verdict(found.extremes, k=k, p=p_percent)
            )
            sides[side] = SideView(
                own=own[code][i] if code in own else None,
                n=n,
                stats=found if why is None else None,
                withheld=why,
            )
        rows.append(BenchmarkRow(code, title, sides["current"], sides["target"]))
    contributing = (
        ContributedScore.objects.filter(
            sector=sector,
            code=PROFILE_CODE,
            contribution__organization__sector_memberships__sector=sector,
            contribution__organization__sector_memberships__status=MemberStatus.APPROVED,
        ).count()
        if sector
        else 0
    )
    return Benchmark(
        sector=sector,
        sector_label=Sector(sector).label if sector else "",
        min_orgs=k,
        p_percent=p_percent,
        contributing=contributing,
        membership=stewardship.status_of(org, sector),
        counted_profile=counted,
        designated=services.designated_profile_id(org) is not None,
        rows=rows,
        refreshing=refreshing,
        refresh_job_id=job_id,
    )


def profile_choices(access: Access) -> list[pm.Profile]:
    """Profiles an owner may designate: the organization's Organizational Profiles on CSF 2.0."""
    lookups.ensure(access, Permission.VIEW)
    return list(
        pm.Profile.objects.filter(
            organization=access.organization,
            kind="organizational",
            framework__key=services.BENCHMARK_FRAMEWORK,
        ).order_by("name", "id")
    )
