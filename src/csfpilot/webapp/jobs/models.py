"""Background jobs as people see them: what runs, for which organization, how far it got.

A :class:`Job` is csfpilot's record of one piece of long work (a sector
recompute, a big profile import, a report). Running it is Django's task
framework's business (``django_tasks_db`` stores the queue in the same
database and ``csfpilot worker`` takes tasks from it); this row adds what the
task framework does not keep: the organization it belongs to (jobs are
tenant-scoped like everything else), who asked, progress, the attempts made
and the error people should read when it fails.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    RETRYING = "retrying", _("Waiting to retry")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING)


class Job(models.Model):
    """One background job.

    ``function`` is the dotted path of a function registered with
    :func:`csfpilot.webapp.jobs.registry.job_function`; ``arguments`` are its
    keyword arguments (JSON). ``upload`` holds an uploaded file the job reads
    (an import), so that the worker needs no shared folder with the web server.
    ``organization`` is null for instance-wide work started by the operator.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    function = models.CharField(max_length=200)
    label = models.CharField(_("job"), max_length=300)
    arguments = models.JSONField(default=dict, blank=True)
    upload = models.BinaryField(null=True, blank=True)
    upload_name = models.CharField(max_length=255, blank=True)
    # Two active jobs with the same key would do the same work; the second is not made
    # (services.enqueue_once, and the database's constraint below when two ask at once).
    dedupe_key = models.CharField(max_length=200, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_note = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)  # the task framework's result id

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Enqueued from the command line by the instance's operator (see profiles/operator.py).
    by_operator = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Set when an attempt starts and on each progress report: a running job silent for
    # longer than CSFPILOT_JOB_STALL_SECONDS lost its worker (see services.recover_stalled).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["dedupe_key", "status"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="jobs_known_status"
            ),
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(status__in=ACTIVE) & ~models.Q(dedupe_key=""),
                name="jobs_one_active_job_per_dedupe_key",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.label}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def percent(self) -> int | None:
        """How far it got, 0–100; None while the job has not said how much work there is."""
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return None
        return min(100, int(self.progress_done * 100 / self.progress_total))


class WorkerBeat(models.Model):
    """A ``csfpilot worker`` process, as last heard from.

    A running worker writes ``seen_at`` every few seconds (see
    :mod:`csfpilot.webapp.jobs.beats`), also while the queue is empty, and removes
    its row when it stops cleanly; so the Jobs page can say plainly when no worker
    is there to run what is queued, instead of showing a progress bar that never
    moves.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
