"""Sector statistics computed in SQL agree with a Python reference, on SQLite and PostgreSQL.

The reference is the standard library's ``statistics`` module (``fmean`` and
``quantiles(method="inclusive")``, the same continuous quartiles as
PostgreSQL's ``percentile_cont``), fed the same numbers the database holds.
"""

from __future__ import annotations

import statistics

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csfpilot.webapp.catalog.models import Framework
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.profiles.models import Profile
from csfpilot.webapp.sectors.aggregates import sector_stats
from csfpilot.webapp.sectors.models import ContributedScore, Contribution, SectorMember

pytestmark = pytest.mark.django_db

CODES = ["", "GV", "PR"]
MAX_ORGS = 12


@pytest.fixture
def contributions():
    """MAX_ORGS organizations in "energy", each with a contribution row to hang scores on."""
    fw = Framework.objects.get(key="csf-2.0")
    out = []
    for i in range(MAX_ORGS):
        org = Organization.objects.create(name=f"Org {i}", slug=f"org-{i}", sector="energy")
        for sector in ("energy", "water"):  # approved in both: the rows name their sector
            SectorMember.objects.create(
                organization=org, sector=sector, status="approved", requested_at=timezone.now()
            )
        profile = Profile.objects.create(organization=org, name="P", framework=fw)
        out.append(
            Contribution.objects.create(
                organization=org,
                profile=profile,
                profile_updated_at=profile.updated_at,
                computed_at=profile.updated_at,
            )
        )
    return out


def _store(
    contributions, values: dict[str, list[tuple[float | None, float | None]]], sector="energy"
):
    ContributedScore.objects.all().delete()
    rows = []
    for code, pairs in values.items():
        for contribution, (current, target) in zip(contributions, pairs, strict=False):
            rows.append(
                ContributedScore(
                    contribution=contribution,
                    sector=sector,
                    code=code,
                    current=current,
                    target=target,
                )
            )
    ContributedScore.objects.bulk_create(rows)


def _reference(numbers: list[float]) -> tuple[int, float, float, float, float]:
    if len(numbers) == 1:
        v = numbers[0]
        return 1, v, v, v, v
    q1, median, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
    return len(numbers), statistics.fmean(numbers), q1, median, q3


def test_quartiles_by_hand(contributions):
    # 10, 20, 30, 40, 100: mean 40; Q1 at rank 1 → 20, median 30, Q3 at rank 3 → 40.
    # 0 and 50 only: Q1 = 0 + 0.25·50 = 12.5, median 25, Q3 37.5 (linear interpolation).
    _store(
        contributions,
        {
            "": [(100, 0), (10, 50), (30, None), (20, None), (40, None)],
        },
    )
    stats = sector_stats("energy")
    current = stats[("", "current")]
    assert (current.n, current.mean, current.q1, current.median, current.q3) == (
        5,
        pytest.approx(40),
        pytest.approx(20),
        pytest.approx(30),
        pytest.approx(40),
    )
    target = stats[("", "target")]
    assert (target.n, target.q1, target.median, target.q3) == (
        2,
        pytest.approx(12.5),
        pytest.approx(25),
        pytest.approx(37.5),
    )
    assert stats == sector_stats("energy")  # stable
    assert sector_stats("water") == {}


def test_only_approved_organizations_count(contributions):
    _store(contributions[:4], {"GV": [(10, 10), (20, 20), (30, 30), (90, 90)]})
    SectorMember.objects.filter(organization_id=contributions[3].organization_id).update(
        status="requested"
    )
    SectorMember.objects.filter(organization_id=contributions[2].organization_id).update(
        status="revoked"
    )
    gv = sector_stats("energy")[("GV", "current")]
    assert (gv.n, gv.mean, gv.extremes.top) == (2, pytest.approx(15), 20)


def test_other_sectors_do_not_leak_in(contributions):
    _store(contributions[:3], {"GV": [(10, 10), (20, 20), (30, 30)]}, sector="energy")
    ContributedScore.objects.create(
        contribution=contributions[5], sector="water", code="GV", current=99, target=99
    )
    stats = sector_stats("energy")
    assert stats[("GV", "current")].n == 3
    assert stats[("GV", "current")].median == pytest.approx(20)
    assert sector_stats("water")[("GV", "current")].n == 1


scores = st.one_of(
    st.none(),
    st.sampled_from([0.0, 25.0, 50.0, 100.0]),  # ties, as real ratings give
    st.floats(min_value=0, max_value=100, allow_nan=False),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.dictionaries(
        st.sampled_from(CODES),
        st.lists(st.tuples(scores, scores), min_size=1, max_size=MAX_ORGS),
        min_size=1,
    )
)
def test_sql_matches_the_python_reference(contributions, data):
    _store(contributions, data)
    stats = sector_stats("energy")
    expected = {}
    for code, pairs in data.items():
        for i, side in enumerate(("current", "target")):
            numbers = [p[i] for p in pairs[:MAX_ORGS] if p[i] is not None]
            if numbers:
                expected[(code, side)] = _reference(numbers)
                # The disclosure rule's inputs: total, two largest, two smallest.
                v = sorted(numbers)
                ex = stats[(code, side)].extremes
                assert ex.total == pytest.approx(sum(v), abs=1e-9)
                assert (ex.top, ex.bottom) == (v[-1], v[0])
                assert ex.second == (v[-2] if len(v) > 1 else 0.0)
                assert ex.second_bottom == (v[1] if len(v) > 1 else 100.0)
    assert set(stats) == set(expected)
    for key, (n, mean, q1, median, q3) in expected.items():
        got = stats[key]
        assert got.n == n, key
        assert got.mean == pytest.approx(mean, abs=1e-9), key
        assert got.q1 == pytest.approx(q1, abs=1e-9), key
        assert got.median == pytest.approx(median, abs=1e-9), key
        assert got.q3 == pytest.approx(q3, abs=1e-9), key
