"""Which functions may run as background jobs.

A job row names its function by dotted path; the worker runs it only when the
function was registered with :func:`job_function`, so a row in the database
can never make the worker import and call arbitrary code.

To add a kind of job (a report for a whole sector, say)::

    from csfpilot.webapp.jobs.registry import job_function, JobRun

    @job_function(permission=Permission.EXPORT)
    def sector_report(run: JobRun, *, fmt: str) -> dict:
        run.progress(0, total, "Collecting profiles")
        ...
        return {"file": name}          # stored as the job's result (JSON)

and enqueue it with :func:`csfpilot.webapp.jobs.services.enqueue`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from csfpilot.core.errors import NotFound
from csfpilot.webapp.organizations.roles import Permission

if TYPE_CHECKING:
    from csfpilot.webapp.jobs.runs import JobRun

JobCallable = Callable[..., Any]


@dataclass(frozen=True)
class JobFunction:
    path: str
    func: JobCallable
    # What the person who enqueues it must be allowed, checked again when it runs.
    permission: Permission | None
    max_attempts: int


_REGISTRY: dict[str, JobFunction] = {}


def path_of(func: JobCallable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def job_function(
    *, permission: Permission | None = None, max_attempts: int = 3
) -> Callable[[JobCallable], JobCallable]:
    """Register ``func(run: JobRun, **arguments)`` as a job; the function is returned as is."""

    def register(func: JobCallable) -> JobCallable:
        path = path_of(func)
        _REGISTRY[path] = JobFunction(path, func, permission, max_attempts)
        return func

    return register


def resolve(path: str) -> JobFunction:
    """The registered job function at ``path`` (its module is imported to register it)."""
    found = _REGISTRY.get(path)
    if found is None:
        module = path.rpartition(".")[0]
        # Only csfpilot's own modules are ever imported from a stored path.
        if module.startswith("csfpilot."):
            with contextlib.suppress(ImportError):
                import_module(module)
        found = _REGISTRY.get(path)
    if found is None:
        raise NotFound(f"{path} is not a registered job function")
    return found


def registered(func: JobCallable) -> JobFunction:
    return resolve(path_of(func))


__all__ = ["JobFunction", "JobRun", "job_function", "path_of", "registered", "resolve"]
