"""Sector benchmarks end to end: which profile counts, stored scores, staleness, k, pages, API."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from csfpilot.core.errors import InputRefused
from csfpilot.core.scoring import percent
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import PermissionMissing, require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import queries as profile_queries
from csfpilot.webapp.profiles import services as profile_services
from csfpilot.webapp.profiles.models import ProfileOutcome
from csfpilot.webapp.sectors import queries, services, stewardship
from csfpilot.webapp.sectors.models import ContributedScore, Contribution, MemberStatus
from tests.webapp.profiles_world import build_world, make_user

pytestmark = pytest.mark.django_db

FUNCTIONS = ["GV", "ID", "PR", "DE", "RS", "RC"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Each test starts with no sector looked at yet (the look is throttled per sector).
    cache.clear()


@pytest.fixture
def world():
    w = build_world()
    Organization.objects.filter(pk=w.org.pk).update(sector="energy")
    w.org.refresh_from_db()
    approve(w.org, "energy")
    return w


def approve(org, sector: str = "energy") -> None:
    """The operator approves ``org`` in ``sector`` (its scores then count)."""
    stewardship.ask(org, sector)
    stewardship.decide(None, sector, org.slug, MemberStatus.APPROVED)


def _rate(profile, prefix: str, current: str, target: str = "fully") -> None:
    # Test set-up writes ratings directly; the staleness tests go through the services.
    ProfileOutcome.objects.filter(profile=profile, code__startswith=prefix).update(
        current=current, target=target
    )


def _peer(i: int, sector: str = "energy", rating: str = "partially"):
    """Another organization of the sector with one rated profile; returns its owner's access."""
    org = Organization.objects.create(name=f"Peer {i}", slug=f"peer-{i}", sector=sector)
    approve(org, sector)
    user = make_user(f"owner@peer{i}.test")
    Membership.objects.create(user=user, organization=org, role="owner")
    access = require(user, org.slug, Permission.VIEW)
    profile = profile_services.create_profile(access, name="Current state")
    _rate(profile, "GV", rating)
    _rate(profile, "PR", "fully" if i % 2 else "not")
    return access


def test_stored_scores_are_the_profile_scores(world):
    owner = world.access("owner")
    profile = world.profile()
    _rate(profile, "GV", "fully")
    _rate(profile, "PR.AA", "partially")
    assert services.refresh([world.org.pk]) == 1
    expected = profile_queries.scores(owner, profile.pk)
    stored = {r.code: r for r in ContributedScore.objects.filter(contribution_id=world.org.pk)}
    assert set(stored) == {"", *FUNCTIONS}
    assert stored[""].current == pytest.approx(percent(expected.profile.current.score, 12))
    for code in FUNCTIONS:
        group = expected.group(code)
        want = group.current.score
        assert stored[code].current == (None if want is None else pytest.approx(float(want * 100)))
        assert stored[code].sector == "energy"
    assert stored["ID"].current is None  # nothing assessed under Identify: not a zero


def test_which_profile_counts(world):
    owner = world.access("owner")
    first = world.profile("First")
    second = world.profile("Second")
    profile_services.create_profile(owner, name="Shared target", kind="community")
    assert services.counted_profile_id(world.org) == second.pk  # latest Organizational Profile
    assert services.designate_profile(owner, first.pk) == first.pk
    assert Contribution.objects.get(organization=world.org).profile_id == first.pk
    community = profile_queries.profile_list(owner, kind="community")[0].profile
    with pytest.raises(InputRefused, match="Community Profile"):
        services.designate_profile(owner, community.pk)
    with pytest.raises(PermissionMissing):
        services.designate_profile(world.access("assessor"), second.pk)
    # The designated profile is deleted: the latest one counts again, after a refresh.
    profile_services.delete_profile(owner, first.pk)
    assert not Contribution.objects.filter(organization=world.org).exists()
    assert services.stale_organizations("energy") == [world.org.pk]
    queries.benchmark(owner)
    assert Contribution.objects.get(organization=world.org).profile_id == second.pk
    assert services.designate_profile(owner, None) == second.pk


def test_a_rating_saved_through_the_services_makes_the_copy_stale(world):
    owner = world.access("owner")
    profile = world.profile()
    queries.benchmark(owner)
    assert services.stale_organizations("energy") == []
    before = ContributedScore.objects.get(contribution_id=world.org.pk, code="GV").current
    assert before is None
    row = ProfileOutcome.objects.get(profile=profile, code="GV.OC-01")
    profile_services.update_outcome(
        owner, profile.pk, "GV.OC-01", {"current": "fully"}, expected_version=row.version
    )
    assert services.stale_organizations("energy") == [world.org.pk]
    view = queries.benchmark(owner)
    assert services.stale_organizations("energy") == []
    gv = next(r for r in view.rows if r.code == "GV")
    assert gv.current.own == pytest.approx(100.0)


