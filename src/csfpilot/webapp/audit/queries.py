"""Reading the audit trail: filtered pages of events, and checking the chains."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from csfpilot.core.errors import NotFound
from csfpilot.webapp.audit.chain import Verdict, verify
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.organizations.models import Organization

# Rows read per query while a chain is checked: a long trail never sits in memory.
VERIFY_BATCH = 2000


@dataclass(frozen=True)
class Filters:
    """What the trail page and the API filter on; every field optional."""

    object_type: str = ""
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None


def events(org: Organization, filters: Filters = Filters()) -> QuerySet[AuditEvent]:
    """The organization's events, newest first."""
    qs = AuditEvent.objects.filter(organization=org)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.actor_id is not None:
        qs = qs.filter(actor_id=filters.actor_id)
    if filters.since is not None:
        qs = qs.filter(at__gte=_start_of(filters.since))
    if filters.until is not None:
        qs = qs.filter(at__lt=_start_of(filters.until) + timezone.timedelta(days=1))
    return qs.order_by("-seq")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def object_types(org: Organization) -> list[str]:
    return sorted(
        AuditEvent.objects.filter(organization=org)
        .values_list("object_type", flat=True)
        .distinct()
        .order_by()
    )


def actors(org: Organization) -> list[tuple[int, str]]:
    """(user id, name) of everyone named in the trail, for the filter; latest name wins."""
    seen: dict[int, str] = {}
    rows = (
        AuditEvent.objects.filter(organization=org, actor_id__isnull=False)
        .order_by("seq")
        .values_list("actor_id", "actor_name")
    )
    for actor_id, name in rows.iterator():
        seen[actor_id] = name
    return sorted(seen.items(), key=lambda kv: kv[1].lower())


def _chain_of(org_id: int) -> Iterator[tuple[Any, dict[str, Any], str]]:
    last = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(organization_id=org_id, seq__gt=last).order_by("seq", "id")[
                :VERIFY_BATCH
            ]
        )
        if not batch:
            return
        for event in batch:
            yield event.pk, event.hashed_fields(), event.hash
        last = batch[-1].seq


def verify_organization(org: Organization) -> Verdict:
    return verify(_chain_of(org.pk))


def verify_chains(org_slug: str | None = None) -> list[tuple[str, Verdict]]:
    """Each organization's chain checked (or only ``org_slug``'s), by slug."""
    orgs = Organization.objects.order_by("slug")
    if org_slug is not None:
        orgs = orgs.filter(slug=org_slug.strip().lower())
        if not orgs.exists():
            raise NotFound(f"no organization {org_slug!r}")
    return [(org.slug, verify_organization(org)) for org in orgs]
