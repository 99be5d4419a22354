"""Account events and downloads in the audit trail: sign-in, failed sign-in, password and
second-factor changes, accounts created from the command line, reports, exports and
backups taken out. Each through the real pages and commands that cause it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.organizations.models import Membership, Organization
from tests.webapp.test_accounts import PASSWORD, enrol_totp, make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _member_of_two(email: str = "ana@example.com"):
    user = make_user(email)
    for name, slug in (("Acme", "acme"), ("Globex", "globex")):
        org = Organization.objects.create(name=name, slug=slug)
        Membership.objects.create(user=user, organization=org, role="owner")
    return user


def _events(slug: str | None, **filters) -> list[tuple[str, str, dict]]:
    rows = AuditEvent.objects.filter(**filters)
    rows = rows.filter(organization__slug=slug) if slug else rows.filter(organization=None)
    return [(e.object_type, e.action, e.changes) for e in rows.order_by("seq")]


def test_a_sign_in_is_recorded_in_every_organization_of_the_person(client):
    user = _member_of_two()
    sign_in(client, "ana@example.com")
    for slug in ("acme", "globex"):
        (event,) = _events(slug, action="sign-in")
        assert event[0] == "account"
        assert event[2] == {"client": "127.0.0.1"}
    signed = AuditEvent.objects.get(organization__slug="acme", action="sign-in")
    assert (signed.actor_id, signed.actor_name) == (user.pk, "ana@example.com")


def test_a_failed_sign_in_names_the_account_tried_never_the_password(client):
    _member_of_two()
    sign_in(client, "ana@example.com", "wrong password 123")
    (event,) = _events("acme", action="sign-in-failed")
    assert event[2] == {"login": "ana@example.com", "client": "127.0.0.1"}
    assert "wrong password" not in str(AuditEvent.objects.values_list("changes", flat=True))
    # An address that is nobody's: the instance chain, by the system.
    sign_in(client, "nobody@example.com", "guess")
    (unknown,) = _events(None, action="sign-in-failed")
    assert unknown[2]["login"] == "nobody@example.com"


@pytest.mark.django_db(transaction=True)  # allauth announces a new factor on commit
def test_password_changes_and_second_factors_are_recorded(client):
    _member_of_two()
    sign_in(client, "ana@example.com")
    changed = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": PASSWORD + " and more",
            "password2": PASSWORD + " and more",
        },
    )
    assert changed.status_code == 302
    assert [e[:2] for e in _events("acme", object_type="password")] == [("password", "update")]

    client.post("/accounts/logout/")
    sign_in(client, "ana@example.com", PASSWORD + " and more")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD + " and more"})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    added = [e for e in _events("globex", object_type="mfa")]
    assert added == []
    # enrol_totp re-authenticates with the original password: use the form directly.
    from tests.webapp.test_accounts import totp, wait_for_fresh_totp_window

    secret = response.context["form"].secret
    wait_for_fresh_totp_window()
    activated = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert activated.status_code == 302
    kinds = [(e[1], e[2]["type"]) for e in _events("globex", object_type="mfa")]
    assert ("create", "totp") in kinds


def test_removing_a_second_factor_is_recorded(client):
    _member_of_two()
    sign_in(client, "ana@example.com")
    enrol_totp(client)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    removed = client.post("/accounts/2fa/totp/deactivate/")
    assert removed.status_code == 302
    kinds = [(e[1], e[2]["type"]) for e in _events("acme", object_type="mfa")]
    assert ("delete", "totp") in kinds


def test_an_account_made_with_csfpilot_manage_is_recorded_in_the_instance_chain(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long operator password 2026")
    call_command(
        "createsuperuser",
        interactive=False,
        username="operator",
        email="operator@example.com",
        verbosity=0,
    )
    (event,) = _events(None, object_type="account", action="create")
    assert event[2]["email"] == [None, "operator@example.com"]
    assert event[2]["is_superuser"] == [None, True]


def test_report_export_and_trail_downloads_are_recorded(client):
    from csfpilot.webapp.profiles import services

    user = _member_of_two()
    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission

    access = require(user, "acme", Permission.EDIT_PROFILES)
    row = services.create_profile(access, name="Plant 2")
    signed = Client()
    signed.force_login(user)
    report = signed.get(f"/orgs/acme/profiles/{row.pk}/reports/brief.md")
    assert report.status_code == 200
    exported = signed.get(f"/orgs/acme/profiles/{row.pk}/export/")
    assert exported.status_code == 200
    trail = signed.get("/orgs/acme/audit/audit-trail.csv")
    assert trail.status_code == 200
    downloads = _events("acme", action="download")
    assert [(t, c["format"]) for t, _, c in downloads] == [
        ("report", "md"),
        ("export", "yaml"),
        ("audit_trail", "csv"),
    ]
    assert downloads[0][2]["bytes"] == len(report.content)
    assert downloads[0][2]["file"].endswith(".md")
    # The trail's own export holds everything before its download, not the download itself.
    assert b"audit_trail" not in trail.content
