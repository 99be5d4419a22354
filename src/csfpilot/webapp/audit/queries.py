"""Reading the audit trail: filtered pages of events, and checking the chains."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from csfpilot.core.errors import NotFound
from csfpilot.webapp.audit import checkpoints
from csfpilot.webapp.audit.chain import Break, Verdict, verify
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
    """The organization's events, newest first, with the instance chain's backups and
    restores of it."""
    qs = AuditEvent.objects.filter(
        Q(organization=org) | Q(organization__isnull=True, org_slug=org.slug)
    )
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.actor_id is not None:
        qs = qs.filter(actor_id=filters.actor_id)
    if filters.since is not None:
        qs = qs.filter(at__gte=_start_of(filters.since))
    if filters.until is not None:
        qs = qs.filter(at__lt=_start_of(filters.until) + timezone.timedelta(days=1))
    return qs.order_by("-at", "-seq", "-id")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def object_types(org: Organization) -> list[str]:
    return sorted(events(org).values_list("object_type", flat=True).distinct().order_by())


def actors(org: Organization) -> list[tuple[int, str]]:
    """(user id, name) of everyone named in the trail, for the filter; latest name wins."""
    seen: dict[int, str] = {}
    rows = (
        events(org)
        .filter(actor_id__isnull=False)
        .order_by("at", "seq")
        .values_list("actor_id", "actor_name")
    )
    for actor_id, name in rows.iterator():
        seen[actor_id] = name
    return sorted(seen.items(), key=lambda kv: kv[1].lower())


INSTANCE = "(instance)"


def _chain_of(org_id: int | None) -> Iterator[tuple[Any, dict[str, Any], str]]:
    chain = (
        AuditEvent.objects.filter(organization_id=org_id)
        if org_id is not None
        else AuditEvent.objects.filter(organization__isnull=True)
    )
    last = 0
    while True:
        batch = list(chain.filter(seq__gt=last).order_by("seq", "id")[:VERIFY_BATCH])
        if not batch:
            return
        for event in batch:
            yield event.pk, event.hashed_fields(), event.hash, event.mac
        last = batch[-1].seq


def _against_checkpoint(
    verdict: Verdict, name: str, org_id: int | None, read: checkpoints.ReadCheckpoints
) -> Verdict:
    """A chain that links and hashes correctly must still hold what its last signed
    checkpoint saw: otherwise its newest entries were deleted or it was rewritten."""
    if not verdict.ok:
        return verdict
    latest = read.latest.get(name)
    problem = checkpoints.check(latest, org_id)
    if problem is None or latest is None:
        return verdict
    return Verdict(verdict.checked, verdict.head, Break(latest.seq, None, problem))


def verify_organization(
    org: Organization, read: checkpoints.ReadCheckpoints | None = None
) -> Verdict:
    """``org``'s chain checked entry by entry with the audit key, then against the latest
    signed checkpoint of its head (read from the checkpoint file unless given)."""
    if read is None:
        read = read_checkpoints()
    verdict = verify(_chain_of(org.pk), settings.AUDIT_KEY)
    return _against_checkpoint(verdict, org.slug, org.pk, read)


def read_checkpoints() -> checkpoints.ReadCheckpoints:
    return checkpoints.read(Path(settings.CSFPILOT_AUDIT_CHECKPOINT_FILE), settings.AUDIT_KEY)


def verify_chains(
    org_slug: str | None = None, read: checkpoints.ReadCheckpoints | None = None
) -> list[tuple[str, Verdict]]:
    """Each organization's chain checked (or only ``org_slug``'s), by slug; then the
    instance chain (backups and restores) as ``(instance)`` when checking them all."""
    if read is None:
        read = read_checkpoints()
    orgs = Organization.objects.order_by("slug")
    if org_slug is not None:
        orgs = orgs.filter(slug=org_slug.strip().lower())
        if not orgs.exists():
            raise NotFound(f"no organization {org_slug!r}")
    out = [(org.slug, verify_organization(org, read)) for org in orgs]
    if org_slug is None and (
        AuditEvent.objects.filter(organization__isnull=True).exists() or INSTANCE in read.latest
    ):
        verdict = verify(_chain_of(None), settings.AUDIT_KEY)
        out.append((INSTANCE, _against_checkpoint(verdict, INSTANCE, None, read)))
    return out
