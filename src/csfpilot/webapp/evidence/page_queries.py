"""Reads the evidence pages need around the library: choices for forms, rows as shown.

Each function is one query (or none); the pages call them once per render.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from csfpilot.core.evidence import Freshness, RequestState
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import queries
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.organizations.permissions import Access, can_edit_outcome
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as pm


def members(access: Access) -> list[tuple[int, str]]:
    """(user id, how the member is shown) for owner and assignee choices."""
    rows = (
        Membership.objects.filter(organization=access.organization)
        .select_related("user")
        .order_by("user__email")
    )
    return [(r.user_id, person(r.user)) for r in rows]


def person(user: Any) -> str:
    if user is None:
        return ""
    full = user.get_full_name()
    return f"{full} <{user.email}>" if full else user.email or user.get_username()


def profile_choices(access: Access) -> list[tuple[int, str]]:
    """The organization's own profiles (Community Profiles are targets: nothing to prove)."""
    return list(
        pm.Profile.objects.filter(organization=access.organization)
        .exclude(kind="community")
        .order_by("name", "id")
        .values_list("pk", "name")
    )


def may_change(access: Access, row: m.EvidenceItem) -> bool:
    """The services' rule, asked before offering the forms: contributors change their own."""
    if not access.can(Permission.ADD_EVIDENCE):
        return False
    if access.can(Permission.EDIT_PROFILES):
        return True
    me = access.membership.user_id
    return me in (row.created_by_id, row.owner_id)


@dataclass
class ItemRow:
    item: m.EvidenceItem
    freshness: Freshness


def library_rows(rows: Iterable[m.EvidenceItem], today: date) -> list[ItemRow]:
    return [ItemRow(r, queries.item_freshness(r, today)) for r in rows]


@dataclass
class LinkRow:
    link: m.EvidenceLink
    can_unlink: bool
    can_review: bool


def link_rows(access: Access, row: m.EvidenceItem) -> list[LinkRow]:
    links = (
        m.EvidenceLink.objects.filter(item=row)
        .select_related("profile", "reviewed_by", "outcome")
        .order_by("profile__name", "code", "side")
    )
    reviewer = access.can(Permission.REVIEW_EVIDENCE)
    adder = access.can(Permission.ADD_EVIDENCE)
    return [
        LinkRow(
            link,
            can_unlink=adder
            and can_edit_outcome(access, link.outcome.owner_id)
            and (reviewer or link.review == "pending"),
            can_review=reviewer,
        )
        for link in links
    ]


def open_requests_for(access: Access) -> int:
    """How many requests wait for the signed-in member's answer (open, overdue or sent back)."""
    return m.EvidenceRequest.objects.filter(
        organization=access.organization,
        assignee_id=access.membership.user_id,
        state__in=[RequestState.OPEN, RequestState.REJECTED],
    ).count()


def linkable_items(access: Access) -> list[tuple[int, str]]:
    """Live items a request can be answered with."""
    return list(
        m.EvidenceItem.objects.filter(organization=access.organization, retired_at__isnull=True)
        .order_by("title", "id")
        .values_list("pk", "title")
    )
