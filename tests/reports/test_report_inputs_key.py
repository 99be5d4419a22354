"""Reports kept by the state of their inputs (webapp/reports/report_key.py).

An unchanged report is served without building its model; every input that changes the
report gives a report made anew, showing the change: a rating, a note, evidence, a
reviewer's e-mail, the action plan, a snapshot, the Tiers, the organization's name, its
template, the language, the day, and the transfer sections and the crosswalks under them.
The changes are made the ways they happen (services, the API), and some by plain writes
that leave no audit event, which the key must see all the same.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from csfpilot.webapp.evidence import models as ev
from csfpilot.webapp.organizations import services as organizations
from csfpilot.webapp.profiles import exchange, services
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.reports import queries
from csfpilot.webapp.reports.models import ReportTemplate
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


class Reports:
    """Downloads of one profile's reports through the API, counting the models built."""

    def __init__(self, world: World, monkeypatch) -> None:
        self.world = world
        self.row = world.profile("Clinic")
        self.owner = world.access("owner")
        self.rate("PR.AA-01", current="partially", target="fully")
        self.client = Client()
        self.client.force_login(world.users["owner"])
        self.built = 0
        real = queries.report

        def counting(*args, **kwargs):
            self.built += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(queries, "report", counting)

    def rate(self, code: str, **values) -> None:
        version = m.ProfileOutcome.objects.get(profile=self.row, code=code).version
        services.update_outcome(self.owner, self.row.pk, code, values, expected_version=version)

    def get(self, kind: str = "workpaper", fmt: str = "md", **params) -> str:
        url = f"/api/organizations/acme/profiles/{self.row.pk}/reports/{kind}"
        response = self.client.get(url, {"format": fmt, **params})
        assert response.status_code == 200, response.content[:300]
        return response.content.decode()

    def unchanged(self, **params) -> str:
        """The report, asked for twice: the second time its model is not built."""
        first = self.get(**params)
        built = self.built
        assert self.get(**params) == first
        assert self.built == built
        return first

    def made_anew(self, **params) -> str:
        built = self.built
        body = self.get(**params)
        assert self.built == built + 1
        return body


@pytest.fixture
def reports(world: World, monkeypatch) -> Reports:
    return Reports(world, monkeypatch)


def test_an_unchanged_report_is_read_from_the_inputs_state_in_one_statement(reports: Reports):
    reports.get()
    with CaptureQueriesContext(connection) as ctx:
        reports.get()
    sql = [q["sql"] for q in ctx.captured_queries]
    # the identity generation, the inputs' state, and the download's audit event (BEGIN,
    # the chain's last event, on PostgreSQL its lock, the event, COMMIT)
    lock = 1 if connection.vendor == "postgresql" else 0
    assert len(sql) == 6 + lock, sql
    assert sum("audit_last_change" in s or "profiles_profileoutcome" in s for s in sql) == 1
    assert reports.built == 1


