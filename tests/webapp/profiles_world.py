"""A small world for the profile tests: two organizations, one member per role.

``acme`` has an owner, an assessor, a contributor, a viewer and an auditor;
``globex`` (the other tenant) has an owner and a profile of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.permissions import Access, require
from csfpilot.webapp.organizations.roles import Permission, Role
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services

ROLES = [r.value for r in Role]


def make_user(email: str):
    local, domain = email.split("@")
    return get_user_model().objects.create_user(
        username=f"{local}-{domain.split('.')[0]}", email=email, password="not used here"
    )


@dataclass
class World:
    org: Organization
    other: Organization
    users: dict[str, object]
    outsider: object

    def access(self, role: str) -> Access:
        """What ``role`` may do in acme, as the permission layer decides."""
        return require(self.users[role], "acme", Permission.VIEW)

    def other_access(self) -> Access:
        return require(self.outsider, "globex", Permission.VIEW)

    def profile(self, name: str = "Whole company", **kwargs) -> m.Profile:
        return services.create_profile(self.access("owner"), name=name, **kwargs)


def build_world() -> World:
    """Create the two organizations and their members (needs database access)."""
    org = Organization.objects.create(name="Acme Corp", slug="acme")
    other = Organization.objects.create(name="Globex", slug="globex")
    users = {}
    for role in ROLES:
        users[role] = make_user(f"{role}@acme.test")
        Membership.objects.create(user=users[role], organization=org, role=role)
    outsider = make_user("owner@globex.test")
    Membership.objects.create(user=outsider, organization=other, role="owner")
    return World(org, other, users, outsider)


@pytest.fixture(name="world")
def world_fixture() -> World:
    return build_world()
