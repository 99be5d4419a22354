"""The worker loop behind ``csfpilot worker``: django-tasks-db's worker, with a report.

The loop itself (claiming a task with a row lock so that several workers never
run the same one, waiting, shutting down cleanly on SIGTERM) is the task
framework's; this adds what the command shows: one line when a job starts and
one when it ends, with its outcome; and, as it starts and after each job, the
recovery of jobs whose worker died while running them (``services.recover_stalled``),
at most hourly, the deletion of jobs ended more than ``CSFPILOT_JOB_KEEP_DAYS`` ago,
every ``CSFPILOT_AUDIT_CHECKPOINT_MINUTES`` a signed checkpoint of the audit chains' heads
(:mod:`csfpilot.webapp.audit.checkpoints`); once a day the evidence reminders
(:mod:`csfpilot.webapp.evidence.reminders`); and, all along, a sign of life the Jobs page
reads (:mod:`csfpilot.webapp.jobs.beats`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.signals import task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker

from csfpilot.webapp.audit import checkpoints
from csfpilot.webapp.evidence import reminders
from csfpilot.webapp.jobs.beats import Heartbeat
from csfpilot.webapp.jobs.models import Job
from csfpilot.webapp.jobs.services import prune_finished, recover_stalled
from csfpilot.webapp.suppliers import reminders as supplier_reminders

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobEvent:
    """What the worker tells its caller: ``started`` or ``finished``, and the job as stored."""

    kind: str
    job_id: int | None
    label: str
    status: str
    error: str
    attempts: int
    max_attempts: int


def _event(kind: str, task_result: Any) -> JobEvent:
    args = list(getattr(task_result, "args", ()) or ())
    job = Job.objects.filter(pk=args[0]).first() if args else None
    if job is None:
        return JobEvent(kind, None, str(getattr(task_result, "task", "")), "", "", 0, 0)
    return _job_event(kind, job)


def _job_event(kind: str, job: Job) -> JobEvent:
    return JobEvent(kind, job.pk, job.label, job.status, job.error, job.attempts, job.max_attempts)


_PRUNE_EVERY = timedelta(hours=1)


@dataclass
class _Housekeeping:
    """What a worker does besides jobs: take over dead workers' jobs, delete old ones."""

    on_event: Callable[[JobEvent], None] | None
    last_prune: datetime | None = None
    last_checkpoint: datetime | None = None
    _checkpoint_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    reminded_on: date | None = None
    _reminder_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self) -> None:
        # Ended jobs are kept CSFPILOT_JOB_KEEP_DAYS (0: for ever); looked at hourly at most.
        days = settings.CSFPILOT_JOB_KEEP_DAYS
        now = timezone.now()
        if days > 0 and (self.last_prune is None or now - self.last_prune >= _PRUNE_EVERY):
            self.last_prune = now
            prune_finished(timedelta(days=days), now)
        self.checkpoint_if_due()
        self.reminders_if_due()
        for job in recover_stalled(now):
            if self.on_event is not None:
                self.on_event(_job_event("recovered", job))

    def checkpoint_if_due(self) -> None:
        """A signed checkpoint of the audit chains every CSFPILOT_AUDIT_CHECKPOINT_MINUTES
        (0: never); called after jobs and with each sign of life, so an idle worker too."""
        minutes = settings.CSFPILOT_AUDIT_CHECKPOINT_MINUTES
        with self._checkpoint_lock:
            now = timezone.now()
            if minutes <= 0 or (
                self.last_checkpoint is not None
                and now - self.last_checkpoint < timedelta(minutes=minutes)
            ):
                return
            self.last_checkpoint = now
        checkpoints.write(now)

    def reminders_if_due(self) -> None:
        """The evidence and supplier reminders, once a day (each is remembered, so a second
        worker or a restart the same day sends nothing twice)."""
        today = timezone.localdate()
        with self._reminder_lock:
            if self.reminded_on == today:
                return
            self.reminded_on = today
        try:
            reminders.send_all(today)
            supplier_reminders.send_all(today)
        except DatabaseError as exc:
            # A busy database: tomorrow's run names these items again if still due.
            logger.warning("evidence reminders not sent: %s", exc)
            self.reminded_on = None

    def on_beat(self) -> None:
        """What an idle worker does with each sign of life."""
        self.checkpoint_if_due()
        self.reminders_if_due()


def make_worker(*, burst: bool = False, interval: float = 1.0, max_jobs: int | None = None) -> Any:
    """A worker on the default queue; ``burst`` runs what is queued, then returns."""
    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=burst,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_jobs,
        worker_id=f"csfpilot-{get_random_string(12)}",
        excluded_queue_names=[],
    )


def run_worker(
    *,
    burst: bool = False,
    interval: float = 1.0,
    max_jobs: int | None = None,
    on_event: Callable[[JobEvent], None] | None = None,
    handle_signals: bool = False,
    parent_pid: int | None = None,
) -> None:
    """Take jobs from the queue and run them until stopped (or until none is left, ``burst``).

    While it runs, the worker gives a sign of life every few seconds (:mod:`.beats`);
    with ``parent_pid`` it also stops once that process is gone (``csfpilot serve``'s).
    """
    worker = make_worker(burst=burst, interval=interval, max_jobs=max_jobs)
    housekeeping = _Housekeeping(on_event)
    heartbeat = Heartbeat(worker.worker_id, parent_pid=parent_pid, on_beat=housekeeping.on_beat)

    def started(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if on_event is not None:
            on_event(_event("started", task_result))

    def finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
        if on_event is not None:
            on_event(_event("finished", task_result))
        housekeeping()

    task_started.connect(started)
    task_finished.connect(finished)
    heartbeat.start()
    try:
        housekeeping()
        if handle_signals:
            worker.configure_signals()
        worker.run()
    finally:
        heartbeat.stop()
        task_started.disconnect(started)
        task_finished.disconnect(finished)
        if handle_signals:
            worker.reset_signals()