def test_sector_numbers_are_withheld_below_k(world, settings):
    settings.CSFPILOT_SECTOR_MIN_ORGS = 5
    owner = world.access("owner")
    profile = world.profile()
    _rate(profile, "GV", "fully")
    for i in range(3):
        _peer(i)
    _peer(9, sector="water")  # another sector never counts
    view = queries.benchmark(owner)
    assert view.contributing == 4
    gv = next(r for r in view.rows if r.code == "GV")
    assert (gv.current.n, gv.current.hidden, gv.current.stats) == (4, True, None)
    assert gv.current.own == pytest.approx(100.0)
    _peer(3)
    # The rest of the sector is looked at again only after SECTOR_CHECK_SECONDS.
    assert queries.benchmark(owner).contributing == 4
    cache.clear()
    view = queries.benchmark(owner)
    gv = next(r for r in view.rows if r.code == "GV")
    # Five organizations: 100 (acme) and four at "partially" (1/3 on the status scale).
    third = 100 / 3
    assert gv.current.n == 5
    assert gv.current.stats.median == pytest.approx(third)
    assert gv.current.stats.mean == pytest.approx((100 + 4 * third) / 5)
    assert (gv.current.stats.q1, gv.current.stats.q3) == (
        pytest.approx(third),
        pytest.approx(third),
    )
    # Identify is assessed by nobody: n = 0, withheld.
    ident = next(r for r in view.rows if r.code == "ID")
    assert (ident.current.n, ident.current.hidden) == (0, True)


def test_moving_to_another_sector_moves_the_scores(world):
    owner = world.access("owner")
    world.profile()
    queries.benchmark(owner)
    assert ContributedScore.objects.filter(sector="energy").count() == 7
    services.set_sector(owner, "water")
    assert ContributedScore.objects.filter(sector="energy").count() == 0
    assert ContributedScore.objects.filter(sector="water").count() == 7
    with pytest.raises(InputRefused, match="not a sector"):
        services.set_sector(owner, "banking")
    with pytest.raises(PermissionMissing):
        services.set_sector(world.access("assessor"), "energy")
    services.set_sector(owner, "")
    assert queries.benchmark(owner).rows[0].current.n == 0


# -- pages and API ----------------------------------------------------------------------------


def test_benchmark_page(world, client: Client, settings):
    settings.CSFPILOT_SECTOR_MIN_ORGS = 2
    # Two organizations always know each other's scores from a mean (the p% rule withholds
    # it); with p = 0 only k applies, and these tests look at the page and the API's shape.
    settings.CSFPILOT_SECTOR_P_PERCENT = 0
    profile = world.profile()
    _rate(profile, "GV", "fully")
    _peer(1)
    client.force_login(world.users["viewer"])
    page = client.get("/orgs/acme/benchmark/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Energy" in html
    assert 'class="spread"' in html  # GV has 2 organizations: shown with its spread bar
    assert "Not enough organizations (0 &lt; 2)" in html  # Identify: nobody assessed it
    assert 'action="/orgs/acme/benchmark/sector/"' not in html  # viewers cannot change it
    assert client.post("/orgs/acme/benchmark/sector/", {"sector": "water"}).status_code == 403
    client.force_login(world.outsider)
    assert client.get("/orgs/acme/benchmark/").status_code == 404
    client.force_login(world.users["owner"])
    assert (
        'action="/orgs/acme/benchmark/sector/"'
        in client.get("/orgs/acme/benchmark/").content.decode()
    )
    response = client.post("/orgs/acme/benchmark/sector/", {"sector": "water"})
    assert response.status_code == 302
    assert Organization.objects.get(slug="acme").sector == "water"
    assert "Target scores" in client.get("/orgs/acme/benchmark/?side=target").content.decode()


def test_benchmark_api(world, client: Client, settings):
    settings.CSFPILOT_SECTOR_MIN_ORGS = 2
    # Two organizations always know each other's scores from a mean (the p% rule withholds
    # it); with p = 0 only k applies, and these tests look at the page and the API's shape.
    settings.CSFPILOT_SECTOR_P_PERCENT = 0
    profile = world.profile()
    _rate(profile, "GV", "fully")
    client.force_login(world.users["viewer"])
    body = client.get("/api/organizations/acme/benchmark").json()
    gv = next(r for r in body["rows"] if r["code"] == "GV")
    assert gv["current"] == {
        "own": 100.0,
        "n": 1,
        "hidden": True,
        "withheld": "few",
        "sector": None,
    }
    _peer(1)
    cache.clear()  # look at the sector again now rather than in SECTOR_CHECK_SECONDS
    body = client.get("/api/organizations/acme/benchmark").json()
    gv = next(r for r in body["rows"] if r["code"] == "GV")
    assert gv["current"]["sector"]["median"] == pytest.approx((100 + 100 / 3) / 2)
    assert (body["sector"], body["min_orgs"], body["contributing"]) == ("energy", 2, 2)
    refused = client.put(
        "/api/organizations/acme/sector", json.dumps({"sector": "water"}), "application/json"
    )
    assert refused.status_code == 403
    client.force_login(world.users["owner"])
    bad = client.put(
        "/api/organizations/acme/sector", json.dumps({"sector": "banking"}), "application/json"
    )
    assert bad.status_code == 400
    assert "not a sector" in bad.json()["detail"]
    ok = client.put(
        "/api/organizations/acme/sector", json.dumps({"sector": "water"}), "application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["sector"] == "water"
    assert client.get("/api/organizations/globex/benchmark").status_code == 404
    keys = [s["key"] for s in client.get("/api/sectors").json()]
    assert "energy" in keys and len(keys) == 16
