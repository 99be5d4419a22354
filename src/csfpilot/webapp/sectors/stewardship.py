"""Who counts in a sector's benchmark: organizations ask, the operator or a steward decides.

Choosing a sector makes an organization *ask* to take part (:func:`ask`). Its scores
count toward the sector's numbers, and toward the threshold k, only once the
instance's operator or the sector's **steward** approved it (:func:`decide`). A
steward is an account the operator names per sector (:func:`appoint`): someone who
speaks for the sector body (an ISAC, a regulator, an industry association) and knows
which organizations really are its members. Stewardship opens no organization's
data: a steward sees the names of the organizations that asked, whether each has a
profile that counts, and decides.

On the web the operator is a superuser account; on the command line, whoever runs
``csfpilot`` on the machine that holds the database. Every decision is recorded in
the organization's own audit trail (its owners see who approved or revoked it, and
when); appointments in the instance's trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.organizations.sectors import Sector
from csfpilot.webapp.sectors.models import (
    Contribution,
    MemberStatus,
    SectorMember,
    SectorSteward,
)

AUDIT_TYPE = "sector_membership"
AUDIT_FIELD = "benchmark_membership"


class NotSteward(PermissionDenied):
    """A signed-in account that is neither the sector's steward nor the operator."""

    def __init__(self, sector: str) -> None:
        super().__init__(
            f"Only the steward of the {sector} sector or the instance's operator decides this."
        )


def known_sector(sector: str) -> str:
    sector = (sector or "").strip()
    if sector not in Sector.values:
        raise NotFound(f"{sector!r} is not a sector (sectors: {', '.join(Sector.values)})")
    return sector


def is_operator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def may_steward(user: Any, sector: str) -> bool:
    """Whether ``user`` may approve and revoke the organizations of ``sector``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return is_operator(user) or SectorSteward.objects.filter(sector=sector, user=user).exists()


def require_steward(user: Any, sector: str) -> str:
    """The sector, if ``user`` may steward it; an unknown sector is NotFound, others 403."""
    sector = known_sector(sector)
    if not may_steward(user, sector):
        raise NotSteward(sector)
    return sector


def stewarded_sectors(user: Any) -> list[str]:
    """The sectors ``user`` stewards (every sector for the operator), in the list's order."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if is_operator(user):
        return list(Sector.values)
    mine = set(SectorSteward.objects.filter(user=user).values_list("sector", flat=True))
    return [s for s in Sector.values if s in mine]


# -- what organizations do ------------------------------------------------------------------


def ask(organization: Organization, sector: str) -> SectorMember | None:
    """Record that ``organization`` asks to count in ``sector`` (an earlier answer stands).

    Called inside the transaction that puts the organization in the sector. A
    revoked organization stays revoked when it leaves and comes back.
    """
    if not sector:
        return None
    row, _ = SectorMember.objects.get_or_create(
        organization=organization,
        sector=sector,
        defaults={"status": MemberStatus.REQUESTED, "requested_at": timezone.now()},
    )
    return row


def status_of(organization: Organization, sector: str) -> str:
    """``requested``, ``approved``, ``revoked``, or "" when it never asked."""
    if not sector:
        return ""
    return (
        SectorMember.objects.filter(organization=organization, sector=sector)
        .values_list("status", flat=True)
        .first()
        or ""
    )


# -- what stewards and the operator do -------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    organization: Organization
    status: str
    requested_at: Any
    decided_at: Any
    decided_by: str
    in_sector: bool  # the organization is (still) in the sector
    contributing: bool  # it has a profile that counts

    @property
    def status_label(self) -> str:
        return str(MemberStatus(self.status).label)


