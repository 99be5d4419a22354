"""E-mail reminders: supplier questionnaires coming due, and remediation requests due.

Run once a day by the worker beside the evidence reminders. A questionnaire still open
within :data:`SOON_DAYS` days of its due day (or past it) is named to the addresses of its
live guest links (the link itself is never re-sent: only its hash is kept) and to the
buyer's member who sent it; an open remediation request within :data:`SOON_DAYS` days of
its due day (or past it) is named to the supplier's first contact and to the sender of
the supplier's latest questionnaire. Each reminder is remembered per object, address
and day (:class:`~.models.ReminderSent`), so a second run the same day sends nothing again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.suppliers import models as m
from csfpilot.webapp.suppliers.guest import _mail

log = logging.getLogger(__name__)

SOON_DAYS = 3
OPEN = (m.QuestionnaireState.SENT, m.QuestionnaireState.IN_PROGRESS)


@dataclass(frozen=True)
class Sent:
    messages: int = 0
    questionnaires: int = 0
    remediations: int = 0


def _claim(org: Organization, subject: str, object_id: int, day: date, to: str) -> bool:
    try:
        with transaction.atomic():
            m.ReminderSent.objects.create(
                organization=org, subject=subject, object_id=object_id, day=day, recipient=to
            )
    except IntegrityError:
        return False
    return True


def send_due(org: Organization, today: date) -> Sent:
    horizon = today + timedelta(days=SOON_DAYS)
    now = timezone.now()
    # address → (language, questionnaires, remediations)
    outbox: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"language": "en", "questionnaires": [], "remediations": []}
    )
    qs = (
        m.Questionnaire.objects.filter(organization=org, state__in=OPEN, due__lte=horizon)
        .select_related("supplier", "sent_by")
        .prefetch_related("links")
    )
    n_q = 0
    for q in qs:
        entry = {
            "supplier": q.supplier.name,
            "cycle": q.cycle,
            "due": q.due,
            "overdue": q.due < today,
        }
        to = {
            link.email
            for link in q.links.all()
            if link.revoked_at is None and link.expires_at > now
        }
        if q.sent_by_id and q.sent_by.email:
            to.add(q.sent_by.email)
        claimed = [e for e in sorted(to) if _claim(org, "questionnaire", q.pk, today, e)]
        for email in claimed:
            outbox[email]["questionnaires"].append(entry)
            outbox[email]["language"] = q.language
        n_q += bool(claimed)
    rems = (
        m.Remediation.objects.filter(
            organization=org, state=m.RemediationState.OPEN, due__lte=horizon
        )
        .select_related("supplier", "questionnaire__sent_by")
        .prefetch_related("supplier__contacts")
    )
    n_r = 0
    for r in rems:
        entry = {
            "supplier": r.supplier.name,
            "code": r.code,
            "request": r.request,
            "due": r.due,
            "overdue": r.due < today,
        }
        to = set()
        contacts = list(r.supplier.contacts.all())
        if contacts:
            to.add(contacts[0].email)
        if r.questionnaire and r.questionnaire.sent_by_id and r.questionnaire.sent_by.email:
            to.add(r.questionnaire.sent_by.email)
        claimed = [e for e in sorted(to) if _claim(org, "remediation", r.pk, today, e)]
        for email in claimed:
            outbox[email]["remediations"].append(entry)
            outbox[email]["language"] = r.supplier.language
        n_r += bool(claimed)
    messages = 0
    for email, box in outbox.items():
        try:
            _mail(
                "suppliers/email/reminder",
                email,
                {"buyer": org.name, **box},
                box["language"],
            )
        except Exception:
            # Remembered as sent: a mail server that is down must not flood them tomorrow.
            log.exception("Could not send a supplier reminder to %s", email)
            continue
        messages += 1
    return Sent(messages, n_q, n_r)


def send_all(today: date) -> Sent:
    total = Sent()
    for org in Organization.objects.filter(suppliers__isnull=False).distinct().order_by("pk"):
        sent = send_due(org, today)
        total = Sent(
            total.messages + sent.messages,
            total.questionnaires + sent.questionnaires,
            total.remediations + sent.remediations,
        )
    return total
