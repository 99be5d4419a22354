"""A person's first steps: where sign-in lands, an empty profile's dashboard, which tab
each page marks, and the profile's exports in one menu."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from csfpilot.webapp.organizations.models import Membership
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from tests.webapp.profiles_world import World

pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client: Client, email: str, next_url: str = ""):
    return client.post(
        LOGIN + (f"?next={next_url}" if next_url else ""),
        {"login": email, "password": "not used here"},
    )


def client_for(world: World, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


# -- where sign-in lands ----------------------------------------------------------------------


def test_sign_in_opens_the_dashboard_of_the_profile_changed_last(world: World, client):
    older = world.profile("Plant 1")
    newer = world.profile("Plant 2")
    services.create_profile(world.access("owner"), name="Sector target", kind="community")
    # A later change to the older profile makes it the one worked on last.
    m.Profile.objects.filter(pk=older.pk).update(updated_at=timezone.now() + timedelta(minutes=5))
    response = sign_in(client, "viewer@acme.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("profiles:dashboard", args=["acme", older.pk])
    assert newer.pk != older.pk


def test_a_community_profile_is_opened_only_when_there_is_nothing_else(world: World, client):
    community = services.create_profile(world.access("owner"), name="Target", kind="community")
    response = sign_in(client, "owner@acme.test")
    assert response["Location"] == reverse("profiles:dashboard", args=["acme", community.pk])


def test_without_profiles_sign_in_opens_the_only_organization_or_the_list(world: World, client):
    assert sign_in(client, "owner@acme.test")["Location"] == "/orgs/acme/"
    Membership.objects.create(user=world.users["owner"], organization=world.other, role="viewer")
    client.logout()
    assert sign_in(client, "owner@acme.test")["Location"] == "/orgs/"


def test_another_organizations_profile_is_never_where_sign_in_lands(world: World, client):
    services.create_profile(world.other_access(), name="Globex only")
    assert sign_in(client, "owner@acme.test")["Location"] == "/orgs/acme/"


def test_a_page_asked_for_before_sign_in_still_wins(world: World, client):
    world.profile()
    response = sign_in(client, "owner@acme.test", next_url="/orgs/acme/members/")
    assert response["Location"] == "/orgs/acme/members/"


# -- an empty profile's dashboard ---------------------------------------------------------------


def test_an_empty_profiles_dashboard_offers_the_questionnaire(world: World):
    row = world.profile()
    html = (
        client_for(world, "owner")
        .get(reverse("profiles:dashboard", args=["acme", row.pk]))
        .content.decode()
    )
    assert "Nothing is rated yet" in html
    start = reverse("profiles:assess", args=["acme", row.pk])
    assert f'<a class="button" href="{start}">Start the questionnaire</a>' in html
    # No claim about gaps when nothing can be compared.
    assert "0 outcomes are below target" not in html
    assert "0 outcomes below target" not in html
    assert "No outcome has both a current and a target rating yet" in html
    assert "needs a current and a target rating" in html


def test_a_viewer_is_told_who_answers_instead_of_a_button(world: World):
    row = world.profile()
    html = (
        client_for(world, "viewer")
        .get(reverse("profiles:dashboard", args=["acme", row.pk]))
        .content.decode()
    )
    assert "Nothing is rated yet" in html and "Start the questionnaire" not in html
    assert "an owner or assessor answers the questionnaire" in html


def test_once_both_sides_are_rated_the_dashboard_counts_gaps(world: World):
    row = world.profile()
    version = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01").version
    services.update_outcome(
        world.access("owner"),
        row.pk,
        "GV.OC-01",
        {"current": "not", "target": "fully"},
        expected_version=version,
    )
    html = (
        client_for(world, "owner")
        .get(reverse("profiles:dashboard", args=["acme", row.pk]))
        .content.decode()
    )
    assert "Nothing is rated yet" not in html
    assert "1 outcome is below target." in html
    assert "needs a current and a target rating" not in html


# -- which tab is current ------------------------------------------------------------------------


def _current_tabs(html: str, nav_class: str) -> list[str]:
    nav = html[html.index(f'<nav class="{nav_class}"') :]
    nav = nav[: nav.index("</nav>")]
    return re.findall(r'aria-current="page">([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("path", "tab"),
    [
        ("/orgs/acme/", "Overview"),
        ("/orgs/acme/profiles/", "Profiles"),
        ("/orgs/acme/profiles/import/", "Profiles"),
        ("/orgs/acme/benchmark/", "Benchmark"),
        ("/orgs/acme/members/", "Members"),
        ("/orgs/acme/jobs/", "Jobs"),
        ("/orgs/acme/audit/", "Audit trail"),
        ("/orgs/acme/settings/", "Settings"),
    ],
)
def test_each_organization_page_marks_its_own_tab(world: World, path: str, tab: str):
    html = client_for(world, "owner").get(path).content.decode()
    assert _current_tabs(html, "org-tabs") == [tab]


@pytest.mark.parametrize(
    ("page", "crumb"),
    [
        ("settings", "Settings"),
        ("exchange_import", "Import from Excel or OSCAL"),
        ("derive", "Derive the target"),
    ],
)
def test_a_profiles_own_pages_mark_no_tab_and_name_themselves(world: World, page, crumb):
    row = world.profile()
    html = (
        client_for(world, "owner")
        .get(reverse(f"profiles:{page}", args=["acme", row.pk]))
        .content.decode()
    )
    assert _current_tabs(html, "profile-tabs") == []
    assert f'<span aria-current="page">{crumb}</span>' in html
    assert f'<a href="{reverse("profiles:overview", args=["acme", row.pk])}">' in html


def test_the_overview_groups_exports_and_imports_in_one_menu(world: World):
    row = world.profile()
    html = (
        client_for(world, "owner")
        .get(reverse("profiles:overview", args=["acme", row.pk]))
        .content.decode()
    )
    head = html[html.index('<div class="toolbar">') : html.index('<nav class="profile-tabs"')]
    menu = head[head.index('<details class="action-menu"') : head.index("</details>")]
    assert "Export and import" in menu
    for label in (
        "Profile as YAML",
        "Profile as JSON",
        "Excel (NIST template)",
        "OSCAL assessment results",
        "Import from Excel/OSCAL",
    ):
        assert label in menu
    # Beside the menu only the questionnaire and the settings remain as buttons.
    outside = head.replace(menu, "")
    assert outside.count('class="button') == 2
