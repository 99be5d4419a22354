"""Proposals made by the mapping assistant itself for a framework of one's own, stored for
review: one entry per requirement, best first, scores in 0–1, each with its reasons."""

from __future__ import annotations

import pytest

from csfpilot.webapp.jobs.models import Job
from csfpilot.webapp.mapping import models as m
from csfpilot.webapp.mapping import queries, services
from tests.webapp.crosswalk_review.world import KEY, load_supplier_framework
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    load_supplier_framework()
    return build_world()


def test_a_small_framework_gets_its_proposals_on_the_request(world):
    access = world.access("assessor")
    project = services.create_project(access, name="Suppliers", source_key=KEY, method="lexical")
    project = services.request_proposals(access, project.pk)
    assert project.run_state == m.RunState.READY and project.job_id is None
    rows, _texts, _page, _pages = queries.review_page(project)
    assert [r.requirement.code for r in rows] == ["S-1", "S-2", "S-3", "S-4", "S-5"]
    for row in rows:
        assert 1 <= len(row.pairs) <= 5
        assert [p.rank for p in row.pairs] == list(range(1, len(row.pairs) + 1))
        scores = [p.score for p in row.pairs]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= s <= 1 for s in scores)
        assert all(p.state == "proposed" for p in row.pairs)
    backup = rows[0]
    # The backup requirement finds CSF's backup outcome among its proposals, for shared terms.
    assert "PR.DS-11" in [p.target_code for p in backup.pairs]
    best = next(p for p in backup.pairs if p.target_code == "PR.DS-11")
    assert any(r["kind"] == "terms" and "backup" in r["detail"] for r in best.reasons)


def test_a_large_framework_is_a_background_job(world, settings):
    settings.CSFPILOT_MAPPING_INLINE_LIMIT = 2
    access = world.access("owner")
    project = services.create_project(access, name="Suppliers", source_key=KEY, method="lexical")
    project = services.request_proposals(access, project.pk)
    assert project.run_state == m.RunState.QUEUED
    job = Job.objects.get(pk=project.job_id)
    assert job.organization == world.org and job.arguments == {"project_id": project.pk}
    # Asking again while it is queued is the same job.
    assert services.request_proposals(access, project.pk).job_id == job.pk
    from csfpilot.webapp.jobs import services as jobs

    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    project.refresh_from_db()
    assert project.run_state == m.RunState.READY
    assert queries.state_counts(project)["proposed"] == job.result["pairs"] > 0


def test_a_job_that_ended_without_proposals_does_not_block_the_next_request(world, settings):
    settings.CSFPILOT_MAPPING_INLINE_LIMIT = 2
    access = world.access("owner")
    project = services.create_project(access, name="Suppliers", source_key=KEY, method="lexical")
    first = services.request_proposals(access, project.pk).job_id
    # The job failed before it could say so on the project (its member lost the role, say).
    Job.objects.filter(pk=first).update(status="failed", error="gone")
    again = services.request_proposals(access, project.pk)
    assert again.run_state == m.RunState.QUEUED and again.job_id != first
