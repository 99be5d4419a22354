"""Reads of the evidence library: lists, one item, and each outcome's evidence state.

The state of every outcome of a profile (:func:`profile_states`) is read with
three queries whatever the profile's size: its outcomes' Current ratings, its
links with their items' validity, and the newest scan tallies. The dashboard's
coverage per Function and its counts are aggregated from those states.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from csfpilot.core.evidence import (
    EvidenceState,
    Freshness,
    LinkView,
    RequestState,
    ReviewState,
    claims_implementation,
    freshness,
    outcome_state,
)
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles import storage


def items(
    organization: Organization,
    *,
    text: str = "",
    kind: str = "",
    retired: bool = False,
) -> QuerySet[m.EvidenceItem]:
    """The library by title, with link counts.

    Ordered here: Django leaves a model's default ordering out of a grouped query.
    """
    qs = m.EvidenceItem.objects.filter(organization=organization, retired_at__isnull=not retired)
    for word in text.split()[:8]:
        qs = qs.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(source__icontains=word)
        )
    if kind:
        qs = qs.filter(kind=kind)
    return (
        qs.annotate(link_count=Count("links"))
        .select_related("owner")
        .order_by(Lower("title"), "id")
    )


def item_detail(organization: Organization, item_id: Any) -> m.EvidenceItem | None:
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        return None
    return (
        m.EvidenceItem.objects.filter(organization=organization, pk=pk)
        .select_related("owner", "created_by")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=m.EvidenceVersion.objects.select_related("stored_file", "created_by"),
            ),
            Prefetch(
                "links",
                queryset=m.EvidenceLink.objects.select_related("profile", "reviewed_by"),
            ),
        )
        .first()
    )


def item_freshness(row: m.EvidenceItem, today: date) -> Freshness:
    return freshness(effective_from=row.effective_from, until=row.expires_on, today=today)


def due(organization: Organization, *, days: int, today: date) -> list[m.EvidenceItem]:
    """Items that expire within ``days`` (and those already expired), soonest first."""
    return list(
        m.EvidenceItem.objects.filter(
            organization=organization,
            retired_at__isnull=True,
            expires_on__isnull=False,
            expires_on__lte=today + timedelta(days=days),
        )
        .select_related("owner")
        .order_by("expires_on", "id")
    )


def requests_for(
    organization: Organization, *, assignee_id: int | None = None, open_only: bool = False
) -> QuerySet[m.EvidenceRequest]:
    qs = m.EvidenceRequest.objects.filter(organization=organization)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if open_only:
        qs = qs.filter(state__in=[RequestState.OPEN, RequestState.REJECTED])
    return qs.select_related("assignee", "profile", "requested_by").prefetch_related("outcomes")


def request_state(row: m.EvidenceRequest, today: date) -> RequestState:
    if row.state == RequestState.OPEN and row.due < today:
        return RequestState.OVERDUE
    return RequestState(row.state)


@dataclass
class OutcomeEvidence:
    """One outcome's evidence as pages and reports show it."""

    code: str
    state: EvidenceState
    rated: bool = False  # a Current rating is given
    accepted: int = 0
    pending: int = 0
    expired: int = 0
    failing: int = 0
    serious: int = 0
    passing: int = 0


