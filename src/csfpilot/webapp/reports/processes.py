"""Reports rendered in long-lived report processes, not in the web worker.

Laying out a PDF loads WeasyPrint, Pango and the fonts, and a web worker that
did it once kept 170–280 MB more for the rest of its life (measured by
``python -m bench.report_memory``). So every render runs in a small pool of
report processes that each web worker starts next to itself
(``CSFPILOT_REPORT_PROCESSES``, one by default; 0 renders in the worker, as the
test suite and the command line do). The processes are started with ``spawn``:
they import the report layer only (no Django, no database connection), set
WeasyPrint and the fonts up once when they start, and are replaced after
``CSFPILOT_REPORT_PROCESS_RENDERS`` renders so that their own memory stays
bounded too. The render limits apply inside them as before; a report error
raised there reaches the user unchanged.

How many renders run at once is still decided by the render slots
(:mod:`.rendering`); a request waiting for its report holds a worker thread
but no CPU, so the worker's other threads go on answering.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

from csfpilot.core.errors import InputRefused
from csfpilot.reports.limits import RenderLimits
from csfpilot.reports.model import Report
from csfpilot.reports.render import render, warm_up

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_owner = 0  # the process that made the pool: a forked child must make its own
_warming: Future[None] | None = None


def _size() -> int:
    return max(0, int(settings.CSFPILOT_REPORT_PROCESSES))


def _executor() -> ProcessPoolExecutor | None:
    global _pool, _owner, _warming
    if _size() == 0:
        return None
    with _lock:
        if _pool is None or _owner != os.getpid():
            _pool = ProcessPoolExecutor(
                max_workers=_size(),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=warm_up,
                max_tasks_per_child=max(1, int(settings.CSFPILOT_REPORT_PROCESS_RENDERS)),
            )
            _owner = os.getpid()
            _warming = None
        return _pool


def start() -> None:
    """Start the report processes now, so that the first report does not wait for them.

    Called by ``csfpilot serve`` when a web worker has started; returns at once.
    """
    global _warming
    pool = _executor()
    if pool is not None and _warming is None:
        _warming = pool.submit(warm_up)


def stop() -> None:
    """End this worker's report processes (they also end with the worker)."""
    global _pool, _warming
    with _lock:
        if _pool is not None and _owner == os.getpid():
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool, _warming = None, None


def render_report(
    report: Report,
    fmt: str,
    *,
    template: str | None,
    template_name: str,
    limits: RenderLimits,
) -> bytes:
    """``render()``'s file, made in a report process when there are any."""
    pool = _executor()
    if pool is None:
        return render(report, fmt, template=template, template_name=template_name, limits=limits)
    try:
        future = pool.submit(
            render, report, fmt, template=template, template_name=template_name, limits=limits
        )
        # The render limits end a template that runs long; this only catches a process
        # that stopped answering altogether.
        return future.result(timeout=limits.seconds + 120)
    except BrokenProcessPool:
        # A report process died (killed for memory, say): start new ones for the next
        # report, and tell this caller plainly.
        log.warning("a report process ended unexpectedly; starting new ones")
        stop()
        raise InputRefused(
            "the report process ended while making this report; please try again",
            field="report",
        ) from None
