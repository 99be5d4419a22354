"""Evidence for the bench's data set: N items per organization, linked and reviewed.

Each organization of the data set (bench/dataset.py) gets ``per_org`` items, drawn
from ``random.Random(seed)``: a kind, a written attestation as its one version
(files are the storage suite's business), a validity spread from a year ago to two
years ahead (so some are expired, some expiring, some without an end), and one to
three links to outcomes of the organization's first profile, most of them reviewed
(60 % accepted, 10 % insufficient, the rest waiting). Written with ``bulk_create``
in batches, as the app's own rows (the ORM's field preparation).
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any

PER_ORG = 50
KINDS = ("policy", "procedure", "plan", "record", "configuration", "training-record", "other")
REVIEWS = ("accepted",) * 6 + ("insufficient",) + ("pending",) * 3
BATCH = 5000


def add_evidence(
    per_org: int = PER_ORG, seed: int = 6, today: date | None = None
) -> dict[str, Any]:
    """Add the items to every organization; returns the row counts and the seconds taken."""
    from django.db import transaction

    from csfpilot.webapp.evidence import models as m
    from csfpilot.webapp.profiles.models import Profile, ProfileOutcome

    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or date.today()
    first_profile: dict[int, int] = {}
    for pk, org in (
        Profile.objects.filter(kind="organizational")
        .order_by("id")
        .values_list("pk", "organization_id")
    ):
        first_profile.setdefault(org, pk)
    outcomes: dict[int, list[tuple[int, str]]] = {}
    for pk, profile, code in ProfileOutcome.objects.filter(
        profile_id__in=list(first_profile.values()), included=True
    ).values_list("pk", "profile_id", "code"):
        outcomes.setdefault(profile, []).append((pk, code))
    items = versions = links = 0
    orgs = sorted(first_profile)
    for start in range(0, len(orgs), 100):
        with transaction.atomic():
            rows = []
            for org in orgs[start : start + 100]:
                for i in range(per_org):
                    ends = rng.random()
                    until = None if ends < 0.2 else today + timedelta(days=rng.randint(-365, 730))
                    rows.append(
                        m.EvidenceItem(
                            organization_id=org,
                            title=f"Evidence {i:02d}",
                            kind=rng.choice(KINDS),
                            form="attestation",
                            effective_from=today - timedelta(days=rng.randint(0, 700)),
                            valid_until=until,
                            expires_on=until,
                        )
                    )
            made = m.EvidenceItem.objects.bulk_create(rows, batch_size=BATCH)
            items += len(made)
            m.EvidenceVersion.objects.bulk_create(
                [
                    m.EvidenceVersion(item=row, number=1, statement="Kept as the team wrote it.")
                    for row in made
                ],
                batch_size=BATCH,
            )
            versions += len(made)
            link_rows = []
            for row in made:
                profile = first_profile[row.organization_id]
                for outcome, code in rng.sample(outcomes[profile], rng.randint(1, 3)):
                    link_rows.append(
                        m.EvidenceLink(
                            item=row,
                            outcome_id=outcome,
                            profile_id=profile,
                            code=code,
                            side="current",
                            review=rng.choice(REVIEWS),
                        )
                    )
            m.EvidenceLink.objects.bulk_create(link_rows, batch_size=BATCH)
            links += len(link_rows)
    return {
        "evidence_items": items,
        "evidence_versions": versions,
        "evidence_links": links,
        "seconds": round(time.perf_counter() - started, 2),
    }
