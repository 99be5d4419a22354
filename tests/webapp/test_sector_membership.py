"""Who counts in a sector benchmark: approval by the operator or the sector's steward, and
the disclosure rule (k approved contributors and the p% rule, both ways).

The sybil case of issue 16 is here: an outsider who may create organizations makes four of
them, joins the member's sector with made-up profiles, and still cannot see a number that
would give the member's scores away.
"""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from csfpilot.core.errors import NotFound
from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import services as profile_services
from csfpilot.webapp.profiles.models import ProfileOutcome
from csfpilot.webapp.sectors import disclosure, queries, services, stewardship
from csfpilot.webapp.sectors.aggregates import sector_stats
from csfpilot.webapp.sectors.disclosure import Extremes, Withheld, verdict
from csfpilot.webapp.sectors.models import MemberStatus, SectorMember, SectorSteward
from tests.webapp.profiles_world import build_world, make_user

pytestmark = pytest.mark.django_db
SECTOR = "energy"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _rate_all(profile, current: str, target: str = "fully") -> None:
    ProfileOutcome.objects.filter(profile=profile).update(current=current, target=target)


def _member(slug: str, rating: str, *, approve: bool = True):
    """A real organization of the sector with one fully rated profile (its owner's access)."""
    org = Organization.objects.create(name=slug.title(), slug=slug)
    user = make_user(f"owner@{slug}.test")
    Membership.objects.create(user=user, organization=org, role="owner")
    access = require(user, slug, Permission.VIEW)
    services.set_sector(access, SECTOR)
    profile = profile_services.create_profile(access, name="Current state")
    _rate_all(profile, rating)
    services.refresh([org.pk])
    if approve:
        stewardship.decide(None, SECTOR, slug, MemberStatus.APPROVED)
    return access


def _numbers(body: dict) -> list[float]:
    """Every sector number the API answer holds (mean and quartiles)."""
    out = []
    for row in body["rows"]:
        for side in ("current", "target"):
            stats = row[side]["sector"]
            if stats is not None:
                out += [stats["mean"], stats["q1"], stats["median"], stats["q3"]]
    return out


# -- the sybil case ------------------------------------------------------------------------------


def test_four_organizations_made_up_by_an_outsider_do_not_reveal_a_members_scores(settings):
    settings.CSFPILOT_SECTOR_MIN_ORGS = 5
    settings.CSFPILOT_ORG_CREATORS = "anyone"
    victim = _member("victim", "partially")  # the real member, approved
    victim_scores = {r.code: r.current.own for r in queries.benchmark(victim).rows if r.current.own}
    outsider = make_user("mallory@example.test")
    client = Client()
    client.force_login(outsider)
    for i in range(1, 5):
        made = client.post(
            "/api/organizations",
            json.dumps({"name": f"Shell {i}", "slug": f"shell-{i}"}),
            content_type="application/json",
        )
        assert made.status_code == 201, made.content
        joined = client.put(
            f"/api/organizations/shell-{i}/sector",
            json.dumps({"sector": SECTOR}),
            content_type="application/json",
        )
        assert joined.status_code == 200
        assert joined.json()["membership"] == "requested"
        # Made-up profiles at zero: with them counted, mean × 5 would be the victim's score.
        access = require(outsider, f"shell-{i}", Permission.VIEW)
        _rate_all(profile_services.create_profile(access, name="Fake"), "not")
    cache.clear()
    body = client.get("/api/organizations/shell-1/benchmark").json()
    assert body["contributing"] == 1  # the victim alone: the shells are not approved
    assert body["membership"] == "requested"
    for row in body["rows"]:
        for side in ("current", "target"):
            assert row[side]["hidden"] is True
            assert row[side]["sector"] is None
            assert row[side]["withheld"] == "few"
            assert row[side]["n"] <= 1
    page = client.get("/orgs/shell-1/benchmark/").content.decode()
    assert "Awaiting approval" in page
    # Even with three more approved real members (n = 4 < 5) the shells change nothing.
    for slug in ("north", "south", "east"):
        _member(slug, "largely")
    cache.clear()
    body = client.get("/api/organizations/shell-2/benchmark").json()
    assert body["contributing"] == 4
    assert _numbers(body) == []
    # The steward approves a fifth real member: numbers appear, over the five real members
    # only, and no number is the victim's own score.
    _member("west", "fully")
    cache.clear()
    body = client.get("/api/organizations/shell-3/benchmark").json()
    assert body["contributing"] == 5
    whole = next(r for r in body["rows"] if r["code"] == "")["current"]["sector"]
    assert whole["n"] == 5
    others = [queries.benchmark(_access(s)).rows[0].current.own for s in ("north", "south")]
    others += [queries.benchmark(_access(s)).rows[0].current.own for s in ("east", "west")]
    assert whole["mean"] == pytest.approx((victim_scores[""] + sum(others)) / 5)


