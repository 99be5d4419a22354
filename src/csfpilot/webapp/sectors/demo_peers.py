"""Generated peer organizations, so that the demo's sector benchmark shows numbers.

A sector benchmark shows a number only when at least ``CSFPILOT_SECTOR_MIN_ORGS``
organizations contribute to it, so a demo with one organization would only
ever show "not enough organizations". The demo therefore puts Example
Manufacturing Co. in the critical manufacturing sector beside a few generated
manufacturers: enough of them that every number shows, whatever the minimum.

They are plainly demo data: named "Demo peer manufacturer N (generated)", short
names ``demo-peer-NN``, no members (nobody signs in to them; they are seen only
through the sector's aggregates), and one Organizational Profile each whose
ratings are drawn around the demo company's own plan with a fixed seed per
peer and outcome, so every machine gets the same numbers.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.db.models import Q

from csfpilot.core.ids import CSF_2_0
from csfpilot.core.profiles import (
    STATUS,
    OutcomeEntry,
    OutcomeFramework,
    Priority,
    Profile,
    ProfileKind,
    Scope,
    ScopeType,
)
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.organizations.sectors import Sector
from csfpilot.webapp.profiles.demo_content import LEVELS, PLANS
from csfpilot.webapp.profiles.exchange import store_profile
from csfpilot.webapp.profiles.operator import operator_access
from csfpilot.webapp.sectors import services, stewardship
from csfpilot.webapp.sectors.models import MemberStatus
from csfpilot.webapp.sectors.queries import min_orgs

DEMO_SECTOR = Sector.CRITICAL_MANUFACTURING.value
PEERS = 8
"""How many peers at least; more when the instance asks for more organizations per number."""

SLUG = "demo-peer-{:02d}"
NAME = "Demo peer manufacturer {} (generated)"
_PRIORITIES = (Priority.HIGH, Priority.MEDIUM, Priority.LOW)


def peer_count() -> int:
    # The demo organization contributes too, so k peers already make k + 1.
    return max(PEERS, min_orgs())


def peer_profile(peer: int, framework: OutcomeFramework) -> Profile:
    """Peer ``peer``'s profile: every outcome rated near the demo company's plan."""
    # Each peer leans a little ahead of or behind the demo company as a whole.
    lean = (-1, 0, 1, 0, -1, 1, 0, 0)[peer % 8]
    outcomes = {}
    for code in framework.outcomes:
        plan = PLANS[framework.ancestors(code)[-1]]
        rng = random.Random(f"csfpilot-demo-peer-{peer}-{code}")  # noqa: S311 (fixed demo data)
        current = max(0, min(3, plan.current + lean + rng.choice((-1, 0, 0, 1))))
        target = max(current, min(3, plan.target + rng.choice((-1, 0, 0, 0))))
        rank = min(2, _PRIORITIES.index(plan.priority) + rng.choice((0, 0, 1)))
        outcomes[code] = OutcomeEntry(
            outcome=code,
            priority=_PRIORITIES[rank],
            current=STATUS.level(LEVELS[current]),
            target=STATUS.level(LEVELS[target]),
        )
    return Profile(
        name="Whole company — CSF 2.0",
        framework=framework.key,
        kind=ProfileKind.ORGANIZATIONAL,
        scope=Scope(ScopeType.ORGANIZATION, NAME.format(peer)),
        description="Generated for the demo's sector benchmark; not a real organization.",
        scale=STATUS,
        outcomes=outcomes,
    )


def ensure_peers(demo: Organization) -> list[int]:
    """Put ``demo`` in the demo sector and create the missing peers; returns the peers' ids.

    Leaves an organization already in a sector where it is, never touches a peer that
    exists, and computes the sector's stored scores so that the first look has them.
    """
    from csfpilot.webapp.catalog.models import Framework
    from csfpilot.webapp.profiles.frameworks import outcome_framework

    fw = Framework.objects.filter(key=CSF_2_0).first()
    if fw is None:
        return []
    framework = outcome_framework(fw)
    wanted = {SLUG.format(i): i for i in range(1, peer_count() + 1)}
    with transaction.atomic():
        Organization.objects.filter(pk=demo.pk, sector="").update(sector=DEMO_SECTOR)
        have = set(Organization.objects.filter(slug__in=wanted).values_list("slug", flat=True))
        for slug, i in wanted.items():
            if slug in have:
                continue
            Organization.objects.create(slug=slug, name=NAME.format(i), sector=DEMO_SECTOR)
            store_profile(operator_access(slug), peer_profile(i, framework))
        # The demo's sector is the operator's own: its organizations are approved members.
        for org in Organization.objects.filter(Q(slug__in=wanted) | Q(pk=demo.pk)):
            if org.sector == DEMO_SECTOR and stewardship.ask(org, DEMO_SECTOR) is not None:
                stewardship.decide(None, DEMO_SECTOR, org.slug, MemberStatus.APPROVED)
    ids = list(Organization.objects.filter(slug__in=wanted).values_list("pk", flat=True))
    services.refresh([demo.pk, *ids])
    return ids
