"""Every main profile page and API list answers in a fixed number of queries (no N+1).

Each request is made over real HTTP through the app (the test client, with the
session, the permission layer and the templates) twice: once in a small world —
one organization, one profile with five outcomes rated, one action, one
snapshot, one evidence item linked and one request — and once after the world has
grown: all 106 outcomes rated with an owner each, twenty profiles, ten
organizations with profiles of their own, ten actions, five snapshots, 21 evidence
items linked to up to five outcomes each and 21 requests. The number of queries must be the same.

Each request is made once before it is counted, so that what the process reads
once and keeps (a framework release's outcome list, the crosswalks) is not
counted in the small world only.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.evidence.models import EvidenceItem
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from tests.webapp.profiles_world import World, make_user, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

SMALL_RATED = ("GV.OC-01", "ID.AM-01", "PR.AA-01", "PR.AA-02", "DE.CM-01")
LEVELS = ("not", "partially", "largely", "fully")
PRIORITIES = ("high", "medium", "low", None)


def _rate(world: World, row: m.Profile, code: str, i: int) -> None:
    version = m.ProfileOutcome.objects.get(profile=row, code=code).version
    services.update_outcome(
        world.access("owner"),
        row.pk,
        code,
        {
            "current": LEVELS[i % 3],
            "target": LEVELS[3 - i % 2],
            "priority": PRIORITIES[i % 4],
            "owner_name": f"Team {i % 7}",
            "current_policies": f"Policy {i}",
        },
        expected_version=version,
    )


def _action(world: World, row: m.Profile, i: int, code: str) -> None:
    services.create_action(
        world.access("owner"),
        row.pk,
        {
            "title": f"Close the gap on {code}",
            "outcomes": [code],
            "owner_name": f"Team {i % 3}",
            "due": date(2020 + i % 10, 1, 1),
            "status": ("open", "in-progress", "done")[i % 3],
        },
    )


def _evidence(world: World, row: m.Profile, i: int, codes: list[str]) -> None:
    """An item linked to ``codes`` (the first accepted), with a request on them."""
    access = world.access("owner")
    item = evidence.add_item(
        access,
        evidence.ItemFields(
            title=f"Evidence {i}",
            owner_id=world.users["assessor"].pk,
            valid_until=date(2027, 1, i % 28 + 1),
        ),
        evidence.Content(statement=f"Statement {i}"),
    )
    for j, code in enumerate(codes):
        link = evidence.link(access, item.pk, row.pk, code)
        if j == 0:
            evidence.review(access, link.pk, "accepted")
    evidence.ask(
        access, row.pk, codes, assignee_id=world.users["contributor"].pk, due=date(2026, 1, 1)
    )


def _small(world: World) -> m.Profile:
    row = world.profile("Whole company")
    for i, code in enumerate(SMALL_RATED):
        _rate(world, row, code, i)
    _action(world, row, 0, SMALL_RATED[0])
    services.take_snapshot(world.access("owner"), row.pk, label="first review")
    _evidence(world, row, 0, [SMALL_RATED[0]])
    return row


def _grow(world: World, row: m.Profile) -> None:
    """All outcomes rated, more actions and snapshots, 20 profiles, 10 organizations."""
    codes = list(
        m.ProfileOutcome.objects.filter(profile=row)
        .order_by("position")
        .values_list("code", flat=True)
    )
    assert len(codes) == 106
    for i, code in enumerate(codes):
        if code not in SMALL_RATED:
            _rate(world, row, code, i)
    for i, code in enumerate(codes[1:10], start=1):
        _action(world, row, i, code)
    for i in range(4):
        services.take_snapshot(world.access("owner"), row.pk, label=f"review {i}")
    for i in range(1, 21):
        _evidence(world, row, i, codes[i : i + 5])
    for i in range(19):
        other = world.profile(f"Unit {i:02d}", scope_type="business-unit", scope_name=f"U{i}")
        _rate(world, other, codes[i], i)
    owner = make_user("owner@tenants.test")
    for i in range(8):
        org = Organization.objects.create(name=f"Tenant {i}", slug=f"tenant-{i}")
        Membership.objects.create(user=owner, organization=org, role="owner")
        access = require(owner, org.slug, Permission.VIEW)
        services.create_profile(access, name=f"Tenant {i} profile")
    assert Organization.objects.count() == 10
    assert m.Profile.objects.filter(organization=world.org).count() == 20


def _urls(row: m.Profile) -> dict[str, str]:
    page = f"/orgs/acme/profiles/{row.pk}"
    api = f"/api/organizations/acme/profiles/{row.pk}"
    first_snapshot = m.Snapshot.objects.filter(profile=row).order_by("taken_at", "id").first()
    first_item = EvidenceItem.objects.order_by("pk").values_list("pk", flat=True)[0]
    return {
        "profile list page": "/orgs/acme/profiles/",
        "overview page": f"{page}/",
        "questionnaire page": f"{page}/assess/",
        "questionnaire, one Category": f"{page}/assess/?mode=category&category=PR.AA",
        "dashboard page": f"{page}/dashboard/",
        "action plan page": f"{page}/plan/",
        "history page": f"{page}/history/",
        "compare page": f"{page}/compare/?before=snapshot:{first_snapshot.pk}"
        f"&after=profile:{row.pk}",
        "outcome page": f"{page}/outcomes/PR.AA-01/",
        "evidence library page": "/orgs/acme/evidence/",
        "evidence item page": f"/orgs/acme/evidence/{first_item}/",
        "evidence due page": "/orgs/acme/evidence/due/?days=90",
        "evidence requests page": "/orgs/acme/evidence/requests/?state=all",
        "evidence outcomes page": f"/orgs/acme/evidence/outcomes/?profile={row.pk}",
        "organization home page": "/orgs/acme/",
        "profiles (API)": "/api/organizations/acme/profiles",
        "outcomes (API)": f"{api}/outcomes",
        "gaps (API)": f"{api}/gaps",
        "actions (API)": f"{api}/actions",
        "scores (API)": f"{api}/scores",
        "snapshots (API)": f"{api}/snapshots",
        "trend (API)": f"{api}/trend",
    }


def _counts(client: Client, urls: dict[str, str]) -> dict[str, int]:
    out = {}
    for name, url in urls.items():
        # Twice: the first visit of an organization writes it into the session, which
        # moves the identity generation, so the second is the first read from the cache.
        for _ in range(2):
            warm = client.get(url)
            assert warm.status_code == 200, (name, warm.status_code)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        out[name] = len(ctx.captured_queries)
    return out


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_pages_and_api_lists_take_as_many_queries_however_much_data(world: World, role: str):
    row = _small(world)
    client = Client()
    client.force_login(world.users[role])
    urls = _urls(row)
    small = _counts(client, urls)
    _grow(world, row)
    large = _counts(client, urls)
    assert large == small


def test_the_grown_world_is_on_the_pages(world: World):
    """The large world really reaches the pages it is counted on."""
    row = _small(world)
    _grow(world, row)
    client = Client()
    client.force_login(world.users["viewer"])
    listing = client.get("/orgs/acme/profiles/").content.decode()
    assert "Unit 18" in listing and "Tenant 0 profile" not in listing
    outcomes = client.get(f"/api/organizations/acme/profiles/{row.pk}/outcomes").json()
    assert len(outcomes) == 106
    assert sum(1 for o in outcomes if o["current"] is not None) == 106
    plan = client.get(f"/api/organizations/acme/profiles/{row.pk}/actions").json()
    assert len(plan["actions"]) == 10
    assert len(client.get(f"/api/organizations/acme/profiles/{row.pk}/snapshots").json()) == 5
    assert len(client.get("/api/organizations/acme/profiles").json()) == 20