def _access(slug: str):
    user = Membership.objects.get(organization__slug=slug).user
    return require(user, slug, Permission.VIEW)


def test_revoked_and_unapproved_organizations_never_count_in_the_sql():
    _member("a1", "partially")
    _member("a2", "largely")
    _member("pending", "fully", approve=False)
    _member("gone", "not")
    stewardship.decide(None, SECTOR, "gone", MemberStatus.REVOKED)
    stats = sector_stats(SECTOR)
    assert stats[("", "current")].n == 2
    stewardship.decide(None, SECTOR, "pending", MemberStatus.APPROVED)
    assert sector_stats(SECTOR)[("", "current")].n == 3


# -- the disclosure rule ------------------------------------------------------------------------


def _ex(values: list[float]) -> Extremes:
    v = sorted(values)
    return Extremes(
        n=len(v),
        total=sum(v),
        top=v[-1],
        second=v[-2] if len(v) > 1 else 0.0,
        bottom=v[0],
        second_bottom=v[1] if len(v) > 1 else 100.0,
    )


def test_the_p_percent_rule_both_ways():
    spread = [40.0, 55.0, 60.0, 70.0, 75.0]
    assert verdict(_ex(spread), k=5, p=10) is None
    assert verdict(_ex(spread[:4]), k=5, p=10) is Withheld.FEW
    # One organization far above: the second largest bounds it within p%.
    assert verdict(_ex([90.0, 2.0, 1.0, 1.0, 1.0]), k=5, p=10) is Withheld.DOMINATED
    # One organization far below: four at 100 and one at 0 (a mean of 80) give it away.
    assert verdict(_ex([100.0, 100.0, 100.0, 100.0, 0.0]), k=5, p=10) is Withheld.DOMINATED
    # Everyone equal: nothing to single out (each knows only that all are alike).
    assert verdict(_ex([100.0] * 5), k=5, p=10) is None
    assert verdict(_ex([0.0] * 5), k=5, p=10) is None
    # Two contributors always know each other's scores from a mean.
    assert verdict(_ex([30.0, 70.0]), k=2, p=10) is Withheld.DOMINATED
    assert verdict(_ex([30.0, 70.0]), k=2, p=0) is None


def test_a_dominated_number_is_withheld_on_the_page_and_the_api(settings):
    settings.CSFPILOT_SECTOR_MIN_ORGS = 5
    viewer = _member("m1", "fully")
    for slug in ("m2", "m3", "m4", "m5"):
        _member(slug, "not")  # four at 0, one at 100: the 100 is known from the mean
    bench = queries.benchmark(viewer)
    whole = bench.rows[0]
    assert whole.current.stats is None and whole.current.withheld is Withheld.DOMINATED
    assert whole.target.stats is not None  # targets are all "fully": equal, shown
    client = Client()
    client.force_login(viewer.user)
    body = client.get("/api/organizations/m1/benchmark").json()
    assert body["rows"][0]["current"]["withheld"] == "dominated"
    assert body["p_percent"] == disclosure.p_percent()
    html = client.get("/orgs/m1/benchmark/").content.decode()
    assert "Withheld: one organization's score could be estimated from it" in html


# -- organizations ask; the steward decides -----------------------------------------------------


def test_choosing_a_sector_asks_and_a_revocation_stands():
    w = build_world()
    owner = require(w.users["owner"], "acme", Permission.VIEW)
    services.set_sector(owner, SECTOR)
    assert stewardship.status_of(w.org, SECTOR) == MemberStatus.REQUESTED
    event = AuditEvent.objects.filter(organization=w.org, object_type="organization").last()
    assert event.changes["benchmark_membership"] == [None, "requested"]
    stewardship.decide(None, SECTOR, "acme", MemberStatus.REVOKED)
    services.set_sector(owner, "water")
    services.set_sector(owner, SECTOR)
    assert stewardship.status_of(w.org, SECTOR) == MemberStatus.REVOKED
    with pytest.raises(NotFound):
        stewardship.decide(None, "water", "globex", MemberStatus.APPROVED)  # never asked