def test_a_changed_rating_through_the_api(reports: Reports):
    before = reports.unchanged()
    row = m.ProfileOutcome.objects.get(profile=reports.row, code="PR.AA-01")
    response = reports.client.patch(
        f"/api/organizations/acme/profiles/{reports.row.pk}/outcomes/PR.AA-01",
        data=json.dumps({"version": row.version, "current": "largely"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    after = reports.made_anew()
    assert after != before and "Largely" in after.split("PR.AA-01", 1)[1][:2000]


def test_a_changed_note_even_by_a_plain_write(reports: Reports):
    reports.unchanged()
    m.ProfileOutcome.objects.filter(profile=reports.row, code="PR.AA-01").update(
        notes="Reviewed by the board in March.", version=F("version") + 1
    )
    assert "Reviewed by the board in March." in reports.made_anew()


def test_changed_evidence_and_its_reviewers_e_mail(reports: Reports):
    reports.rate("PR.AA-01", current_evidence=["Badge audit 2025"])
    reports.unchanged()
    item = ev.EvidenceItem.objects.get(organization=reports.world.org, title="Badge audit 2025")
    # A plain write, as a repair in the database would be: no audit event.
    ev.EvidenceItem.objects.filter(pk=item.pk).update(
        title="Badge audit 2026", version=F("version") + 1
    )
    body = reports.made_anew()
    assert "Current · Badge audit 2026" in body and "Current · Badge audit 2025" not in body
    link = ev.EvidenceLink.objects.get(profile=reports.row, item=item)
    from csfpilot.webapp.evidence import services as evidence

    evidence.review(reports.owner, link.pk, "accepted")
    assert "owner@acme.test" in reports.made_anew()
    reports.unchanged()
    get_user_model().objects.filter(email="owner@acme.test").update(email="ciso@acme.test")
    body = reports.made_anew()
    assert "ciso@acme.test" in body and "owner@acme.test" not in body


def test_the_action_plan(reports: Reports):
    reports.unchanged()
    services.create_action(
        reports.owner,
        reports.row.pk,
        {"title": "Roll out hardware keys", "outcomes": ["PR.AA-01"]},
    )
    assert "Roll out hardware keys" in reports.made_anew()


def test_a_snapshot(reports: Reports):
    before = reports.unchanged(kind="brief", fmt="html")
    exchange.take_snapshot(
        reports.owner, reports.row.pk, label="Q1", taken_at=timezone.now() - timedelta(days=30)
    )
    assert reports.made_anew(kind="brief", fmt="html") != before


def test_the_tiers(reports: Reports):
    before = reports.unchanged()
    version = m.Profile.objects.get(pk=reports.row.pk).version
    services.set_tiers(
        reports.owner,
        reports.row.pk,
        {"governance": {"current": 2, "current_rationale": "Policies approved in 2025."}},
        expected_version=version,
    )
    after = reports.made_anew()
    assert after != before and "Policies approved in 2025." in after


def test_the_organizations_name(reports: Reports):
    reports.unchanged(kind="brief", fmt="html")
    organizations.rename_organization(reports.owner, "Acme Health")
    assert "Acme Health" in reports.made_anew(kind="brief", fmt="html")


def test_the_organizations_template(reports: Reports):
    reports.unchanged(kind="brief", fmt="html")
    ReportTemplate.objects.create(
        organization=reports.world.org,
        template='{% extends "brief.html" %}{% block title %}Board pack{% endblock %}',
        template_name="pack.html",
    )
    assert "Board pack" in reports.made_anew(kind="brief", fmt="html")
    # A plain write of the colour alone (its time of change stays as it was).
    ReportTemplate.objects.filter(organization=reports.world.org).update(accent="#aa0000")
    assert "#aa0000" in reports.made_anew(kind="brief", fmt="html").lower()


def test_the_language(reports: Reports):
    english = reports.unchanged(kind="brief", fmt="html")
    chinese = reports.made_anew(kind="brief", fmt="html", lang="zh-hant")
    assert chinese != english
    assert reports.unchanged(kind="brief", fmt="html", lang="zh-hant") == chinese


def test_the_day(reports: Reports, monkeypatch):
    today = reports.unchanged(kind="brief", fmt="html")
    real = timezone.localdate

    def tomorrow(*args, **kwargs):
        return real(*args, **kwargs) + timedelta(days=1)

    monkeypatch.setattr(timezone, "localdate", tomorrow)
    after = reports.made_anew(kind="brief", fmt="html")
    assert tomorrow().isoformat() in after and after != today


def test_the_transfer_sections_and_the_crosswalks_under_them(reports: Reports):
    from csfpilot.webapp.catalog.models import MappingDataset

    plain = reports.unchanged(fmt="html")
    transferred = reports.made_anew(fmt="html", transfer_to="sp800-53r5")
    assert "olir-sp800-53r5-5.2.0" in transferred and "olir-sp800-53r5-5.2.0" not in plain
    assert reports.unchanged(fmt="html", transfer_to="sp800-53r5") == transferred
    # The crosswalk under the section is reviewed (a plain write, no audit event): the
    # section is made again.
    MappingDataset.objects.filter(key="olir-sp800-53r5-5.2.0").update(
        reviewed_by="Second reviewer", reviewed_at=timezone.now()
    )
    reports.made_anew(fmt="html", transfer_to="sp800-53r5")
    # Without sections, the crosswalks are not part of what the report is made from.
    assert reports.unchanged(fmt="html") == plain


def test_another_organizations_change_keeps_the_report(reports: Reports):
    reports.unchanged()
    other = reports.world.other_access()
    services.create_profile(other, name="Globex plant")
    built = reports.built
    reports.get()
    assert reports.built == built
