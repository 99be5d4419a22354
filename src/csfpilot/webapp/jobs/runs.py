"""What a job function gets: its job's access, its upload, and a way to report progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from csfpilot.webapp.jobs.models import Job
from csfpilot.webapp.organizations.permissions import Access


@dataclass
class JobRun:
    """One attempt at running a job.

    ``access`` is the permission layer's answer for whoever enqueued the job,
    asked again when the attempt starts (None for instance-wide work).
    Progress is one UPDATE of the job row; other connections see it once it is
    committed, so a long job reports between its transactions, not inside one
    (which is also why long jobs work in batches of one transaction each).
    """

    job: Job
    access: Access | None
    _last: tuple[int, int, str] = field(default=(-1, -1, ""), repr=False)

    @property
    def upload(self) -> bytes:
        return bytes(self.job.upload or b"")

    @property
    def upload_name(self) -> str:
        return self.job.upload_name

    def progress(self, done: int, total: int, note: str = "") -> None:
        """Record that ``done`` of ``total`` units are finished (one UPDATE when it changed).

        Each report is also the job's sign of life: a job silent for longer than
        ``CSFPILOT_JOB_STALL_SECONDS`` is taken for one whose worker died.
        """
        state = (max(0, done), max(0, total), note[:300])
        if state == self._last:
            return
        self._last = state
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=state[0],
            progress_total=state[1],
            progress_note=state[2],
            heartbeat_at=timezone.now(),
        )
        self.job.progress_done, self.job.progress_total, self.job.progress_note = state
