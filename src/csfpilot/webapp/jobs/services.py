"""Enqueue a job, and run one attempt of it (what the worker calls).

:func:`enqueue` is the one way to start background work: it stores a
:class:`~csfpilot.webapp.jobs.models.Job` and the task framework's task in the
same transaction (both live in the database), so a job exists exactly when its
task does. :func:`execute` runs one attempt and records the outcome:

- success: status ``succeeded``, the function's return value as ``result``;
- refused input, a missing object or a refused permission: ``failed`` at once
  with the message (trying again would give the same answer);
- any other error: the attempt is counted and the job waits to be tried again
  (after ``CSFPILOT_JOB_RETRY_SECONDS`` × the attempt number) until
  ``max_attempts`` is reached; then ``failed`` with the last error;
- the worker died during it (killed, out of memory, machine restarted): found by
  :func:`recover_stalled` once it has been silent for ``CSFPILOT_JOB_STALL_SECONDS``,
  and tried again or failed the same way.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from csfpilot.core.errors import ConflictError, CsfpilotError, InputRefused, NotFound
from csfpilot.webapp.jobs.models import ACTIVE, Job, JobStatus
from csfpilot.webapp.jobs.registry import JobCallable, JobFunction, registered, resolve
from csfpilot.webapp.jobs.runs import JobRun
from csfpilot.webapp.organizations.permissions import Access, PermissionMissing, require
from csfpilot.webapp.organizations.roles import Permission

logger = logging.getLogger(__name__)

# Errors that another attempt would only repeat: the job fails at once with the message.
PERMANENT: tuple[type[BaseException], ...] = (
    InputRefused,
    NotFound,
    ConflictError,
    PermissionDenied,
    Http404,
)


def enqueue(
    func: JobCallable,
    *,
    label: str,
    access: Access | None = None,
    upload: bytes | None = None,
    upload_name: str = "",
    dedupe_key: str = "",
    max_attempts: int | None = None,
    **arguments: Any,
) -> Job:
    """Queue ``func`` (a registered job function) to run with ``arguments``; returns the job.

    ``access`` makes it the organization's job, visible to its members and run
    with the enqueuer's permissions, checked now and again when it runs. An
    access without a user (the command line's operator access) or no access
    at all (instance-wide work) runs as the instance's operator.
    """
    spec = registered(func)
    if access is not None and spec.permission is not None and not access.can(spec.permission):
        raise PermissionMissing(spec.permission, access.role.value)
    operator = access is None or access.membership.user_id is None
    with transaction.atomic():
        job = Job.objects.create(
            organization=access.organization if access is not None else None,
            function=spec.path,
            label=label[:300],
            arguments=arguments,
            upload=upload,
            upload_name=upload_name[:255],
            dedupe_key=dedupe_key[:200],
            max_attempts=max_attempts or spec.max_attempts,
            created_by_id=None if operator else access.membership.user_id,  # type: ignore[union-attr]
            by_operator=operator,
        )
        _submit(job)
    return job


def enqueue_once(func: JobCallable, *, dedupe_key: str, **kwargs: Any) -> Job:
    """:func:`enqueue`, unless a job with the same ``dedupe_key`` is still queued or running.

    Then that job is the answer. Two callers at once cannot both queue one: the
    database allows one active job per key, and the one whose insert is refused
    answers with the other's job.
    """
    if not dedupe_key:
        return enqueue(func, **kwargs)
    key = dedupe_key[:200]
    active = Job.objects.filter(dedupe_key=key, status__in=ACTIVE).order_by("-id")
    for _ in range(3):
        found = active.first()
        if found is not None:
            return found
        try:
            return enqueue(func, dedupe_key=key, **kwargs)
        except IntegrityError:
            # Queued by someone else between the look and the insert (the insert ran in
            # its own savepoint, so nothing of it is left); their job is the answer. The
            # look may also miss because that job just ended: then try again.
            continue
    raise ConflictError(f"Could not queue {kwargs.get('label', 'the job')!r}: try again.")


def _submit(job: Job, *, delay: float = 0) -> None:
    from csfpilot.webapp.jobs.tasks import run_job

    task = run_job
    if delay > 0:
        task = run_job.using(run_after=timezone.now() + timedelta(seconds=delay))
    result = task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)


def _access_for(job: Job, spec: JobFunction) -> Access | None:
    """The access the job runs with, asked of the permission layer as the attempt starts."""
    org = job.organization
    if org is None:
        return None
    if job.by_operator:
        from csfpilot.webapp.profiles.operator import operator_access

        return operator_access(org.slug)
    if job.created_by is None:
        raise NotFound("the member who started this job no longer has an account")
    return require(job.created_by, org.slug, spec.permission or Permission.VIEW)


def _message(exc: BaseException) -> str:
    if isinstance(exc, CsfpilotError | PermissionDenied | Http404):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


def execute(job_id: int) -> None:
    """Run one attempt of job ``job_id`` and record how it went."""
    job = Job.objects.select_related("organization", "created_by").filter(pk=job_id).first()
    if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RETRYING):
        return  # deleted with its organization, or already dealt with
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
    )
    job.refresh_from_db()
    try:
        spec = resolve(job.function)
        run = JobRun(job, _access_for(job, spec))
        result = spec.func(run, **job.arguments)
    except PERMANENT as exc:
        _finish(job, JobStatus.FAILED, error=_message(exc))
        return
    except Exception as exc:
        logger.exception("job %s (%s), attempt %s failed", job.pk, job.function, job.attempts)
        if job.attempts < job.max_attempts:
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.RETRYING,
                error=f"Attempt {job.attempts} of {job.max_attempts}: {_message(exc)}",
            )
            _submit(job, delay=settings.CSFPILOT_JOB_RETRY_SECONDS * job.attempts)
            return
        _finish(job, JobStatus.FAILED, error=_message(exc))
        raise  # the task framework keeps the traceback for the operator
    _finish(job, JobStatus.SUCCEEDED, result=result)


def _finish(job: Job, status: JobStatus, *, error: str = "", result: Any = None) -> None:
    # The uploaded file has been read for the last time; only its name stays on record.
    fields: dict[str, Any] = {
        "status": status,
        "finished_at": timezone.now(),
        "error": error,
        "upload": None,
    }
    if status == JobStatus.SUCCEEDED:
        fields["result"] = result
        fields["progress_done"] = F("progress_total")
    Job.objects.filter(pk=job.pk).update(**fields)


def recover_stalled(now: datetime | None = None) -> list[Job]:
    """Jobs left running by a worker that died (killed, out of memory, machine restarted).

    A running job that has given no sign of life (its start or a progress report)
    for ``CSFPILOT_JOB_STALL_SECONDS`` is tried again when it has attempts left,
    and failed with a message saying so when not. Workers call this as they
    start and after each job, so no operator has to find such jobs by hand.
    Returns the jobs it dealt with.
    """
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=settings.CSFPILOT_JOB_STALL_SECONDS)
    stalled = Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at=None, started_at__lt=silent_since)
    dealt: list[Job] = []
    for job in Job.objects.filter(stalled, status=JobStatus.RUNNING):
        last_sign = job.heartbeat_at or job.started_at
        minutes = max(1, round((now - last_sign).total_seconds() / 60))
        lost = f"the worker stopped during it (no sign of life for {minutes} min)"
        retry = job.attempts < job.max_attempts
        fields: dict[str, Any] = {
            "status": JobStatus.RETRYING if retry else JobStatus.FAILED,
            "error": f"Attempt {job.attempts} of {job.max_attempts}: {lost}",
        }
        if not retry:
            fields["finished_at"] = now
            fields["upload"] = None
        with transaction.atomic():
            # Only if nobody got there first: another worker recovering it, or the job
            # itself reporting progress in the meantime.
            taken = Job.objects.filter(
                pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
            ).update(**fields)
            if not taken:
                continue
            _task_lost(job, lost)
            if retry:
                _submit(job)
        job.status, job.error = fields["status"], fields["error"]
        logger.warning("job %s (%s): %s; now %s", job.pk, job.function, lost, job.status)
        dealt.append(job)
    return dealt


class WorkerLost(RuntimeError):
    """What the task framework records for a task whose worker died while running it."""


def _task_lost(job: Job, lost: str) -> None:
    # The dead worker's task would otherwise stay "running" in the task framework forever.
    task = DBTaskResult.objects.filter(id=job.task_id, status=TaskResultStatus.RUNNING).first()
    if task is not None:
        task.set_failed(WorkerLost(lost))


def prune_finished(older_than: timedelta, now: datetime | None = None) -> int:
    """Delete jobs that ended more than ``older_than`` ago, with the task framework's records.

    Queued, running and retrying jobs are never deleted, however old. Returns how
    many jobs were deleted.
    """
    cutoff = (now or timezone.now()) - older_than
    with transaction.atomic():
        ended = Job.objects.filter(
            status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED], finished_at__lt=cutoff
        )
        deleted = ended.delete()[0]
        DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
