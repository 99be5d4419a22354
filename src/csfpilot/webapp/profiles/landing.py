"""Where a person lands after signing in: the profile they worked on last.

Someone who signs in came back to an assessment, not to pick an organization
from a list, so sign-in opens the dashboard of the most recently changed
Organizational Profile among the organizations they belong to (a Community
Profile only when they have nothing else). A person with no profile yet lands
on their only organization's overview, or on the list of organizations.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, When
from django.urls import reverse

from csfpilot.core.profiles import ProfileKind
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.profiles.models import Profile

COMMUNITY = ProfileKind.COMMUNITY.value


def landing_url(user: Any) -> str:
    """The page to open after ``user`` signs in."""
    if user is None or not user.is_authenticated:
        return reverse("organizations:list")
    latest = (
        Profile.objects.filter(organization__memberships__user=user)
        .select_related("organization")
        .only("pk", "kind", "updated_at", "organization__slug")
        .annotate(community=Case(When(kind=COMMUNITY, then=1), default=0))
        .order_by("community", "-updated_at", "-pk")
        .first()
    )
    if latest is not None:
        return reverse("profiles:dashboard", args=[latest.organization.slug, latest.pk])
    slugs = list(
        Membership.objects.filter(user=user).values_list("organization__slug", flat=True)[:2]
    )
    if len(slugs) == 1:
        return reverse("organizations:home", args=[slugs[0]])
    return reverse("organizations:list")
