"""Keeping the stored sector scores in step with the profiles, and choosing what counts.

The scores an organization contributes (:mod:`.models`) are recomputed from
its counted profile with the same roll-up every other screen uses
(:func:`csfpilot.core.scoring.score_profile`); only the aggregation over many
organizations is left to SQL (:mod:`.aggregates`).

Copies go stale when a profile changes. Every content change of a profile
moves its ``updated_at`` (the profile services touch it in the same
transaction as the change), so :func:`stale_organizations` finds them with one
query that compares each organization's counted profile and its
``updated_at`` with what the copy was taken from. The benchmark page refreshes
a handful of stale organizations before it aggregates; a larger number (after
a bulk import, say) is left to the recompute job, which goes through every
organization in batches.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from csfpilot.core.errors import InputRefused, NotFound
from csfpilot.core.profiles import OutcomeFramework, ProfileKind
from csfpilot.core.scoring import score_profile
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.catalog import models as catalog
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.organizations.sectors import Sector
from csfpilot.webapp.profiles import lookups, storage
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles.frameworks import outcome_framework
from csfpilot.webapp.sectors import stewardship
from csfpilot.webapp.sectors.models import (
    PROFILE_CODE,
    ContributedScore,
    Contribution,
    PrimaryProfile,
)

BENCHMARK_FRAMEWORK = "csf-2.0"
"""Only profiles on this release count: everyone's Functions must be the same ones."""

BENCHMARK_LEVEL = "function"
BATCH = 500  # organizations per transaction in a full recompute


def _framework_id() -> int | None:
    return (
        catalog.Framework.objects.filter(key=BENCHMARK_FRAMEWORK)
        .values_list("pk", flat=True)
        .first()
    )


