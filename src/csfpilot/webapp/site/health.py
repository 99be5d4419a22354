"""Health checks for a load balancer or an orchestrator, and the benchmark's baseline.

``/healthz`` does no work at all: it passes through the same middleware as every
page and answers "ok", so its throughput is the framework's own limit on this
configuration. ``/readyz`` also asks the database for one row, so a proxy stops
sending requests to a server that lost its database. Neither says anything
about the installation (no version, no database name, no error text).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return _plain("ok")


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The reason goes to the server's log, never to the caller.
        log.exception("readiness check: the database did not answer")
        return _plain("unavailable", status=503)
    return _plain("ok")
