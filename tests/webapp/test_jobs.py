"""Background jobs: enqueue, the worker loop run in-process, results, retries, failures,
progress on the page and the API, and tenant scoping.

The worker is django-tasks-db's own loop (``csfpilot.webapp.jobs.worker``) in burst
mode. Inside the test's transaction it must not close the database connection
between tasks (that is what it does to drop stale connections in production),
so that one call is replaced for these tests; everything else runs as is.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult

from csfpilot.webapp.jobs import services
from csfpilot.webapp.jobs.models import Job, JobStatus
from csfpilot.webapp.jobs.profile_import import import_profile
from csfpilot.webapp.jobs.registry import job_function
from csfpilot.webapp.jobs.worker import run_worker
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.organizations.permissions import PermissionMissing
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import exchange
from csfpilot.webapp.profiles.models import Profile, ProfileOutcome
from csfpilot.webapp.sectors.jobs import recompute_sector
from csfpilot.webapp.sectors.models import ContributedScore
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db

PROFILE = """format_version: 1
framework: csf-2.0
name: Plant 2
scale: status
outcomes:
  GV.OC-01: {current: fully, target: fully}
  PR.AA-03: {current: not, target: largely}
"""


@pytest.fixture(autouse=True)
def _in_process_worker(monkeypatch, settings):
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.CSFPILOT_JOB_RETRY_SECONDS = 0


@pytest.fixture
def world():
    w = build_world()
    Organization.objects.filter(pk=w.org.pk).update(sector="energy")
    w.org.refresh_from_db()
    return w


def work(events=None) -> None:
    run_worker(burst=True, interval=0, on_event=events.append if events is not None else None)


# Test-only job functions: registered like real ones, so the worker runs them.
ATTEMPTS: dict[str, int] = {}
SEEN_MID_RUN: list = []


@job_function(max_attempts=3)
def flaky(run, *, fail_times: int) -> dict:
    ATTEMPTS["flaky"] = ATTEMPTS.get("flaky", 0) + 1
    if ATTEMPTS["flaky"] <= fail_times:
        raise ConnectionError(f"database went away (attempt {ATTEMPTS['flaky']})")
    return {"attempts": ATTEMPTS["flaky"]}


@job_function(max_attempts=2)
def broken(run) -> None:
    raise RuntimeError("boom")


@job_function(permission=Permission.VIEW)
def counting(run, *, steps: int) -> int:
    client = SEEN_MID_RUN[0]
    for i in range(steps):
        run.progress(i, steps, f"step {i + 1}")
        if i == 2:  # look at the job from outside while it is half done
            org = run.access.organization.slug
            SEEN_MID_RUN.append(client.get(f"/api/organizations/{org}/jobs/{run.job.pk}").json())
            SEEN_MID_RUN.append(client.get(f"/orgs/{org}/jobs/").content.decode())
    return steps


def test_a_recompute_job_runs_and_stores_its_result(world):
    owner = world.access("owner")
    profile = world.profile()
    ProfileOutcome.objects.filter(profile=profile, code__startswith="GV").update(current="fully")
    job = services.enqueue(recompute_sector, access=owner, label="Recompute")
    assert job.status == JobStatus.QUEUED
    assert DBTaskResult.objects.filter(id=job.task_id).exists()  # queued in the same database
    events = []
    work(events)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"sector": "energy", "organizations": 1, "contributing": 1}
    assert (job.progress_done, job.progress_total, job.attempts) == (1, 1, 1)
    assert job.started_at is not None and job.finished_at is not None
    assert ContributedScore.objects.get(contribution_id=world.org.pk, code="GV").current == 100.0
    assert [(e.kind, e.job_id, e.status) for e in events] == [
        ("started", job.pk, "queued"),  # told before the attempt begins
        ("finished", job.pk, "succeeded"),
    ]


def test_a_failing_attempt_is_retried_until_it_succeeds(world):
    ATTEMPTS.clear()
    job = services.enqueue(flaky, access=world.access("owner"), label="Flaky", fail_times=2)
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.attempts, job.result) == (3, {"attempts": 3})
    assert job.error == ""


def test_a_job_that_keeps_failing_records_the_error_after_max_attempts(world):
    job = services.enqueue(broken, access=world.access("owner"), label="Broken")
    events = []
    work(events)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.FAILED, 2, "RuntimeError: boom")
    assert [e.status for e in events if e.kind == "finished"] == ["retrying", "failed"]
    # The task framework keeps the traceback of the last attempt for the operator.
    last = DBTaskResult.objects.get(id=job.task_id)
    assert last.status == "FAILED" and "RuntimeError: boom" in last.traceback


def test_a_retry_waits_for_its_delay(world, settings):
    settings.CSFPILOT_JOB_RETRY_SECONDS = 3600
    job = services.enqueue(broken, access=world.access("owner"), label="Broken")
    work()
    job.refresh_from_db()
    # One attempt ran; the next one is due in an hour, so the burst worker left it.
    assert (job.status, job.attempts) == (JobStatus.RETRYING, 1)
    assert job.error == "Attempt 1 of 2: RuntimeError: boom"
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"


def test_background_import_stores_the_profile_and_refreshes_the_sector_scores(world):
    assessor = world.access("assessor")
    job = services.enqueue(
        import_profile,
        access=assessor,
        label="Import plant2.yaml",
        upload=PROFILE.encode(),
        upload_name="plant2.yaml",
    )
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    profile = Profile.objects.get(organization=world.org, name="Plant 2")
    assert job.result == {
        "profile_id": profile.pk,
        "profile": "Plant 2",
        "created": True,
        "warnings": [],
    }
    assert ProfileOutcome.objects.get(profile=profile, code="GV.OC-01").current == "fully"
    assert ContributedScore.objects.filter(contribution_id=world.org.pk).count() == 7


def test_a_refused_file_fails_at_once_with_the_readers_message(world):
    bad = PROFILE.replace("GV.OC-01: {current: fully", "GV.OC-01: {current: superb")
    job = services.enqueue(
        import_profile,
        access=world.access("owner"),
        label="Import bad.yaml",
        upload=bad.encode(),
        upload_name="bad.yaml",
    )
    work()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)  # no retry: same file, same answer
    assert "bad.yaml" in job.error and "GV.OC-01" in job.error and "superb" in job.error
    assert not Profile.objects.filter(organization=world.org, name="Plant 2").exists()


def test_permissions_are_asked_when_enqueued_and_again_when_run(world):
    with pytest.raises(PermissionMissing):
        services.enqueue(import_profile, access=world.access("viewer"), label="x", upload=b"")
    job = services.enqueue(
        import_profile,
        access=world.access("assessor"),
        label="Import",
        upload=PROFILE.encode(),
        upload_name="p.yaml",
    )
    # Demoted before the worker got to it: the job runs with the current role, and fails.
    world.org.memberships.filter(user=world.users["assessor"]).update(role="viewer")
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "profiles.edit" in job.error
    assert not Profile.objects.filter(organization=world.org, name="Plant 2").exists()


def test_progress_is_visible_on_the_page_and_the_api_while_the_job_runs(world, client: Client):
    client.force_login(world.users["viewer"])
    SEEN_MID_RUN.clear()
    SEEN_MID_RUN.append(client)
    job = services.enqueue(counting, access=world.access("viewer"), label="Counting", steps=5)
    work()
    _, api, page = SEEN_MID_RUN
    assert (api["status"], api["progress_done"], api["progress_total"], api["percent"]) == (
        "running",
        2,
        5,
        40,
    )
    assert api["progress_note"] == "step 3"
    assert 'hx-trigger="every 2s"' in page  # the list keeps polling while a job runs
    assert 'value="40"' in page and "step 3" in page
    done = client.get(f"/api/organizations/acme/jobs/{job.pk}").json()
    assert (done["status"], done["percent"], done["result"]) == ("succeeded", 100, 5)
    finished_page = client.get("/orgs/acme/jobs/").content.decode()
    assert "hx-trigger" not in finished_page  # nothing active: polling stops


def test_jobs_are_tenant_scoped(world, client: Client):
    job = services.enqueue(recompute_sector, access=world.access("owner"), label="Recompute")
    client.force_login(world.outsider)
    assert client.get(f"/orgs/acme/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/api/organizations/acme/jobs/{job.pk}").status_code == 404
    assert client.get(f"/orgs/globex/jobs/{job.pk}/").status_code == 404  # not globex's job
    assert client.get(f"/api/organizations/globex/jobs/{job.pk}").status_code == 404
    assert client.get("/api/organizations/globex/jobs").json() == []
    client.force_login(world.users["viewer"])
    listed = client.get("/api/organizations/acme/jobs").json()
    assert [j["id"] for j in listed] == [job.pk]
    assert listed[0]["created_by"] == "owner@acme.test"
    assert client.get(f"/orgs/acme/jobs/{job.pk}/").status_code == 200
    upload = SimpleUploadedFile("p.yaml", PROFILE.encode(), content_type="application/yaml")
    assert client.post("/orgs/acme/jobs/import/", {"file": upload}).status_code == 403
    assert client.post("/api/organizations/acme/jobs/sector-recompute").status_code == 403


def test_import_through_the_page_and_the_api(world, client: Client):
    client.force_login(world.users["assessor"])
    upload = SimpleUploadedFile("plant2.yaml", PROFILE.encode(), content_type="application/yaml")
    response = client.post("/orgs/acme/jobs/import/", {"file": upload, "name": "From page"})
    assert response.status_code == 302
    job = Job.objects.get(organization=world.org)
    assert response["Location"] == f"/orgs/acme/jobs/{job.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "Queued" in detail and 'hx-trigger="every 2s"' in detail
    upload = SimpleUploadedFile("again.yaml", PROFILE.encode(), content_type="application/yaml")
    api = client.post(
        "/api/organizations/acme/jobs/profile-import", {"file": upload, "name": "From API"}
    )
    assert api.status_code == 202
    assert api.json()["status"] == "queued"
    work()
    names = set(Profile.objects.filter(organization=world.org).values_list("name", flat=True))
    assert {"From page", "From API"} <= names
    detail = client.get(f"/orgs/acme/jobs/{job.pk}/").content.decode()
    assert "Stored as the profile From page" in detail and "hx-trigger" not in detail
    # The same file again without "replace": refused, and the page says why.
    again = SimpleUploadedFile("plant2.yaml", PROFILE.encode(), content_type="application/yaml")
    client.post("/orgs/acme/jobs/import/", {"file": again, "name": "From page"})
    work()
    failed = Job.objects.filter(organization=world.org).order_by("-id").first()
    assert failed.status == JobStatus.FAILED
    page = client.get(f"/orgs/acme/jobs/{failed.pk}/").content.decode()
    assert "The job failed:" in page and "From page" in page


def test_enqueue_once_does_not_queue_the_same_work_twice(world):
    first = services.enqueue_once(recompute_sector, label="a", dedupe_key="sector:energy")
    second = services.enqueue_once(recompute_sector, label="b", dedupe_key="sector:energy")
    assert first.pk == second.pk
    work()
    third = services.enqueue_once(recompute_sector, label="c", dedupe_key="sector:energy")
    assert third.pk != first.pk


def test_unregistered_functions_never_run(world):
    job = services.enqueue(recompute_sector, access=world.access("owner"), label="x")
    Job.objects.filter(pk=job.pk).update(function="os.system")
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "os.system is not a registered job function"


def test_export_of_an_imported_profile_round_trips(world):
    # The background import is the same import as the page's: exporting gives the file back.
    job = services.enqueue(
        import_profile,
        access=world.access("owner"),
        label="Import",
        upload=PROFILE.encode(),
        upload_name="plant2.yaml",
    )
    work()
    job.refresh_from_db()
    text = exchange.export_profile_file(world.access("owner"), job.result["profile_id"], "yaml")
    assert "GV.OC-01" in text and "Plant 2" in text


def _left_running(job: Job, *, attempts: int, silent_for: float) -> None:
    """What a worker killed in the middle of an attempt leaves behind."""
    from datetime import timedelta

    from django.utils import timezone

    last_sign = timezone.now() - timedelta(seconds=silent_for)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=attempts, started_at=last_sign, heartbeat_at=last_sign
    )
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")


def test_a_job_whose_worker_died_is_tried_again_by_the_next_worker(world, settings):
    settings.CSFPILOT_JOB_STALL_SECONDS = 600
    ATTEMPTS.clear()
    job = services.enqueue(flaky, access=world.access("owner"), label="Flaky", fail_times=0)
    _left_running(job, attempts=1, silent_for=1200)
    dead_task = job.task_id
    events = []
    work(events)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (JobStatus.SUCCEEDED, 2, {"attempts": 1})
    # The dead worker's task is closed in the task framework too, saying why.
    lost = DBTaskResult.objects.get(id=dead_task)
    assert lost.status == "FAILED" and lost.exception_class_path.endswith(".WorkerLost")
    assert job.task_id != dead_task
    recovered = [e for e in events if e.kind == "recovered"]
    assert [(e.job_id, e.status) for e in recovered] == [(job.pk, "retrying")]
    assert recovered[0].error == (
        "Attempt 1 of 3: the worker stopped during it (no sign of life for 20 min)"
    )


def test_a_dead_workers_job_on_its_last_attempt_fails_saying_why(world, settings):
    settings.CSFPILOT_JOB_STALL_SECONDS = 600
    job = services.enqueue(broken, access=world.access("owner"), label="Broken")
    _left_running(job, attempts=2, silent_for=700)
    dealt = services.recover_stalled()
    job.refresh_from_db()
    assert [j.pk for j in dealt] == [job.pk]
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.error == "Attempt 2 of 2: the worker stopped during it (no sign of life for 12 min)"
    assert services.recover_stalled() == []  # dealt with once


def test_a_running_job_that_reports_progress_is_left_alone(world, settings):
    settings.CSFPILOT_JOB_STALL_SECONDS = 600
    quiet = services.enqueue(recompute_sector, access=world.access("owner"), label="Quiet")
    _left_running(quiet, attempts=1, silent_for=300)
    busy = services.enqueue(recompute_sector, access=world.access("owner"), label="Busy")
    _left_running(busy, attempts=1, silent_for=3600)
    busy.refresh_from_db()
    from csfpilot.webapp.jobs.runs import JobRun

    JobRun(busy, world.access("owner")).progress(1, 10, "still going")
    assert services.recover_stalled() == []
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.RUNNING}


def test_ended_jobs_are_pruned_with_their_task_records_and_active_ones_stay(world):
    from datetime import timedelta

    from django.utils import timezone

    owner = world.access("owner")
    done = services.enqueue(
        import_profile, access=owner, label="Import", upload=PROFILE.encode(), upload_name="p.yaml"
    )
    failed = services.enqueue(broken, access=owner, label="Broken")
    work()
    done.refresh_from_db()
    failed.refresh_from_db()
    assert (done.status, failed.status) == (JobStatus.SUCCEEDED, JobStatus.FAILED)
    # The upload was read for the last time; only its name stays on record.
    assert (done.upload, done.upload_name) == (None, "p.yaml")
    waiting = services.enqueue(recompute_sector, access=owner, label="Still queued")
    Job.objects.update(created_at=timezone.now() - timedelta(days=90))
    assert DBTaskResult.objects.count() == 4  # two attempts of the broken job

    later = timezone.now() + timedelta(days=10)
    assert services.prune_finished(timedelta(days=30), later) == 0  # ended 10 days "ago"
    assert services.prune_finished(timedelta(days=5), later) == 2
    assert list(Job.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [
        DBTaskResult.objects.get(id=waiting.task_id).id
    ]


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_a_signed_checkpoint_of_the_audit_chains(world, settings, tmp_path):
    from django.db import transaction

    from csfpilot.webapp.audit import checkpoints
    from csfpilot.webapp.audit import services as audit
    from csfpilot.webapp.audit.models import AuditEvent

    settings.CSFPILOT_AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    settings.CSFPILOT_AUDIT_CHECKPOINT_MINUTES = 60
    with transaction.atomic():
        for n in range(2):
            audit.append(world.org, audit.SYSTEM, object_type="test", object_id=n, action="update")
    work()
    read = checkpoints.read(settings.CSFPILOT_AUDIT_CHECKPOINT_FILE, settings.AUDIT_KEY)
    head = AuditEvent.objects.filter(organization=world.org).order_by("-seq").first()
    assert read.problems == []
    assert (read.latest[world.org.slug].seq, read.latest[world.org.slug].head) == (
        head.seq,
        head.hash,
    )
    settings.CSFPILOT_AUDIT_CHECKPOINT_MINUTES = 0
    (tmp_path / "checkpoints.jsonl").unlink()
    work()
    assert not (tmp_path / "checkpoints.jsonl").exists()


def test_asking_for_a_sector_recompute_again_answers_with_the_queued_job(world, client: Client):
    # Issue #14, item 10: every POST used to queue another full recompute of the sector.
    client.force_login(world.users["owner"])
    url = "/api/organizations/acme/jobs/sector-recompute"
    first = client.post(url)
    again = [client.post(url) for _ in range(3)]
    assert first.status_code == 202
    assert {a.status_code for a in again} == {202}
    assert {a.json()["id"] for a in again} == {first.json()["id"]}
    assert Job.objects.filter(organization=world.org).count() == 1
    work()
    # Once it has ended, the next request queues a new one.
    later = client.post(url)
    assert later.status_code == 202 and later.json()["id"] != first.json()["id"]


def test_the_database_holds_one_active_job_per_dedupe_key(world):
    from django.db import IntegrityError, transaction

    first = services.enqueue(recompute_sector, label="a", dedupe_key="sector:energy")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(function=first.function, label="b", dedupe_key="sector:energy")
    # Ended jobs and jobs without a key are not held to it.
    Job.objects.filter(pk=first.pk).update(status=JobStatus.SUCCEEDED)
    Job.objects.create(function=first.function, label="c", dedupe_key="sector:energy")
    Job.objects.create(function=first.function, label="d")
    Job.objects.create(function=first.function, label="e")
