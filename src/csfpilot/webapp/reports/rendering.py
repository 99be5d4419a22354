"""Rendering a report for the web app and the API: within the limits, one of a few at a time.

A PDF workpaper takes seconds of a worker's CPU. Without a bound, one person asking
for sixteen at once slows every other organization's reports on the installation.
So every render holds a :class:`~.models.RenderSlot` row for its duration: at most
``CSFPILOT_REPORT_CONCURRENCY`` renders at once across all server processes, at
most ``CSFPILOT_REPORT_CONCURRENCY_PER_USER`` for one person. Past either, the
request is answered at once with :class:`Busy` (HTTP 429 and ``Retry-After``),
never queued behind the others. The slots live in the database, so the bound
holds across gunicorn workers and app servers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from csfpilot.core.errors import InputRefused
from csfpilot.reports.limits import RenderLimits
from csfpilot.reports.model import Report
from csfpilot.reports.render import filename
from csfpilot.webapp.organizations.permissions import Access
from csfpilot.webapp.organizations.roles import Permission
from csfpilot.webapp.profiles import lookups
from csfpilot.webapp.reports import queries, render_cache, report_key
from csfpilot.webapp.reports.models import RenderSlot
from csfpilot.webapp.reports.processes import render_report
from csfpilot.webapp.reports.queries import Look

# A slot whose render has not ended after this long belongs to a process that died.
SLOT_SECONDS = 300


class Busy(Exception):
    """Too many reports are being made now; ``retry_after`` seconds is a fair wait."""

    def __init__(self, retry_after: int, *, mine: bool) -> None:
        self.retry_after = retry_after
        self.mine = mine
        super().__init__(f"busy, retry after {retry_after} s")

    def reason(self) -> str:
        """Why, in the language of the request."""
        if self.mine:
            return _(
                "You are already making as many reports as one person may at once. Try again "
                "in %(seconds)s seconds, when one of them is done."
            ) % {"seconds": self.retry_after}
        return _(
            "Too many reports are being made on this installation right now. Try again in "
            "%(seconds)s seconds."
        ) % {"seconds": self.retry_after}


def limits() -> RenderLimits:
    return RenderLimits(
        seconds=settings.CSFPILOT_REPORT_RENDER_SECONDS,
        max_iterations=settings.CSFPILOT_REPORT_MAX_LOOP_ITERATIONS,
        max_string=settings.CSFPILOT_REPORT_MAX_STRING,
        max_output=settings.CSFPILOT_REPORT_MAX_OUTPUT,
    )


@contextmanager
def slot(user_id: int | None) -> Iterator[None]:
    """Hold one render slot for the block, or raise :class:`Busy`."""
    total = max(1, settings.CSFPILOT_REPORT_CONCURRENCY)
    per_user = max(1, settings.CSFPILOT_REPORT_CONCURRENCY_PER_USER)
    retry = max(1, settings.CSFPILOT_REPORT_RETRY_AFTER)
    RenderSlot.objects.bulk_create(
        [RenderSlot(number=n) for n in range(total)], ignore_conflicts=True
    )
    holder = uuid.uuid4().hex
    with transaction.atomic():
        # Locking every row makes taking a slot one step at a time across processes
        # (SQLite serializes the write transaction itself).
        rows = list(
            RenderSlot.objects.select_for_update().filter(number__lt=total).order_by("number")
        )
        now = timezone.now()
        held = [r for r in rows if r.holder and r.expires_at and r.expires_at > now]
        if user_id is not None and sum(r.user_id == user_id for r in held) >= per_user:
            raise Busy(retry, mine=True)
        free = next((r for r in rows if r not in held), None)
        if free is None:
            raise Busy(retry, mine=False)
        free.user_id, free.holder = user_id, holder
        free.expires_at = now + timedelta(seconds=SLOT_SECONDS)
        free.save(update_fields=["user_id", "holder", "expires_at"])
    try:
        yield
    finally:
        RenderSlot.objects.filter(number=free.number, holder=holder).update(
            user_id=None, holder="", expires_at=None
        )


def render_file(access: Access, report: Report, fmt: str, look: Look) -> bytes:
    """The report as a file, under the render limits and holding a render slot.

    A report whose content was made before (same data, template, look, language and
    format) is served from the report cache without a slot or a render.
    """
    key = render_cache.key(report, fmt, look)
    found = render_cache.get(key)
    if found is not None:
        return found
    with slot(access.membership.user_id):
        data = render_report(
            report, fmt, template=look.template, template_name=look.template_name, limits=limits()
        )
    render_cache.put(key, data)
    return data


class ReportRefused(InputRefused):
    """The report itself is refused, not its layout: a Community Profile has none, or
    the transfer sections asked for are not possible (the same message and fields)."""


def made_file(
    access: Access, profile_id: Any, kind: str, fmt: str, transfer_to: Sequence[str] = ()
) -> tuple[str, bytes]:
    """The report file's name and bytes: kept by the state of its inputs, or made now.

    The key of its inputs (:mod:`.report_key`, one statement) finds a file made before
    from the same data, look, language and day without building the report model; a
    miss builds the model, whose content digest may still find the same layout made
    before (:func:`render_file`), and keeps the file under both keys.
    """
    lookups.ensure(access, Permission.EXPORT)
    inputs = report_key.key(access, profile_id, kind, fmt, transfer_to)
    if inputs is not None:
        found = render_cache.get_file(inputs)
        if found is not None:
            return found
    try:
        report = queries.report(access, profile_id, kind, transfer_to=transfer_to)
    except InputRefused as exc:
        raise ReportRefused(exc.message, **exc._where()) from exc  # type: ignore[arg-type]
    data = render_file(access, report, fmt, queries.look(access))
    name = filename(report.meta["title"], kind, fmt, report.meta["today"])
    if inputs is not None:
        render_cache.put_file(inputs, name, data)
    return name, data
