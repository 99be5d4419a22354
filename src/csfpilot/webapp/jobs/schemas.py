"""API shapes of background jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from csfpilot.webapp.jobs.models import Job


class JobOut(Schema):
    id: int
    label: str
    status: str = Field(description="queued, running, retrying, succeeded or failed")
    progress_done: int
    progress_total: int
    percent: int | None = Field(description="0–100; null until the job knows its total")
    progress_note: str
    attempts: int
    max_attempts: int
    error: str = Field(description="why the last attempt failed; empty when none did")
    result: Any = None
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_out(job: Job) -> JobOut:
    who = None
    if job.by_operator:
        who = "operator"
    elif job.created_by is not None:
        who = job.created_by.email
    return JobOut(
        id=job.pk,
        label=job.label,
        status=job.status,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        percent=job.percent,
        progress_note=job.progress_note,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        error=job.error,
        result=job.result,
        created_by=who,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )
