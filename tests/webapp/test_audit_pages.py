"""The audit trail page, its downloads and its API: who may see them, and what they show.

Through the real URL configuration and the Django test client, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from csfpilot.webapp.accounts.services import issue_token
from csfpilot.webapp.audit import chain
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from tests.webapp.profiles_world import ROLES, World, world_fixture  # noqa: F401

ROUTES = [
    ("page", "/orgs/{org}/audit/"),
    ("csv", "/orgs/{org}/audit/audit-trail.csv"),
    ("json", "/orgs/{org}/audit/audit-trail.json"),
    ("api", "/api/organizations/{org}/audit/events"),
    ("api", "/api/organizations/{org}/audit/verify"),
]
ALLOWED = {"owner", "auditor"}


def client_for(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "path"), ROUTES)
def test_only_owners_and_auditors_see_the_trail_and_other_tenants_get_404(world: World, kind, path):
    for role in ROLES:
        response = client_for(world.users[role]).get(path.format(org="acme"))
        expected = 200 if role in ALLOWED else 403
        assert response.status_code == expected, (role, path)
    assert client_for(world.outsider).get(path.format(org="acme")).status_code == 404
    assert client_for(world.users["owner"]).get(path.format(org="globex")).status_code == 404
    anonymous = Client().get(path.format(org="acme"))
    if kind == "api":
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_api_token_needs_a_role_that_may_read_the_trail(world: World):
    _, auditor = issue_token(world.users["owner"], "acme", "auditor", "audit export")
    _, viewer = issue_token(world.users["owner"], "acme", "viewer", "dashboards")
    url = "/api/organizations/acme/audit/events"
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {auditor}").status_code == 200
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {viewer}").status_code == 403


def _changes(world: World) -> m.Profile:
    owner = world.access("owner")
    row = world.profile(name="<script>alert(1)</script> Plant")
    outcome = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01")
    services.update_outcome(
        world.access("assessor"),
        row.pk,
        "GV.OC-01",
        {"current": "partially", "notes": '=HYPERLINK("http://evil.test","x")'},
        expected_version=outcome.version,
    )
    services.create_action(owner, row.pk, {"title": "MFA on jump hosts", "outcomes": ["PR.AA-03"]})
    return row


@pytest.mark.django_db
def test_the_page_shows_who_what_and_before_after_escaped(world: World):
    _changes(world)
    page = client_for(world.users["auditor"]).get("/orgs/acme/audit/")
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Plant" in html
    assert "assessor@acme.test" in html
    assert '<span class="audit-empty">(empty)</span>' in html
    assert '<span class="audit-after" translate="no">Partially implemented</span>' in html
    # The three changes, and the auditor's own sign-in to read the page.
    assert "4 events" in html
    assert "signed in" in html
    assert 'href="/orgs/acme/audit/"' in html  # the tab in the organization's navigation


@pytest.mark.django_db
def test_filters_by_object_type_person_and_date(world: World):
    _changes(world)
    c = client_for(world.users["owner"])
    only_outcomes = c.get("/orgs/acme/audit/?type=outcome").content.decode()
    assert "1 event" in only_outcomes and "GV.OC-01" in only_outcomes
    assessor_id = world.users["assessor"].pk
    by_person = c.get(f"/orgs/acme/audit/?actor={assessor_id}").content.decode()
    assert "1 event" in by_person
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert (
        "No events match these filters."
        in c.get(f"/orgs/acme/audit/?since={tomorrow}").content.decode()
    )
    today = timezone.now().date().isoformat()
    # The three changes and the owner's sign-in.
    assert "4 events" in c.get(f"/orgs/acme/audit/?since={today}&until={today}").content.decode()
    api = c.get(f"/api/organizations/acme/audit/events?type=action&until={today}").json()
    assert api["count"] == 1 and api["events"][0]["object"]["type"] == "action"


@pytest.mark.django_db
def test_the_page_is_paginated_with_a_constant_number_of_queries(world: World):
    row = _changes(world)
    owner = world.access("owner")
    c = client_for(world.users["owner"])
    c.get("/orgs/acme/audit/")
    c.get("/orgs/acme/audit/")  # the identity cache is kept from the second request on
    with CaptureQueriesContext(connection) as few:
        c.get("/orgs/acme/audit/")
    for i in range(60):
        services.update_profile(owner, row.pk, {"description": f"v{i}"}, expected_version=i + 1)
    with CaptureQueriesContext(connection) as many:
        page = c.get("/orgs/acme/audit/")
    assert len(many) == len(few)
    html = page.content.decode()
    assert "64 events" in html and "Page 1 of 2" in html  # 63 changes, 1 sign-in
    assert "Page 2 of 2" in c.get("/orgs/acme/audit/?page=2").content.decode()


@pytest.mark.django_db
def test_the_csv_download_neutralises_formulas(world: World):
    _changes(world)
    response = client_for(world.users["auditor"]).get("/orgs/acme/audit/audit-trail.csv")
    assert response["Content-Disposition"] == 'attachment; filename="acme-audit-trail.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["seq", "at (UTC)", "actor kind"]
    outcome = next(r for r in rows[1:] if r[5] == "outcome")
    changes = json.loads(outcome[9])
    assert changes["notes"][1].startswith("=HYPERLINK")  # inside the JSON cell, not at its start
    label_cells = [r[7] for r in rows[1:]]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    assert "<script>alert(1)</script> Plant" in label_cells


@pytest.mark.django_db
def test_a_formula_at_the_start_of_a_cell_gets_an_apostrophe(world: World):
    world.profile(name="=cmd|' /C calc'!A0")
    rows = list(
        csv.reader(
            io.StringIO(
                client_for(world.users["owner"])
                .get("/orgs/acme/audit/audit-trail.csv?type=profile")
                .content.decode("utf-8-sig")
            )
        )
    )
    assert rows[1][7] == "'=cmd|' /C calc'!A0"


@pytest.mark.django_db
def test_the_json_download_verifies_outside_csfpilot(world: World):
    _changes(world)
    doc = client_for(world.users["owner"]).get("/orgs/acme/audit/audit-trail.json").json()
    assert doc["format"] == "csfpilot-audit-trail" and doc["organization"] == "acme"
    entries = [(e["id"], {k: e[k] for k in chain.HASHED_FIELDS}, e["hash"]) for e in doc["events"]]
    verdict = chain.verify(entries)
    assert verdict.ok and verdict.checked == 4  # the three changes and the owner's sign-in


@pytest.mark.django_db
def test_the_api_checks_the_chain(world: World):
    _changes(world)
    c = client_for(world.users["auditor"])
    assert c.get("/api/organizations/acme/audit/verify").json()["ok"] is True
    second = AuditEvent.objects.get(organization=world.org, seq=2)
    AuditEvent.objects.filter(pk=second.pk).update(actor_name="someone else")
    body = c.get("/api/organizations/acme/audit/verify").json()
    assert (body["ok"], body["checked"], body["broken_seq"], body["broken_id"]) == (
        False,
        1,
        2,
        second.pk,
    )
    assert body["problem"].startswith("hash mismatch")
    bad = c.get("/api/organizations/acme/audit/events?limit=0")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"


IMPORTED = (
    "format_version: 1\nframework: csf-2.0\nname: Imported\nscale: status\noutcomes:\n"
    + "".join(
        f"  {code}: {{current: partially, target: fully, current_priority: high}}\n"
        for code in (
            *(f"GV.OC-{n:02d}" for n in range(1, 6)),
            *(f"GV.SC-{n:02d}" for n in range(1, 11)),
            *(f"ID.AM-{n:02d}" for n in (1, 2, 3, 4, 5, 7, 8)),
            *(f"PR.AA-{n:02d}" for n in range(1, 7)),
        )
    )
)


@pytest.mark.django_db
def test_fields_and_levels_are_named_as_the_pages_name_them(world: World):
    _changes(world)
    c = client_for(world.users["owner"])
    html = c.get("/orgs/acme/audit/").content.decode()
    assert "<dt>Current</dt>" in html and "<dt>Notes</dt>" in html
    assert "<dt>current</dt>" not in html and "∅" not in html
    c.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    zh = c.get("/orgs/acme/audit/", HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert '<span class="audit-after" translate="no">部分實施</span>' in zh
    assert "<dt>現況</dt>" in zh and "（空白）" in zh


@pytest.mark.django_db
def test_a_large_import_is_summed_up_and_its_objects_folded(world: World):
    from csfpilot.webapp.profiles.exchange import import_profile_file

    import_profile_file(world.access("owner"), IMPORTED.encode(), filename="big.yaml")
    event = AuditEvent.objects.filter(action="import").latest("seq")
    assert event.changes["count"] == 29  # the profile and its 28 outcomes
    html = client_for(world.users["owner"]).get("/orgs/acme/audit/").content.decode()
    row = html[html.index('<details class="audit-bulk">') :]
    row = row[: row.index("</details>")]
    assert "29 objects: 1 × Profile created, 28 × Outcome changed" in row
    assert row.count("<li>") == 25
    assert "and 4 more objects:" in row
    assert 'href="/orgs/acme/audit/audit-trail.json"' in row
    assert "<dt>Current priority</dt>" in row and "<dt>current_priority</dt>" not in row
    assert "Fully implemented" in row and "High" in row


def test_values_are_shown_as_the_pages_show_them():
    from csfpilot.webapp.audit.presenting import name_of, shown_value

    assert shown_value("taken_at", "2026-09-30T17:00:00+00:00") == "2026-09-30 17:00"
    assert shown_value("digest", "a7754c1075d1b78076995284fb9433f5") == "a7754c1075d1…"
    assert shown_value("current", 3) == "3 – Defined"
    assert shown_value("target", "largely") == "Largely implemented"
    assert shown_value("role", "auditor") == "Auditor"
    assert shown_value("current_priority", "high") == "High"
    assert shown_value("notes", "") == ""
    assert name_of("current_priority") == "Current priority"
    assert name_of("target_details.policies") == "Target: policies, processes and procedures"
