"""API shapes of the sector benchmark."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from csfpilot.webapp.sectors.queries import Benchmark, SideView


class StatsOut(Schema):
    n: int = Field(description="organizations with a score on this side")
    mean: float
    q1: float = Field(description="first quartile (continuous, as percentile_cont)")
    median: float
    q3: float = Field(description="third quartile")


class SideOut(Schema):
    own: float | None = Field(description="this organization's score, 0–100; null: not assessed")
    n: int
    hidden: bool = Field(description="true when fewer than min_orgs organizations contribute")
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
    contributing: int
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
        sector=None
        if stats is None
        else StatsOut(n=stats.n, mean=stats.mean, q1=stats.q1, median=stats.median, q3=stats.q3),
    )


def benchmark_out(data: Benchmark) -> BenchmarkOut:
    return BenchmarkOut(
        sector=data.sector,
        sector_label=str(data.sector_label),
        min_orgs=data.min_orgs,
        contributing=data.contributing,
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