def members(sector: str, *, status: str | None = None) -> list[MemberRow]:
    """Every organization that asked to count in ``sector``: one query."""
    rows = SectorMember.objects.filter(sector=sector).select_related("organization")
    if status:
        rows = rows.filter(status=status)
    rows = rows.annotate(
        contributing=Exists(
            Contribution.objects.filter(organization_id=OuterRef("organization_id"), sector=sector)
        )
    ).order_by("status", "organization__name", "organization_id")
    return [
        MemberRow(
            organization=r.organization,
            status=r.status,
            requested_at=r.requested_at,
            decided_at=r.decided_at,
            decided_by=r.decided_by_name or ("" if r.decided_at is None else str(audit.CLI.name)),
            in_sector=r.organization.sector == sector,
            contributing=bool(r.contributing),
        )
        for r in rows
    ]


def counts(sector: str) -> dict[str, int]:
    """How many organizations of ``sector`` are in each status."""
    found = dict(
        SectorMember.objects.filter(sector=sector)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {s: int(found.get(s, 0)) for s in MemberStatus.values}


def decide(user: Any | None, sector: str, org_slug: str, status: str) -> SectorMember:
    """Approve or revoke an organization in ``sector``; ``user`` None is the command line.

    The caller has checked :func:`require_steward` (the command line needs no check).
    An organization that never asked cannot be approved: it must choose the sector
    first, so that nobody is counted in a sector its owners did not choose.
    """
    sector = known_sector(sector)
    if status not in (MemberStatus.APPROVED, MemberStatus.REVOKED):
        raise InputRefused(f"{status!r}: a decision is 'approved' or 'revoked'", field="status")
    who = audit.user_actor(user)
    with transaction.atomic():
        row = (
            SectorMember.objects.select_for_update()
            .select_related("organization")
            .filter(sector=sector, organization__slug=(org_slug or "").strip().lower())
            .first()
        )
        if row is None:
            raise NotFound(f"no organization {org_slug!r} asked to take part in {sector}")
        before = row.status
        if before == status:
            return row
        row.status = status
        row.decided_at = timezone.now()
        row.decided_by = user if getattr(user, "pk", None) else None
        row.decided_by_name = who.name if row.decided_by is not None else ""
        row.save(update_fields=["status", "decided_at", "decided_by", "decided_by_name"])
        audit.append(
            row.organization,
            who,
            object_type=AUDIT_TYPE,
            object_id=sector,
            action=audit.Action.UPDATE,
            label=str(Sector(sector).label),
            changes={AUDIT_FIELD: [before, status]},
        )
    return row


def appoint(sector: str, email: str) -> SectorSteward:
    """Name the account with ``email`` steward of ``sector`` (the operator's command)."""
    sector = known_sector(sector)
    user = _account(email)
    with transaction.atomic():
        row, created = SectorSteward.objects.get_or_create(
            sector=sector, user=user, defaults={"appointed_at": timezone.now()}
        )
        if created:
            audit.append(
                None,
                audit.CLI,
                object_type="sector_steward",
                object_id=sector,
                action=audit.Action.CREATE,
                label=user.email,
                changes={"steward": [None, user.email]},
            )
    return row


def dismiss(sector: str, email: str) -> bool:
    """End ``email``'s stewardship of ``sector``; False when they were not its steward."""
    sector = known_sector(sector)
    user = _account(email)
    with transaction.atomic():
        deleted, _ = SectorSteward.objects.filter(sector=sector, user=user).delete()
        if deleted:
            audit.append(
                None,
                audit.CLI,
                object_type="sector_steward",
                object_id=sector,
                action=audit.Action.DELETE,
                label=user.email,
                changes={"steward": [user.email, None]},
            )
    return bool(deleted)


def stewards(sector: str | None = None) -> list[SectorSteward]:
    rows = SectorSteward.objects.select_related("user")
    if sector:
        rows = rows.filter(sector=known_sector(sector))
    return list(rows.order_by("sector", "user__email"))


def _account(email: str) -> Any:
    user = (
        get_user_model()
        .objects.filter(Q(email__iexact=(email or "").strip()))
        .order_by("pk")
        .first()
    )
    if user is None:
        raise NotFound(f"no account with the e-mail address {email!r}")
    return user
