"""Where sign-in lands: the dashboard of the Organizational Profile changed last."""

from __future__ import annotations

import pytest
from django.urls import reverse

from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from csfpilot.webapp.profiles.landing import landing_url
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _dashboard(row: m.Profile) -> str:
    return reverse("profiles:dashboard", args=[row.organization.slug, row.pk])


def _rate(world: World, row: m.Profile, code: str, **values) -> None:
    version = m.ProfileOutcome.objects.get(profile=row, code=code).version
    services.update_outcome(world.access("owner"), row.pk, code, values, expected_version=version)


def test_the_profile_changed_last_wins_whichever_was_created_last(world: World):
    first = world.profile("Whole company")
    second = world.profile("Plant 2 OT network")
    assert landing_url(world.users["viewer"]) == _dashboard(second)
    services.update_profile(
        world.access("owner"), first.pk, {"description": "Reviewed"}, expected_version=1
    )
    assert landing_url(world.users["viewer"]) == _dashboard(first)


def test_a_community_profile_only_when_there_is_nothing_else(world: World):
    community = world.profile("Sector targets", kind="community")
    assert landing_url(world.users["viewer"]) == _dashboard(community)
    organizational = world.profile("Whole company")
    _rate(world, community, "GV.OC-01", target="fully")  # changed later, still not chosen
    assert landing_url(world.users["viewer"]) == _dashboard(organizational)


def test_without_profiles_the_only_organization_or_the_list(world: World):
    assert landing_url(world.outsider) == reverse("organizations:home", args=["globex"])
    Membership.objects.create(user=world.outsider, organization=world.org, role="viewer")
    assert landing_url(world.outsider) == reverse("organizations:list")
    assert landing_url(None) == reverse("organizations:list")
