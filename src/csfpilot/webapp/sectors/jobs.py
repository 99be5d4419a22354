"""The sector recompute as a background job."""

from __future__ import annotations

from typing import Any

from csfpilot.webapp.jobs.registry import job_function
from csfpilot.webapp.jobs.runs import JobRun
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.sectors import services


@job_function(permission=Permission.EDIT_SETTINGS)
def recompute_sector(
    run: JobRun, *, sector: str | None = None, only_stale: bool = False
) -> dict[str, Any]:
    """Recompute the stored scores of a sector's organizations (or all), batch by batch.

    Started by an owner for their own sector, by the benchmark page when many
    organizations' scores are stale, or by the operator for every sector
    (``csfpilot sectors recompute``).
    """
    if run.access is not None and run.access.membership.user_id is not None:
        # An owner recomputes their own organization's sector, nothing else.
        sector = run.access.organization.sector or None
        if sector is None:
            services.refresh([run.access.organization.pk])
            run.progress(1, 1, "1 of 1 organizations")
            return {"sector": "", "organizations": 1, "contributing": 0}
    totals = {"organizations": 0}

    def report(done: int, total: int) -> None:
        totals["organizations"] = total
        run.progress(done, total, f"{done} of {total} organizations")

    contributing = services.recompute(sector, only_stale=only_stale, progress=report)
    return {
        "sector": sector or "",
        "organizations": totals["organizations"],
        "contributing": contributing,
    }
