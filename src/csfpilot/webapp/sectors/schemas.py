"""API shapes of the sector benchmark."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from csfpilot.webapp.sectors.queries import Benchmark, SideView
from csfpilot.webapp.sectors.stewardship import MemberRow


class StatsOut(Schema):
    n: int = Field(description="organizations with a score on this side")
    mean: float
    q1: float = Field(description="first quartile (continuous, as percentile_cont)")
    median: float
    q3: float = Field(description="third quartile")


class SideOut(Schema):
    own: float | None = Field(description="this organization's score, 0–100; null: not assessed")
    n: int
    hidden: bool = Field(
        description="true when the sector's numbers are withheld (see withheld for why)"
    )
    withheld: str | None = Field(
        description='"few": fewer than min_orgs approved organizations contribute; '
        '"dominated": one organization\'s score could be estimated from the numbers '
        "(the p% rule); null when shown"
    )
    sector: StatsOut | None = Field(description="null when hidden")


class RowOut(Schema):
    code: str = Field(description='Function id, or "" for the whole profile')
    title: str
    current: SideOut
    target: SideOut


class BenchmarkOut(Schema):
    sector: str
    sector_label: str
    min_orgs: int
    p_percent: float = Field(description="the p% rule's p (CSFPILOT_SECTOR_P_PERCENT)")
    contributing: int = Field(description="approved organizations with a profile that counts")
    membership: str = Field(
        description='this organization in its sector: "requested" (awaiting the steward), '
        '"approved", "revoked", or "" without a sector'
    )
    counted_profile: int | None
    designated: bool
    refreshing: int = Field(description="stale organizations left to a background recompute")
    rows: list[RowOut]


class SectorIn(Schema):
    sector: str = Field(description='a sector key from GET /api/sectors, or "" for none')


class CountedProfileIn(Schema):
    profile: int | None = Field(description="profile id; null: the latest Organizational Profile")


class SectorOut(Schema):
    key: str
    label: str


def _side(view: SideView) -> SideOut:
    stats = view.stats
    return SideOut(
        own=view.own,
        n=view.n,
        hidden=view.hidden,
        withheld=None if view.withheld is None else view.withheld.value,
        sector=None
        if stats is None
        else StatsOut(n=stats.n, mean=stats.mean, q1=stats.q1, median=stats.median, q3=stats.q3),
    )


def benchmark_out(data: Benchmark) -> BenchmarkOut:
    return BenchmarkOut(
        sector=data.sector,
        sector_label=str(data.sector_label),
        min_orgs=data.min_orgs,
        p_percent=data.p_percent,
        contributing=data.contributing,
        membership=data.membership,
        counted_profile=data.counted_profile.pk if data.counted_profile else None,
        designated=data.designated,
        refreshing=data.refreshing,
        rows=[
            RowOut(
                code=r.code,
                title=r.title or "Whole profile",
                current=_side(r.current),
                target=_side(r.target),
            )
            for r in data.rows
        ],
    )


class SectorMemberOut(Schema):
    organization: str = Field(description="the organization's short name (slug)")
    name: str
    status: str = Field(description='"requested", "approved" or "revoked"')
    requested_at: datetime
    decided_at: datetime | None
    decided_by: str = Field(description='who decided: an account\'s e-mail, or "command line"')
    in_sector: bool = Field(description="the organization is still in this sector")
    contributing: bool = Field(description="it has a profile that counts")


def member_out(row: MemberRow) -> SectorMemberOut:
    return SectorMemberOut(
        organization=row.organization.slug,
        name=row.organization.name,
        status=row.status,
        requested_at=row.requested_at,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        in_sector=row.in_sector,
        contributing=row.contributing,
    )
