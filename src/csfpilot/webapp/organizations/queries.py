"""Reads about organizations and members, each a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.organizations.roles import ROLE_ORDER, Role

_ROLE_RANK = Case(
    *[When(role=role.value, then=Value(rank)) for rank, role in enumerate(ROLE_ORDER)],
    output_field=IntegerField(),
)


def memberships_of(user: Any) -> QuerySet[Membership]:
    """The user's memberships with their organizations and head counts (one query)."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .annotate(member_count=Count("organization__memberships"))
        .order_by("organization__name", "organization_id")
    )


def members(organization: Organization) -> QuerySet[Membership]:
    """The organization's members, owners first, then by e-mail (one query)."""
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .annotate(role_rank=_ROLE_RANK)
        .order_by("role_rank", "user__email", "id")
    )


def role_counts(organization: Organization) -> list[tuple[Role, int]]:
    """How many members hold each role, in the order roles are listed."""
    counts = dict(
        Membership.objects.filter(organization=organization)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return [(role, counts.get(role.value, 0)) for role in ROLE_ORDER]
