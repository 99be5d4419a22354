"""Through the web app and the API: a template that goes off on a profile is a report error,
never a server error, and reports made at once are bounded per person and per installation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from csfpilot.webapp.reports.models import RenderSlot, ReportTemplate

from .test_render_limits import TIME_BOMB
from .test_report_web import SLUG, demo, member  # noqa: F401

pytestmark = pytest.mark.django_db


def arm(org, profile) -> None:
    """A time bomb stored as if it had passed its upload, and a profile that sets it off."""
    ReportTemplate.objects.create(organization=org, template=TIME_BOMB, template_name="bomb.html")
    profile.name = "BOOM 2026"
    profile.save(update_fields=["name"])


def test_a_template_that_goes_off_is_a_report_error_on_the_page(demo, settings):  # noqa: F811
    settings.CSFPILOT_REPORT_MAX_LOOP_ITERATIONS = 5000
    org, profile = demo
    arm(org, profile)
    client = member(org, "auditor")
    base = f"/orgs/{SLUG}/profiles/{profile.pk}/reports/"
    response = client.get(base + "brief.html", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(base, 302)]
    text = response.content.decode()
    assert "The report could not be made" in text
    assert "bomb.html:4" in text and "more than 5000 loop iterations" in text
    assert not RenderSlot.objects.exclude(holder="").exists()  # the slot is given back


def test_a_template_that_goes_off_is_a_400_problem_in_the_api(demo, settings):  # noqa: F811
    settings.CSFPILOT_REPORT_MAX_LOOP_ITERATIONS = 5000
    org, profile = demo
    arm(org, profile)
    client = member(org, "auditor")
    response = client.get(f"/api/organizations/{SLUG}/profiles/{profile.pk}/reports/brief")
    assert response.status_code == 400
    assert "more than 5000 loop iterations" in response.json()["detail"]


def hold(number: int, user_id: int, seconds: int = 60) -> None:
    RenderSlot.objects.update_or_create(
        number=number,
        defaults={
            "user_id": user_id,
            "holder": f"other-render-{number}",
            "expires_at": timezone.now() + timedelta(seconds=seconds),
        },
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "as many reports as one person may"), ("zh-hant", "同時產生的報告")],
)
def test_one_person_at_their_limit_gets_a_429_with_retry_after(demo, settings, language, words):  # noqa: F811
    settings.CSFPILOT_REPORT_CONCURRENCY = 4
    settings.CSFPILOT_REPORT_CONCURRENCY_PER_USER = 2
    settings.CSFPILOT_REPORT_RETRY_AFTER = 7
    org, profile = demo
    client = member(org, "auditor")
    me = org.memberships.get(role="auditor").user_id
    hold(0, me)
    hold(1, me)
    base = f"/orgs/{SLUG}/profiles/{profile.pk}/reports/"
    response = client.get(base + "brief.md", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 429
    assert response["Retry-After"] == "7"
    assert words in response.content.decode()
    # Someone else still gets their report: two slots are free.
    other = member(org, "viewer")
    assert other.get(base + "brief.md").status_code == 403  # viewers do not export
    owner = member(org, "owner")
    assert owner.get(base + "brief.md").status_code == 200


def test_a_full_installation_answers_429_in_the_api_and_expired_slots_are_taken_back(
    demo,  # noqa: F811
    settings,
):
    settings.CSFPILOT_REPORT_CONCURRENCY = 2
    settings.CSFPILOT_REPORT_RETRY_AFTER = 5
    org, profile = demo
    client = member(org, "auditor")
    hold(0, 10_001)
    hold(1, 10_002)
    url = f"/api/organizations/{SLUG}/profiles/{profile.pk}/reports/brief?format=md"
    busy = client.get(url)
    assert busy.status_code == 429 and busy["Retry-After"] == "5"
    assert busy["Content-Type"] == "application/problem+json"
    assert "Too many reports are being made" in busy.json()["detail"]
    # A holder whose process died: its slot is free again once it has expired.
    hold(1, 10_002, seconds=-1)
    assert client.get(url).status_code == 200
    assert RenderSlot.objects.get(number=1).holder == ""