def _counted_profile(framework_id: int | None) -> Coalesce:
    """SQL for an organization's counted profile id: designated, else latest Organizational."""
    latest = (
        pm.Profile.objects.filter(
            organization=OuterRef("pk"),
            kind=ProfileKind.ORGANIZATIONAL.value,
            framework_id=framework_id,
        )
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    # The designation is at most one row per organization: a join, not a subquery.
    return Coalesce(
        F("primary_profile__profile_id"), Subquery(latest), output_field=BigIntegerField()
    )


def counted_profile_id(organization: Organization) -> int | None:
    """The id of the profile that counts for ``organization`` in its sector, if any."""
    return (
        Organization.objects.filter(pk=organization.pk)
        .annotate(counted=_counted_profile(_framework_id()))
        .values_list("counted", flat=True)
        .first()
    )


def _stale(orgs: QuerySet[Organization]) -> QuerySet[Organization]:
    # One pass over the organizations: the stored contribution is joined (one row per
    # organization), the counted profile and its updated_at are two indexed look-ups.
    annotated = orgs.annotate(
        counted=_counted_profile(_framework_id()),
        stored=F("sector_contribution__profile_id"),
        stamp=F("sector_contribution__profile_updated_at"),
        stored_sector=F("sector_contribution__sector"),
    ).annotate(
        live_stamp=Subquery(pm.Profile.objects.filter(pk=OuterRef("counted")).values("updated_at"))
    )
    return annotated.filter(
        Q(counted__isnull=False, stored__isnull=True)
        | Q(counted__isnull=True, stored__isnull=False)
        | (Q(counted__isnull=False, stored__isnull=False) & ~Q(counted=F("stored")))
        | (Q(stamp__isnull=False, live_stamp__isnull=False) & ~Q(stamp=F("live_stamp")))
        | (Q(stored__isnull=False) & ~Q(stored_sector=F("sector")))
    )


def stale_organizations(
    sector: str | None = None, *, organization_ids: Sequence[int] | None = None
) -> list[int]:
    """Organizations whose stored scores no longer match their counted profile (one query).

    With ``sector`` (or ``organization_ids``), only those organizations are looked at.
    """
    orgs = Organization.objects.all()
    if sector is not None:
        orgs = orgs.filter(sector=sector)
    if organization_ids is not None:
        orgs = orgs.filter(pk__in=organization_ids)
    return list(_stale(orgs).order_by("pk").values_list("pk", flat=True))


_FUNCTION_FRAMEWORKS: dict[tuple[int, str], OutcomeFramework] = {}


def _functions_only(fw: catalog.Framework) -> OutcomeFramework:
    """The release's outcomes grouped by Function only, for scoring just what is stored.

    Every group's score is the mean over the outcomes beneath it (never over its
    children's means), so leaving the Categories out changes no Function score
    and saves three quarters of the roll-up when ten thousand profiles are scored.
    """
    key = (fw.pk, fw.content_digest)
    found = _FUNCTION_FRAMEWORKS.get(key)
    if found is None:
        full = outcome_framework(fw)
        functions = full.at_level(BENCHMARK_LEVEL)
        codes = {g.code for g in functions}
        parent_of = {}
        for outcome in full.outcomes:
            top = [a for a in full.ancestors(outcome) if a in codes]
            if top:
                parent_of[outcome] = top[0]
        found = OutcomeFramework(
            key=full.key,
            outcomes=full.outcomes,
            groups=tuple(replace(g, parent=None) for g in functions),
            parent_of=parent_of,
            texts=full.texts,
        )
        _FUNCTION_FRAMEWORKS[key] = found
    return found


def _percent(score: Fraction | None) -> float | None:
    # Unrounded, so that means and quartiles are exact to float precision.
    return None if score is None else float(score * 100)


def refresh(org_ids: Iterable[int]) -> int:
    """Recompute the stored scores of these organizations; returns how many now contribute.

    Five queries and one transaction for the whole batch, whatever its size
    (keep batches to a few hundred: every outcome row of every counted profile
    is read at once).
    """
    ids = sorted(set(org_ids))
    if not ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        orgs = list(
            Organization.objects.filter(pk__in=ids)
            .annotate(counted=_counted_profile(_framework_id()))
            .values_list("pk", "sector", "counted")
        )
        # Profile rows (with updated_at) are read before their outcomes: a save landing in
        # between leaves an older stamp on newer scores, which only causes one more refresh.
        profiles = {
            p.pk: p
            for p in pm.Profile.objects.filter(
                pk__in=[c for _, _, c in orgs if c is not None]
            ).select_related("framework")
        }
        ratings: dict[int, dict[str, tuple[bool, str, Any, Any]]] = defaultdict(dict)
        rows = pm.ProfileOutcome.objects.filter(profile_id__in=list(profiles)).values_list(
            "profile_id", "code", "included", "priority", "current", "target"
        )
        for profile_id, code, included, priority, current, target in rows:
            ratings[profile_id][code] = (included, priority, current, target)
        Contribution.objects.filter(organization_id__in=ids).delete()
        contributions: list[Contribution] = []
        scores: list[ContributedScore] = []
        for org_id, sector, counted in orgs:
            row = profiles.get(counted) if counted is not None else None
            if row is None:
                continue
            framework = _functions_only(row.framework)
            result = score_profile(
                storage.ratings_profile(row, ratings[row.pk], row.framework.key), framework
            )
            contributions.append(
                Contribution(
                    organization_id=org_id,
                    profile_id=row.pk,
                    sector=sector,
                    profile_updated_at=row.updated_at,
                    computed_at=now,
                )
            )
            for code, node in [
                (PROFILE_CODE, result.profile),
                *((g.code, g) for g in result.at_level(BENCHMARK_LEVEL)),
            ]:
                scores.append(
                    ContributedScore(
                        contribution_id=org_id,
                        sector=sector,
                        code=code,
                        current=_percent(node.current.score),
                        target=_percent(node.target.score),
                    )
                )
        Contribution.objects.bulk_create(contributions, batch_size=BATCH)
        ContributedScore.objects.bulk_create(scores, batch_size=2000)
    return len(contributions)


def recompute(
    sector: str | None = None,
    *,
    only_stale: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute every organization's stored scores (or one sector's), batch by batch.

    Each batch is its own transaction, so pages keep answering while it runs
    and ``progress(done, total)`` is told after each one. Returns the number
    of organizations that contribute afterwards.
    """
    if only_stale:
        ids = stale_organizations(sector)
    else:
        orgs = Organization.objects.order_by("pk")
        if sector is not None:
            orgs = orgs.filter(sector=sector)
        ids = list(orgs.values_list("pk", flat=True))
        if sector is not None:
            # Organizations that left the sector still hold rows under it.
            ids = sorted(
                set(ids)
                | set(
                    ContributedScore.objects.filter(sector=sector)
                    .values_list("contribution_id", flat=True)
                    .distinct()
                )
            )
    total = len(ids)
    contributing = 0
    if progress is not None:
        progress(0, total)
    for start in range(0, total, BATCH):
        batch: Sequence[int] = ids[start : start + BATCH]
        contributing += refresh(batch)
        if progress is not None:
            progress(min(start + BATCH, total), total)
    return contributing


# -- what owners change -----------------------------------------------------------------


def set_sector(access: Access, sector: str) -> Organization:
    """Put the organization in ``sector`` ("" for none); its stored scores move with it."""
    lookups.ensure(access, Permission.EDIT_SETTINGS)
    sector = (sector or "").strip()
    if sector and sector not in Sector.values:
        raise InputRefused(
            f"{sector!r} is not a sector (sectors: {', '.join(Sector.values)})", field="sector"
        )
    org = access.organization
    with transaction.atomic():
        before = Organization.objects.filter(pk=org.pk).values_list("sector", flat=True).first()
        Organization.objects.filter(pk=org.pk).update(sector=sector)
        # Choosing a sector asks to take part; the operator or the steward decides.
        asked = stewardship.ask(org, sector)
        Contribution.objects.filter(organization_id=org.pk).update(sector=sector)
        ContributedScore.objects.filter(contribution_id=org.pk).update(sector=sector)
        changes = audit.diff({"sector": before}, {"sector": sector})
        if changes and asked is not None:
            changes[stewardship.AUDIT_FIELD] = [None, asked.status]
        if changes:
            audit.record(
                access,
                "organization",
                org.slug,
                audit.Action.UPDATE,
                label=org.name,
                changes=changes,
            )
    org.sector = sector
    return org


def designate_profile(access: Access, profile_id: Any | None) -> int | None:
    """Choose the profile that counts in the sector benchmark (None: the latest, by default).

    Only an Organizational Profile on CSF 2.0 can count. Returns the counted
    profile's id afterwards; the stored scores are recomputed at once.
    """
    lookups.ensure(access, Permission.EDIT_SETTINGS)
    org = access.organization
    with transaction.atomic():
        before = designated_profile_id(org)
        if profile_id in (None, ""):
            PrimaryProfile.objects.filter(organization=org).delete()
        else:
            row = lookups.profile(access, profile_id)
            if row.kind != ProfileKind.ORGANIZATIONAL.value:
                raise InputRefused(
                    f"{row.name!r} is a Community Profile; only an Organizational Profile "
                    "counts in a sector benchmark",
                    field="profile",
                )
            if row.framework.key != BENCHMARK_FRAMEWORK:
                raise InputRefused(
                    f"{row.name!r} is written against {row.framework.key}; sector benchmarks "
                    f"compare {BENCHMARK_FRAMEWORK} profiles",
                    field="profile",
                )
            PrimaryProfile.objects.update_or_create(organization=org, defaults={"profile": row})
        changes = audit.diff(
            {"benchmark_profile": before}, {"benchmark_profile": designated_profile_id(org)}
        )
        if changes:
            audit.record(
                access,
                "organization",
                org.slug,
                audit.Action.UPDATE,
                label=org.name,
                changes=changes,
            )
        refresh([org.pk])
    return counted_profile_id(org)


def designated_profile_id(organization: Organization) -> int | None:
    return (
        PrimaryProfile.objects.filter(organization=organization)
        .values_list("profile_id", flat=True)
        .first()
    )


def require_sector(organization: Organization) -> str:
    if not organization.sector:
        raise NotFound(f"{organization.slug} has no sector; an owner can choose one")
    return organization.sector
