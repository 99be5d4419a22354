"""The one task the task framework knows: run an attempt of a stored job."""

from __future__ import annotations

from django_tasks import task

from csfpilot.webapp.jobs import services


@task()
def run_job(job_id: int) -> None:
    services.execute(job_id)