@dataclass
class Coverage:
    """A profile's evidence at a glance, for the dashboard."""

    states: dict[str, OutcomeEvidence]
    # Function id → (rated outcomes with accepted current evidence, rated outcomes).
    by_function: dict[str, tuple[int, int]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class EvidenceInputs:
    """What a profile's evidence states are worked out from, besides its ratings and the
    day: its links to live items (side, review, the item's validity) and the newest scan
    tallies per outcome. Equal inputs on the same day give equal states, so a page can
    keep what it drew from them (:meth:`digest` is part of its key)."""

    links: tuple[tuple[Any, ...], ...]
    tallies: tuple[tuple[str, tuple[int, int, int]], ...]

    def digest(self) -> str:
        return hashlib.sha256(repr((self.links, self.tallies)).encode()).hexdigest()


def evidence_inputs(profile: pm.Profile) -> EvidenceInputs:
    """The profile's evidence links and scan tallies (two queries)."""
    rows = m.EvidenceLink.objects.filter(
        profile=profile, item__retired_at__isnull=True
    ).values_list("code", "side", "review", "item__effective_from", "item__expires_on")
    return EvidenceInputs(
        # Sorted by text: an item without a validity date has None where another has a date.
        links=tuple(sorted((tuple(r) for r in rows), key=repr)),
        tallies=tuple(sorted(_latest_tallies(profile).items())),
    )


def profile_states(
    profile: pm.Profile,
    *,
    today: date,
    ratings: dict[str, Any] | None = None,
    inputs: EvidenceInputs | None = None,
) -> dict[str, OutcomeEvidence]:
    """Every included outcome's evidence state, keyed by outcome id.

    ``ratings`` ({outcome: Current level key or None} of the included outcomes), when the
    caller has them already (a page served from the answer cache), saves reading them;
    so do ``inputs`` (:func:`evidence_inputs`), the links and the tallies.
    """
    scale = storage.scale_of(profile)
    if ratings is None:
        ratings = current_ratings(profile)
    if inputs is None:
        inputs = evidence_inputs(profile)
    links: dict[str, list[LinkView]] = defaultdict(list)
    for code, side, review, start, end in inputs.links:
        expired = freshness(effective_from=start, until=end, today=today) in (
            Freshness.EXPIRED,
            Freshness.NOT_YET,
        )
        links[code].append(LinkView(ReviewState(review), expired, side))
    tallies = dict(inputs.tallies)
    states: dict[str, OutcomeEvidence] = {}
    for code, key in ratings.items():
        level = scale.get(key) if key is not None else None
        passed, failed, serious = tallies.get(code, (0, 0, 0))
        mine = links.get(code, [])
        states[code] = OutcomeEvidence(
            code=code,
            state=outcome_state(level.score if level else None, mine, serious),
            rated=key is not None,
            accepted=sum(
                1
                for v in mine
                if v.side == "current" and v.review is ReviewState.ACCEPTED and not v.expired
            ),
            pending=sum(1 for v in mine if v.review is ReviewState.PENDING),
            expired=sum(1 for v in mine if v.expired),
            failing=failed,
            serious=serious,
            passing=passed,
        )
    return states


def current_ratings(profile: pm.Profile) -> dict[str, Any]:
    """{outcome: Current level key, or None when not rated} of the included outcomes."""
    return dict(
        pm.ProfileOutcome.objects.filter(profile=profile, included=True).values_list(
            "code", "current"
        )
    )


def claimed_outcomes(profile: pm.Profile) -> set[str]:
    """The included outcomes whose Current rating claims implementation (see core.evidence)."""
    scale = storage.scale_of(profile)
    claimed = set()
    for code, key in (
        pm.ProfileOutcome.objects.filter(profile=profile, included=True)
        .exclude(current=None)
        .values_list("code", "current")
    ):
        level = scale.get(key)
        if level is not None and claims_implementation(level.score):
            claimed.add(code)
    return claimed


def _latest_tallies(profile: pm.Profile) -> dict[str, tuple[int, int, int]]:
    """(passed, failed, serious) per outcome over the newest import of every series."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = m.ScanOutcome.objects.filter(
        organization_id=profile.organization_id, latest=True
    ).filter(Q(scan__profile__isnull=True) | Q(scan__profile=profile))
    for code, passed, failed, serious in rows.values_list("code", "passed", "failed", "serious"):
        t = totals[code]
        t[0] += passed
        t[1] += failed
        t[2] += serious
    return {code: (t[0], t[1], t[2]) for code, t in totals.items()}


def coverage(
    profile: pm.Profile,
    *,
    today: date,
    top_level: Any = None,
    states: dict[str, OutcomeEvidence] | None = None,
) -> Coverage:
    """Coverage per Function and the dashboard's counts.

    ``top_level(code)`` names an outcome's Function (defaults to the part
    before the dot, which is CSF 2.0's layout). A page that has read
    :func:`profile_states` already passes them as ``states``.
    """
    if states is None:
        states = profile_states(profile, today=today)
    fn = top_level or (lambda code: code.split(".", 1)[0])
    by_function: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    counts: Counter[str] = Counter()
    for code, state in states.items():
        counts[state.state.value] += 1
        if state.rated:
            pair = by_function[fn(code)]
            pair[1] += 1
            if state.accepted:
                pair[0] += 1
    return Coverage(
        states=states,
        by_function={k: (v[0], v[1]) for k, v in by_function.items()},
        counts=counts,
    )


def expiring_counts(organization: Organization, *, today: date) -> dict[int, int]:
    """How many live items expire within 30 and within 90 days (expired ones excluded)."""
    soon = m.EvidenceItem.objects.filter(
        organization=organization,
        retired_at__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=90),
    ).aggregate(
        within_30=Count("pk", filter=Q(expires_on__lte=today + timedelta(days=30))),
        within_90=Count("pk"),
    )
    return {30: soon["within_30"], 90: soon["within_90"]}


def links_of_outcomes(profile: pm.Profile, codes: Iterable[str]) -> dict[str, list[m.EvidenceLink]]:
    found: dict[str, list[m.EvidenceLink]] = defaultdict(list)
    for row in (
        m.EvidenceLink.objects.filter(profile=profile, code__in=list(codes))
        .select_related("item", "reviewed_by")
        .order_by("code", "side", "item__title")
    ):
        found[row.code].append(row)
    return found


def request_list(
    organization: Organization,
    *,
    today: date,
    state: str = "",
    assignee_id: int | None = None,
) -> QuerySet[m.EvidenceRequest]:
    """Requests in one state (``overdue``: open and past due), oldest due first.

    Prefetches everything a listed request shows, so a page costs the same
    handful of queries whatever its length.
    """
    qs = requests_for(organization, assignee_id=assignee_id).prefetch_related("items")
    if state == RequestState.OVERDUE:
        return qs.filter(state=RequestState.OPEN, due__lt=today)
    if state == RequestState.OPEN:
        return qs.filter(state=RequestState.OPEN, due__gte=today)
    if state:
        return qs.filter(state=state)
    return qs


def library(
    organization: Organization,
    *,
    today: date,
    text: str = "",
    kind: str = "",
    retired: bool = False,
    expiring_within: int | None = None,
) -> QuerySet[m.EvidenceItem]:
    """:func:`items`, each with its ``latest`` version number, optionally only those whose
    validity ends within ``expiring_within`` days (expired ones excluded); one query."""
    qs = items(organization, text=text, kind=kind, retired=retired)
    if expiring_within is not None:
        qs = qs.filter(
            expires_on__gte=today, expires_on__lte=today + timedelta(days=expiring_within)
        )
    newest = m.EvidenceVersion.objects.filter(item=OuterRef("pk")).order_by("-number")
    return qs.annotate(latest=Subquery(newest.values("number")[:1]))


def versions_of(item: m.EvidenceItem) -> QuerySet[m.EvidenceVersion]:
    """An item's versions, newest first, with their stored files."""
    return m.EvidenceVersion.objects.filter(item=item).select_related("stored_file", "created_by")


def version_of(item: m.EvidenceItem, number: int) -> m.EvidenceVersion | None:
    return versions_of(item).select_related("item").filter(number=number).first()


def links_of_item(item: m.EvidenceItem) -> QuerySet[m.EvidenceLink]:
    return m.EvidenceLink.objects.filter(item=item).select_related("profile", "reviewed_by")


def link_detail(organization: Organization, link_id: Any) -> m.EvidenceLink | None:
    """One of the organization's links (another organization's id: None)."""
    try:
        pk = int(link_id)
    except (TypeError, ValueError):
        return None
    return (
        m.EvidenceLink.objects.filter(item__organization=organization, pk=pk)
        .select_related("profile", "reviewed_by")
        .first()
    )


def outcome_owners(organization: Organization, profile_id: int, codes: Iterable[str]) -> set[Any]:
    """Who the named outcomes of a profile are assigned to (None for an unassigned one)."""
    return set(
        pm.ProfileOutcome.objects.filter(
            profile__organization=organization, profile_id=profile_id, code__in=list(codes)
        ).values_list("owner_id", flat=True)
    )
