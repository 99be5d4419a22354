"""The demo's sector: generated peers enough for the benchmark to show its numbers."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from csfpilot.webapp.demo import DEMO_ORGANIZATION, ensure_demo
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles.operator import operator_access
from csfpilot.webapp.sectors import queries as sector_queries
from csfpilot.webapp.sectors.demo_peers import DEMO_SECTOR, SLUG, peer_count
from tests.webapp.profiles_world import World, make_user

pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db


# -- the demo's sector peers --------------------------------------------------------------------


def _demo():
    org = ensure_demo()
    assert org is not None and org.slug == DEMO_ORGANIZATION[1]
    org.refresh_from_db()
    return org


def test_the_demo_has_a_sector_with_enough_generated_peers_to_show_numbers():
    org = _demo()
    assert org.sector == DEMO_SECTOR
    peers = Organization.objects.filter(slug__startswith="demo-peer-").order_by("slug")
    assert [p.slug for p in peers] == [SLUG.format(i) for i in range(1, peer_count() + 1)]
    assert all(p.name.endswith("(generated)") and p.sector == DEMO_SECTOR for p in peers)
    # Nobody is a member of a peer: they are seen only through the aggregates.
    assert not Membership.objects.filter(organization__in=peers).exists()
    access = require(org.memberships.get().user, org.slug, Permission.VIEW)
    bench = sector_queries.benchmark(access)
    assert bench.contributing == peer_count() + 1 >= bench.min_orgs
    assert all(row.current.stats is not None for row in bench.rows)
    assert all(row.target.stats is not None for row in bench.rows)


@override_settings(CSFPILOT_SECTOR_MIN_ORGS=12)
def test_a_higher_minimum_gets_more_peers():
    _demo()
    assert Organization.objects.filter(slug__startswith="demo-peer-").count() == 12


def test_the_peers_are_the_same_on_every_machine():
    _demo()
    first = sorted(
        m.ProfileOutcome.objects.filter(profile__organization__slug=SLUG.format(3)).values_list(
            "code", "current", "target", "priority"
        )
    )
    # Deleting the peers and the demo, then making them again, gives the same ratings.
    Organization.objects.all().delete()
    _demo()
    again = sorted(
        m.ProfileOutcome.objects.filter(profile__organization__slug=SLUG.format(3)).values_list(
            "code", "current", "target", "priority"
        )
    )
    assert first == again and len(first) == 106


def test_the_benchmark_page_says_how_many_organizations_a_number_needs():
    org = _demo()
    c = Client()
    c.force_login(org.memberships.get().user)
    html = c.get(f"/orgs/{org.slug}/benchmark/").content.decode()
    assert "Numbers shown from" not in html
    assert "<dt>Minimum for a number</dt><dd>at least 5 organizations contributing</dd>" in html
    assert "Not enough organizations" not in html


def test_a_peer_profile_is_plainly_not_a_real_organization():
    _demo()
    access = operator_access(SLUG.format(1))
    row = m.Profile.objects.get(organization=access.organization)
    assert "not a real organization" in row.description


def test_no_peers_on_an_instance_with_real_accounts(world: World):
    assert ensure_demo() is None
    assert not Organization.objects.filter(slug__startswith="demo-peer-").exists()


def test_a_real_account_alone_makes_no_peers():
    make_user("someone@example.org")
    assert ensure_demo() is None
    assert not Organization.objects.filter(slug__startswith="demo-peer-").exists()
