"""E-mail reminders of expiring evidence and overdue requests, through Django's mail outbox."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail

from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import reminders, services
from csfpilot.webapp.jobs.worker import _Housekeeping
from tests.webapp.evidence.test_evidence_pages import add_file_item
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 6)


@pytest.fixture
def world(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_world()


def test_each_owner_gets_one_message_naming_their_items_once_a_day(world):
    owner, assessor = world.users["contributor"], world.users["assessor"]
    add_file_item(world, title="Backup log", owner_id=owner.pk, valid_until=TODAY + timedelta(10))
    add_file_item(world, title="DR plan", owner_id=owner.pk, valid_until=TODAY + timedelta(30))
    add_file_item(world, title="Expired", owner_id=owner.pk, valid_until=TODAY - timedelta(2))
    add_file_item(world, title="Far", owner_id=owner.pk, valid_until=TODAY + timedelta(31))
    add_file_item(world, title="Long gone", owner_id=owner.pk, valid_until=TODAY - timedelta(30))
    add_file_item(world, title="Policy", owner_id=assessor.pk, valid_until=TODAY + timedelta(1))
    add_file_item(world, title="Nobody's", valid_until=TODAY + timedelta(1))
    retired = add_file_item(world, title="Retired", owner_id=owner.pk, valid_until=TODAY)
    services.retire(world.access("owner"), retired.pk)

    sent = reminders.send_due(world.org, TODAY)
    assert sent == reminders.Sent(messages=2, items=4, requests=0)
    by_to = {msg.to[0]: msg for msg in mail.outbox}
    assert set(by_to) == {owner.email, assessor.email}
    body = by_to[owner.email].body
    assert by_to[owner.email].subject == "[csfpilot] Evidence to renew in Acme Corp"
    for title in ("Backup log", "DR plan", "Expired"):
        assert f"- {title}:" in body
    assert "Far" not in body and "Long gone" not in body and "Retired" not in body
    assert "expired on" in body and "/orgs/acme/evidence/" in body

    assert reminders.send_due(world.org, TODAY) == reminders.Sent()
    assert len(mail.outbox) == 2
    tomorrow = reminders.send_due(world.org, TODAY + timedelta(days=1))
    # Named again the next day, and "Far" now within 30 days.
    assert tomorrow == reminders.Sent(messages=2, items=5, requests=0)
    assert m.ReminderSent.objects.filter(day=TODAY).count() == 4


def test_overdue_requests_are_sent_to_the_member_asked(world):
    profile = world.profile()
    services.ask(
        world.access("assessor"),
        profile.pk,
        ["GV.OC-01", "GV.OC-02"],
        assignee_id=world.users["contributor"].pk,
        due=TODAY - timedelta(days=1),
    )
    services.ask(
        world.access("assessor"),
        profile.pk,
        ["PR.AA-01"],
        assignee_id=world.users["contributor"].pk,
        due=TODAY,
    )
    sent = reminders.send_due(world.org, TODAY)
    assert sent == reminders.Sent(messages=1, items=0, requests=1)
    (msg,) = mail.outbox
    assert msg.to == [world.users["contributor"].email]
    assert "GV.OC-01, GV.OC-02 in Whole company" in msg.body
    assert "PR.AA-01" not in msg.body


def test_the_worker_runs_the_reminders_once_a_day(world, monkeypatch):
    add_file_item(
        world,
        title="Backup log",
        owner_id=world.users["assessor"].pk,
        valid_until=date.today() + timedelta(days=3),
    )
    calls = []
    real = reminders.send_all
    monkeypatch.setattr(reminders, "send_all", lambda today: calls.append(today) or real(today))
    housekeeping = _Housekeeping(None)
    housekeeping.on_beat()
    housekeeping.on_beat()
    assert len(calls) == 1
    assert len(mail.outbox) == 1
