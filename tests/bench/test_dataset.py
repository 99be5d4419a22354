"""The benchmark's data set: the rows it promises, deterministic from its seed, and
content the app itself reads, scores and plans from without complaint."""

from __future__ import annotations

import json

import pytest
from bench.dataset import REVIEWS, content_digest, generate
from django.contrib.auth import get_user_model
from django.test import Client

from csfpilot.core.gaps import analyse_gaps
from csfpilot.core.scoring import score_profile
from csfpilot.webapp.demo import DEMO_ORGANIZATION
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.profiles import history, lookups
from csfpilot.webapp.profiles.models import Action, Profile, ProfileOutcome, Snapshot

ORGS = 5
pytestmark = pytest.mark.django_db


def _bulk_profiles() -> list[Profile]:
    return list(
        Profile.objects.exclude(organization__slug=DEMO_ORGANIZATION[1])
        .select_related("framework", "organization")
        .order_by("organization__slug")
    )


def _wipe() -> None:
    """Back to an empty database but for the catalogs, as the data set expects."""
    Organization.objects.all().delete()
    get_user_model().objects.all().delete()


def test_rows_of_every_kind():
    data = generate(ORGS, seed=11)
    assert data.organization.slug == DEMO_ORGANIZATION[1]
    assert data.profile.organization_id == data.organization.pk
    assert Organization.objects.count() == ORGS
    assert set(Organization.objects.values_list("sector", flat=True)) == {"energy"}

    bulk = _bulk_profiles()
    assert len(bulk) == ORGS - 1
    assert {p.scale for p in bulk} == {"status", "maturity"}
    for p in bulk:
        outcomes = ProfileOutcome.objects.filter(profile=p)
        assert outcomes.count() == 106
        assert outcomes.filter(current__isnull=False).exists()
        assert outcomes.exclude(current_practices="").exists()
        assert None not in (
            p.governance_current,
            p.governance_target,
            p.management_current,
            p.management_target,
        )
        assert p.governance_current_rationale and p.management_target_rationale
        assert 1 <= Action.objects.filter(profile=p).count() <= 8
        taken = list(Snapshot.objects.filter(profile=p).values_list("taken_at", flat=True))
        assert [t.date() for t in sorted(taken)] == list(REVIEWS)
    # Some outcomes left out with a reason, some not assessed, across the data set.
    excluded = ProfileOutcome.objects.filter(profile__in=bulk, included=False)
    assert excluded.exists() and "" not in excluded.values_list("rationale", flat=True)
    assert ProfileOutcome.objects.filter(
        profile__in=bulk, included=True, current__isnull=True
    ).exists()

    counted = {
        "organizations": ORGS,
        "profiles": Profile.objects.count(),
        "outcomes": ProfileOutcome.objects.count(),
        "actions": Action.objects.count(),
        "snapshots": Snapshot.objects.count(),
    }
    assert data.rows == counted


def test_the_app_scores_plans_and_reads_back_what_was_generated():
    generate(ORGS, seed=11)
    for row in _bulk_profiles():
        profile = lookups.domain_profile(row)
        framework = lookups.framework_of(row)
        scores = score_profile(profile, framework)
        assert scores.profile is not None
        # The plan holds the largest gaps first, in the product's order.
        planned = [a.outcomes[0] for a in Action.objects.filter(profile=row).order_by("position")]
        ranked = [g.outcome for g in analyse_gaps(profile, framework).with_gap()]
        assert planned == ranked[: len(planned)]
        snapshots, dated = history.dated_profiles(row)
        assert len(dated) == 2 and all(p.is_snapshot for p in dated)
        assert history.snapshot_trend(snapshots, dated, framework)

    # And over HTTP, as a member of the organization sees it.
    row = _bulk_profiles()[1]
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    api = f"/api/organizations/{row.organization.slug}/profiles/{row.pk}"
    for path in (f"{api}/scores", f"{api}/gaps", f"{api}/outcomes"):
        response = client.get(path)
        assert response.status_code == 200, path
    plan = client.get(f"/orgs/{row.organization.slug}/profiles/{row.pk}/plan/")
    assert plan.status_code == 200


def test_same_seed_same_content_another_seed_other_content():
    generate(ORGS, seed=11)
    first = content_digest()
    _wipe()
    generate(ORGS, seed=11)
    assert content_digest() == first
    _wipe()
    generate(ORGS, seed=12)
    assert content_digest() != first


def test_snapshot_documents_are_what_the_app_stores():
    generate(3, seed=11)
    for snap in Snapshot.objects.filter(profile__in=_bulk_profiles()):
        assert snap.digest == history.document_digest(snap.document)
        assert history.snapshot_profile(snap).snapshot is not None
        json.dumps(snap.document)
