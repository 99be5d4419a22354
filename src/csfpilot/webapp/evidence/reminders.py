"""E-mail reminders: evidence about to expire, and evidence requests past their due day.

Once a day the worker calls :func:`send_due` for every organization. Each owner
of an item in use that expires within :data:`REMIND_DAYS` days (or has just
expired) gets one message listing their items; each member with an open
request past its due day gets one listing those requests. A reminder is
remembered (:class:`~.models.ReminderSent`) per item or request and day, so
a second run on the same day, or a second worker, sends nothing again.
Messages go through Django's mail settings (the console unless an SMTP server
is configured, see docs/configuration.md).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from csfpilot.core.evidence import RequestState
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.organizations.models import Organization

log = logging.getLogger(__name__)

REMIND_DAYS = 30
# Items that expired this recently are still named, once a day, so an owner who missed
# the last reminder before the day learns of it; older ones are on the due page.
EXPIRED_GRACE_DAYS = 7


@dataclass(frozen=True)
class Sent:
    """What one run sent: messages and the items and requests they named."""

    messages: int = 0
    items: int = 0
    requests: int = 0


def _claim(organization: Organization, subject: str, object_id: int, day: date, to: str) -> bool:
    """Record the reminder; False if one was already sent today (by this run or another)."""
    try:
        with transaction.atomic():
            m.ReminderSent.objects.create(
                organization=organization,
                subject=subject,
                object_id=object_id,
                day=day,
                recipient=to,
            )
    except IntegrityError:
        return False
    return True


def send_due(organization: Organization, today: date) -> Sent:
    """Send today's reminders of one organization; returns what was sent."""
    items = (
        m.EvidenceItem.objects.filter(
            organization=organization,
            retired_at__isnull=True,
            owner__isnull=False,
            expires_on__gte=today - timedelta(days=EXPIRED_GRACE_DAYS),
            expires_on__lte=today + timedelta(days=REMIND_DAYS),
        )
        .exclude(owner__email="")
        .select_related("owner")
        .order_by("expires_on", "id")
    )
    by_owner: dict[str, list[m.EvidenceItem]] = defaultdict(list)
    for row in items:
        by_owner[row.owner.email].append(row)
    requests = (
        m.EvidenceRequest.objects.filter(
            organization=organization, state=RequestState.OPEN, due__lt=today
        )
        .exclude(assignee__email="")
        .select_related("assignee", "profile")
        .prefetch_related("outcomes")
        .order_by("due", "id")
    )
    by_assignee: dict[str, list[m.EvidenceRequest]] = defaultdict(list)
    for req in requests:
        by_assignee[req.assignee.email].append(req)

    messages = item_count = request_count = 0
    for email, rows in by_owner.items():
        fresh = [r for r in rows if _claim(organization, "item", r.pk, today, email)]
        if fresh and _mail(
            "evidence/email/expiring",
            email,
            {
                "organization": organization,
                "items": [
                    {
                        "title": r.title,
                        "expires_on": r.expires_on,
                        "expired": r.expires_on < today,
                        "path": reverse("evidence:item", args=[organization.slug, r.pk]),
                    }
                    for r in fresh
                ],
            },
        ):
            messages += 1
            item_count += len(fresh)
    for email, reqs in by_assignee.items():
        fresh_requests = [r for r in reqs if _claim(organization, "request", r.pk, today, email)]
        if fresh_requests and _mail(
            "evidence/email/overdue",
            email,
            {
                "organization": organization,
                "requests": [
                    {
                        "number": r.pk,
                        "due": r.due,
                        "profile": r.profile.name,
                        "outcomes": ", ".join(sorted(o.code for o in r.outcomes.all())),
                        "path": reverse("evidence:request", args=[organization.slug, r.pk]),
                    }
                    for r in fresh_requests
                ],
            },
        ):
            messages += 1
            request_count += len(fresh_requests)
    return Sent(messages, item_count, request_count)


def _mail(template: str, to: str, context: dict[str, Any]) -> bool:
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}_message.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        # Remembered as sent: a mail server that is down must not flood the owner tomorrow
        # with the backlog; the due page lists everything that expires.
        log.exception("Could not send an evidence reminder to %s", to)
        return False
    return True


def send_all(today: date) -> Sent:
    """Every organization's reminders (the worker's daily run)."""
    total = Sent()
    for org in Organization.objects.order_by("pk"):
        sent = send_due(org, today)
        total = Sent(
            total.messages + sent.messages,
            total.items + sent.items,
            total.requests + sent.requests,
        )
    return total
