"""The Jobs page says plainly when no worker runs; a worker's sign of life."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from csfpilot.webapp.jobs import services as jobs
from csfpilot.webapp.jobs.beats import SILENT_AFTER, Heartbeat
from csfpilot.webapp.jobs.models import WorkerBeat
from csfpilot.webapp.sectors.jobs import recompute_sector
from tests.webapp.profiles_world import World

pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db


def client_for(world: World, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


# -- the Jobs page and the worker -------------------------------------------------------------


def _queue_job(world: World):
    return jobs.enqueue(
        recompute_sector,
        access=world.access("owner"),
        label="Recompute sector scores: energy",
        sector="energy",
        only_stale=True,
    )


def test_without_a_worker_the_jobs_page_says_so_and_how_to_start_one(world: World):
    job = _queue_job(world)
    c = client_for(world, "viewer")
    html = c.get("/orgs/acme/jobs/").content.decode()
    assert "No background worker is running." in html
    assert "<code>csfpilot worker</code>" in html and "<code>--no-worker</code>" in html
    assert "waiting for a worker" in html and "<progress" not in html
    detail = c.get(f"/orgs/acme/jobs/{job.pk}/").content.decode()
    assert "No background worker is running." in detail


def test_a_worker_that_gave_a_sign_of_life_lately_removes_the_notice(world: World):
    _queue_job(world)
    beat = Heartbeat("csfpilot-test")
    beat.beat()
    html = client_for(world, "viewer").get("/orgs/acme/jobs/").content.decode()
    assert "No background worker is running." not in html
    assert "<progress" in html
    # Silent for longer than SILENT_AFTER: gone again, and the page says when it was last seen.
    WorkerBeat.objects.update(seen_at=timezone.now() - SILENT_AFTER - timedelta(minutes=2))
    html = client_for(world, "viewer").get("/orgs/acme/jobs/").content.decode()
    assert "No background worker is running." in html
    assert "The last one gave a sign of life 3\xa0minutes ago." in html


def test_a_worker_announces_itself_and_leaves_no_row_when_it_stops():
    beat = Heartbeat("csfpilot-test-stop")
    beat.start()
    row = WorkerBeat.objects.get(worker_id="csfpilot-test-stop")
    assert row.started_at <= row.seen_at
    beat.stop()
    assert not WorkerBeat.objects.filter(worker_id="csfpilot-test-stop").exists()


def test_a_stopping_worker_removes_its_row_even_when_the_database_is_busy_at_first(
    monkeypatch: pytest.MonkeyPatch,
):
    from django.db import OperationalError
    from django.db.models import QuerySet

    beat = Heartbeat("csfpilot-test-busy")
    beat.start()
    real_delete, refused = QuerySet.delete, []

    def busy_twice(queryset):
        if queryset.model is WorkerBeat and len(refused) < 2:
            refused.append(1)
            raise OperationalError("database is locked")
        return real_delete(queryset)

    monkeypatch.setattr(QuerySet, "delete", busy_twice)
    monkeypatch.setattr("csfpilot.webapp.jobs.beats.REMOVE_RETRIES", (0.0, 0.0, 0.0))
    beat.stop()
    assert len(refused) == 2
    assert not WorkerBeat.objects.filter(worker_id="csfpilot-test-busy").exists()
