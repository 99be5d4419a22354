"""Laid-out reports kept by content: an unchanged report is not laid out again, and any change
to what it shows (a rating, a note, the language, the template, the day) gives a new file."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from csfpilot.webapp.demo import DEMO_ORGANIZATION, ensure_demo
from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.profiles.models import Profile, ProfileOutcome
from csfpilot.webapp.reports import render_cache, rendering
from csfpilot.webapp.reports.models import RenderSlot, ReportTemplate
from tests.webapp.profiles_world import make_user

pytestmark = pytest.mark.django_db
SLUG = DEMO_ORGANIZATION[1]


@pytest.fixture
def world(monkeypatch):
    org = ensure_demo()
    profile = Profile.objects.filter(organization=org, kind="organizational").order_by("pk").first()
    user = make_user("reader@cache.test")
    Membership.objects.create(user=user, organization=org, role="assessor")
    client = Client()
    client.force_login(user)
    made: list[str] = []
    real = rendering.render_report

    def counting(report, fmt, **kwargs):
        made.append(fmt)
        return real(report, fmt, **kwargs)

    monkeypatch.setattr(rendering, "render_report", counting)
    return org, profile, client, made


def _get(client, profile, fmt="md", kind="workpaper", **headers):
    response = client.get(f"/orgs/{SLUG}/profiles/{profile.pk}/reports/{kind}.{fmt}", **headers)
    assert response.status_code == 200
    return response.content


def test_an_unchanged_report_is_laid_out_once(world):
    _org, profile, client, made = world
    first = _get(client, profile)
    second = _get(client, profile)
    assert second == first
    assert made == ["md"]
    _get(client, profile, fmt="xlsx")
    assert made == ["md", "xlsx"]  # another format is another file


def test_a_changed_rating_or_note_gives_a_new_file(world):
    _org, profile, client, made = world
    before = _get(client, profile)
    row = ProfileOutcome.objects.filter(profile=profile, code="GV.OC-01").get()
    row.notes = "Reviewed by the board in March."
    row.version += 1
    row.save()
    after = _get(client, profile)
    assert made == ["md", "md"]
    assert b"Reviewed by the board in March." in after
    assert b"Reviewed by the board in March." not in before


def test_the_language_and_the_template_are_part_of_the_key(world):
    org, profile, client, made = world
    english = _get(client, profile, kind="brief", fmt="html")
    chinese = _get(client, profile, kind="brief", fmt="html", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert english != chinese and len(made) == 2
    ReportTemplate.objects.create(
        organization=org,
        template='{% extends "brief.html" %}{% block title %}Board pack{% endblock %}',
        template_name="pack.html",
    )
    branded = _get(client, profile, kind="brief", fmt="html")
    assert branded != english and len(made) == 3


def test_a_cached_report_needs_no_render_slot(world, settings):
    _org, profile, client, made = world
    first = _get(client, profile)
    settings.CSFPILOT_REPORT_CONCURRENCY = 1
    with rendering.slot(None):  # the installation is making as many reports as it may
        assert RenderSlot.objects.exclude(holder="").count() == 1
        assert _get(client, profile) == first
    assert made == ["md"]


def test_the_minute_it_was_made_is_not_part_of_the_key_but_the_day_is(world):
    from dataclasses import replace

    from csfpilot.webapp.organizations.permissions import find_access
    from csfpilot.webapp.reports import queries

    org, profile, _client, _made = world
    owner = make_user("owner@cache.test")
    Membership.objects.create(user=owner, organization=org, role="owner")
    access = find_access(owner, org.slug)
    report = queries.report(access, profile.pk, "brief")
    look = queries.look(access)
    later = replace(report, meta={**report.meta, "generated": "2099-01-01T00:00"})
    assert render_cache.key(later, "pdf", look) == render_cache.key(report, "pdf", look)
    next_day = replace(report, meta={**report.meta, "today": "2099-01-01"})
    assert render_cache.key(next_day, "pdf", look) != render_cache.key(report, "pdf", look)
    assert render_cache.key(report, "docx", look) != render_cache.key(report, "pdf", look)


def test_the_servers_file_cache_shares_reports_between_processes(tmp_path):
    location = str(tmp_path / "reports")
    files = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": location,
    }
    from django.conf import settings

    with override_settings(CACHES={**settings.CACHES, "reports": files}):
        render_cache.put("report:abc", b"%PDF-1.7 made once")
        assert render_cache.get("report:abc") == b"%PDF-1.7 made once"
        assert any((tmp_path / "reports").iterdir())
    with override_settings(CACHES={**settings.CACHES, "reports": files}):
        caches["reports"].close()
        # Another handler over the same folder (as another worker would have) finds it.
        assert render_cache.get("report:abc") == b"%PDF-1.7 made once"


def test_a_file_over_the_size_limit_is_not_kept(settings):
    settings.CSFPILOT_REPORT_CACHE_MAX_MB = 1
    render_cache.put("report:big", b"x" * (1024 * 1024 + 1))
    assert render_cache.get("report:big") is None