def test_the_steward_pages(settings):
    w = build_world()
    owner = require(w.users["owner"], "acme", Permission.VIEW)
    services.set_sector(owner, SECTOR)
    steward = make_user("steward@isac.test")
    stewardship.appoint(SECTOR, "steward@isac.test")
    assert AuditEvent.objects.filter(organization=None, object_type="sector_steward").exists()
    c = Client()
    c.force_login(w.users["owner"])  # an organization's owner is no steward
    assert c.get("/sectors/").status_code == 403
    assert c.get(f"/sectors/{SECTOR}/members/").status_code == 403
    assert c.post(f"/sectors/{SECTOR}/members/acme/approve/").status_code == 403
    assert stewardship.status_of(w.org, SECTOR) == MemberStatus.REQUESTED
    c.force_login(steward)
    home = c.get("/sectors/").content.decode()
    assert f'href="/sectors/{SECTOR}/members/"' in home
    assert 'href="/sectors/water/members/"' not in home  # only the sector they steward
    assert c.get("/sectors/water/members/").status_code == 403
    assert c.get("/sectors/no-such-sector/members/").status_code == 404
    page = c.get(f"/sectors/{SECTOR}/members/").content.decode()
    assert "Acme Corp" in page and "Awaiting approval" in page
    response = c.post(f"/sectors/{SECTOR}/members/acme/approve/")
    assert response.status_code == 302
    assert stewardship.status_of(w.org, SECTOR) == MemberStatus.APPROVED
    event = AuditEvent.objects.filter(organization=w.org, object_type="sector_membership").get()
    assert (event.actor_name, event.changes) == (
        "steward@isac.test",
        {"benchmark_membership": ["requested", "approved"]},
    )
    assert c.post(f"/sectors/{SECTOR}/members/globex/approve/").status_code == 404
    c.post(f"/sectors/{SECTOR}/members/acme/revoke/")
    assert stewardship.status_of(w.org, SECTOR) == MemberStatus.REVOKED
    row = SectorMember.objects.get(organization=w.org)
    assert row.decided_by == steward and row.decided_by_name == "steward@isac.test"
    # The organization's owners see the decision in their audit trail, by name.
    c.force_login(w.users["owner"])
    assert "steward@isac.test" in c.get("/orgs/acme/audit/").content.decode()
    assert stewardship.dismiss(SECTOR, "steward@isac.test")
    assert not SectorSteward.objects.exists()
    c.force_login(steward)
    assert c.get(f"/sectors/{SECTOR}/members/").status_code == 403


def test_the_steward_api():
    w = build_world()
    services.set_sector(require(w.users["owner"], "acme", Permission.VIEW), SECTOR)
    steward = make_user("steward@isac.test")
    stewardship.appoint(SECTOR, steward.email)
    c = Client()
    c.force_login(steward)
    listed = c.get(f"/api/sectors/{SECTOR}/members").json()
    assert [(r["organization"], r["status"], r["contributing"]) for r in listed] == [
        ("acme", "requested", False)
    ]
    approved = c.post(f"/api/sectors/{SECTOR}/members/acme/approve").json()
    assert (approved["status"], approved["decided_by"]) == ("approved", "steward@isac.test")
    assert c.get(f"/api/sectors/{SECTOR}/members?status=requested").json() == []
    assert c.post(f"/api/sectors/{SECTOR}/members/acme/revoke").json()["status"] == "revoked"
    assert c.post(f"/api/sectors/{SECTOR}/members/nobody/approve").status_code == 404
    # An organization's API token is no stewardship, even of the steward's own account.
    Membership.objects.create(user=steward, organization=w.other, role="owner")
    _, secret = issue_token(steward, "globex", "owner", "t")
    refused = Client().get(
        f"/api/sectors/{SECTOR}/members", headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status_code == 403
    c.force_login(w.users["owner"])
    assert c.get(f"/api/sectors/{SECTOR}/members").status_code == 403
