"""The demo organization's profiles: realistic, complete, deterministic and created once."""

from __future__ import annotations

import re
from datetime import date

import pytest

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION, ensure_demo
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.organizations.permissions import require
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import queries, services
from csfpilot.webapp.profiles.demo_content import (
    COMMUNITY_NAME,
    PROFILE_NAME,
    quarter_ends,
    seed,
)
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "ends"),
    [
        (date(2026, 11, 25), [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]),
        (date(2026, 10, 1), [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]),
        (date(2026, 9, 30), [date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30)]),
        (date(2027, 1, 15), [date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]),
    ],
)
def test_reviews_are_the_last_three_quarter_ends_before_today(today, ends):
    assert quarter_ends(today) == ends


def _demo():
    org = ensure_demo()
    assert org is not None and org.slug == DEMO_ORGANIZATION[1]
    access = require(org.memberships.get().user, org.slug, Permission.VIEW)
    return org, access


def test_the_demo_organization_has_a_full_profile_history_and_plan():
    _, access = _demo()
    summaries = {s.profile.name: s for s in queries.profile_list(access)}
    assert set(summaries) == {PROFILE_NAME, COMMUNITY_NAME}
    main = summaries[PROFILE_NAME]
    assert (main.current_percent, main.target_percent, main.gap.percent) == (36.79, 88.68, 51.89)
    assert (main.scores.included, main.scores.current.assessed) == (106, 106)
    assert (main.snapshot_count, main.open_actions, main.overdue_actions) == (3, 8, 3)
    community = summaries[COMMUNITY_NAME]
    assert (community.profile.kind, community.current_percent, community.target_percent) == (
        "community",
        None,
        88.68,
    )
    assert main.profile.based_on == COMMUNITY_NAME

    pid = main.profile.pk
    trend = queries.trend(access, pid)
    assert [p.scores.profile.current.percent for p in trend] == [12.16, 15.72, 31.13, 36.79]
    assert [p.scores.profile.current.assessed for p in trend] == [74, 106, 106, 106]
    labels = [s.label for s in queries.snapshots(access, pid)]
    assert [label.split()[0] for label in labels] in (
        ["Q1", "Q2", "Q3"],
        ["Q2", "Q3", "Q4"],
        ["Q3", "Q4", "Q1"],
        ["Q4", "Q1", "Q2"],
    )

    detail = queries.profile_detail(access, pid)
    rows = [o.row for o in detail.outcomes]
    assert len({r.current for r in rows}) == 4  # not, partially, largely, fully
    assert {r.priority for r in rows} == {"high", "medium", "low"}
    assert {r.owner_name for r in rows} == {
        "demo@example.com",
        "CISO",
        "Head of Communications",
        "Head of HR",
        "IT Operations Manager",
        "Network Engineer",
        "Procurement Manager",
        "Security Analyst",
    }
    assert all(r.rationale and r.current_practices and r.target_practices for r in rows)
    # The demo's evidence is its library (tests/webapp/evidence/test_evidence_demo.py),
    # not text lines.
    assert not any(r.current_evidence or r.target_evidence for r in rows)
    assigned = [r.code for r in rows if r.owner_id is not None]
    assert len(assigned) == 19 and assigned[0] == "GV.OC-01"
    tiers = detail.domain.tiers
    assert (int(tiers.governance.current), int(tiers.governance.target)) == (2, 3)
    assert tiers.governance.current_rationale and tiers.management.target_rationale

    plan = queries.action_plan(access, pid)
    assert plan.counts == {"open": 4, "in-progress": 4, "done": 3, "risk-accepted": 1}
    assert [v.action.code for v in plan.actions if v.overdue] == ["A-003", "A-005", "A-008"]
    assert all(v.action.owner_name and v.action.due for v in plan.actions)
    assert plan.actions[4].action.controls == ["AC-7", "AC-12", "IA-2", "IA-3", "IA-5", "IA-7"]
    assert len(plan.candidates) > 50  # the rest of the gaps, for "generate"


def test_ensure_demo_is_idempotent_and_never_brings_back_a_changed_profile():
    org, access = _demo()
    before = {p.pk: p.version for p in m.Profile.objects.filter(organization=org)}
    outcomes = m.ProfileOutcome.objects.filter(profile__organization=org).count()
    assert ensure_demo() == org
    assert {p.pk: p.version for p in m.Profile.objects.filter(organization=org)} == before
    assert m.ProfileOutcome.objects.filter(profile__organization=org).count() == outcomes == 212
    assert m.Snapshot.objects.filter(profile__organization=org).count() == 3
    community = m.Profile.objects.get(organization=org, name=COMMUNITY_NAME)
    services.delete_profile(access, community.pk)
    ensure_demo()
    assert not m.Profile.objects.filter(organization=org, name=COMMUNITY_NAME).exists()


def test_the_demo_content_is_the_same_every_time(world: World):
    """Seeded twice on the same day, the two organizations export the same files."""
    seed(world.access("owner"), date(2026, 11, 25))
    seed(world.other_access(), date(2026, 11, 25))
    texts = []
    for access in (world.access("owner"), world.other_access()):
        row = m.Profile.objects.get(organization=access.organization, name=PROFILE_NAME)
        text = services.export_profile_file(access, row.pk, "json")
        # Evidence items are cited by their id in each organization's own library.
        text = re.sub(r'"id": \d+', '"id": N', text)
        texts.append(text.replace(access.user.email, "LEAD"))
    assert texts[0] == texts[1]
    snapshots = m.Snapshot.objects.filter(profile__organization=world.org).order_by("taken_at")
    assert [(s.taken_at.isoformat(), s.label) for s in snapshots] == [
        ("2026-03-31T17:00:00+00:00", "Q1 2026 review"),
        ("2026-06-30T17:00:00+00:00", "Q2 2026 review"),
        ("2026-09-30T17:00:00+00:00", "Q3 2026 review"),
    ]


def test_no_demo_profiles_on_an_instance_with_real_accounts(world: World):
    assert ensure_demo() is None
    assert not Organization.objects.filter(slug=DEMO_ORGANIZATION[1]).exists()
    assert DEMO_LOGIN[0] == "demo@example.com"


def test_the_demo_account_is_never_created_in_production(settings):
    from django.contrib.auth import get_user_model

    from csfpilot.webapp.demo import DemoRefused

    settings.CSFPILOT_ENV = "production"
    with pytest.raises(DemoRefused, match="CSFPILOT_ENV=production"):
        ensure_demo()
    assert not get_user_model().objects.filter(email=DEMO_LOGIN[0]).exists()
    assert not Organization.objects.filter(slug=DEMO_ORGANIZATION[1]).exists()
