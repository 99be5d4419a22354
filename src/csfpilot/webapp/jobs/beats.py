"""A worker's sign of life: written every few seconds, read by the Jobs page.

A job queued while no ``csfpilot worker`` runs waits for ever, and from its
page alone nobody can tell a worker that is busy from one that is not there.
So a worker announces itself as it starts, writes the time every
:data:`BEAT_SECONDS` from a thread of its own (the job loop may be busy with
one long job for minutes), and removes its row when it stops cleanly. A worker
silent for :data:`SILENT_AFTER` is taken as gone, whether it was killed or
its machine stopped.

The same thread stops a worker started by ``csfpilot serve`` when the server
is gone (killed without a chance to stop it), so no worker outlives its server.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from csfpilot.webapp.jobs.models import WorkerBeat

logger = logging.getLogger(__name__)

BEAT_SECONDS = 10
SILENT_AFTER = timedelta(seconds=60)
"""No sign of life for this long: the worker is taken as gone (six missed beats)."""

FORGET_AFTER = timedelta(days=1)
"""Rows of workers gone this long are deleted as another worker starts."""

REMOVE_RETRIES = (0.5, 1.0, 2.0, 4.0, 8.0)
"""Pauses between attempts to remove a stopping worker's row (about 15 s in all)."""


def last_seen() -> datetime | None:
    """When a worker last gave a sign of life, or None if none ever did (or all stopped)."""
    return WorkerBeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


def alive(now: datetime | None = None) -> bool:
    seen = last_seen()
    return seen is not None and seen >= (now or timezone.now()) - SILENT_AFTER


class Heartbeat:
    """The running worker's row, kept fresh by a daemon thread until :meth:`stop`."""

    def __init__(
        self,
        worker_id: str,
        *,
        parent_pid: int | None = None,
        on_beat: Callable[[], None] | None = None,
    ) -> None:
        self.worker_id = worker_id
        self.parent_pid = parent_pid
        # Periodic work that must not wait for a job to end (an idle worker runs none).
        self.on_beat = on_beat
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="csfpilot-beat", daemon=True)
        self.started_at = timezone.now()

    def start(self) -> None:
        WorkerBeat.objects.filter(seen_at__lt=self.started_at - FORGET_AFTER).delete()
        self.beat()
        self._thread.start()

    def beat(self) -> None:
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "seen_at": timezone.now(),
            },
        )

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=BEAT_SECONDS)
        # A busy database (another process holding SQLite's write lock past its timeout) is
        # tried again for a while: a row left behind shows a stopped worker as running.
        for pause in REMOVE_RETRIES:
            try:
                WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
                return
            except DatabaseError as exc:
                logger.warning("could not remove the worker's row yet: %s", exc)
                if not connection.in_atomic_block:
                    close_old_connections()  # a broken connection is opened anew
                time.sleep(pause)
        logger.warning("could not remove the worker's row; it is forgotten in a day")

    def _parent_gone(self) -> bool:
        return self.parent_pid is not None and os.getppid() != self.parent_pid

    def _run(self) -> None:
        waited = 0.0
        try:
            # Looks at the parent every second, writes the beat every BEAT_SECONDS.
            while not self._stopping.wait(1.0):
                if self._parent_gone():
                    logger.warning("the server that started this worker is gone; stopping")
                    # The job loop's own handler finishes the current job, then exits.
                    os.kill(os.getpid(), signal.SIGTERM)
                    return
                waited += 1.0
                if waited < BEAT_SECONDS:
                    continue
                waited = 0.0
                close_old_connections()
                try:
                    self.beat()
                    if self.on_beat is not None:
                        self.on_beat()
                except DatabaseError as exc:
                    # A busy database (SQLite's write lock): the next beat tries again.
                    logger.warning("worker heartbeat not written: %s", exc)
        finally:
            connection.close()
