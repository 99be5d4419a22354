"""Pages, API answers and downloads with an organization's data say ``Cache-Control: no-store``
(issue #14, item 10), so that neither the browser's disk cache nor a shared proxy keeps them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.webapp.profiles_world import World

pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(world: World) -> Client:
    client = Client()
    client.force_login(world.users["owner"])
    return client


def _paths(world: World) -> list[str]:
    pk = world.profile().pk
    api = f"/api/organizations/acme/profiles/{pk}"
    return [
        "/orgs/acme/",
        reverse("profiles:overview", args=["acme", pk]),
        reverse("profiles:dashboard", args=["acme", pk]),
        reverse("profiles:plan", args=["acme", pk]),
        # Downloads: the profile file and a report.
        reverse("profiles:export", args=["acme", pk]),
        reverse("reports:download", args=["acme", pk, "workpaper", "xlsx"]),
        reverse("reports:download", args=["acme", pk, "brief", "md"]),
        # API answers.
        f"{api}",
        f"{api}/outcomes",
        f"{api}/scores",
        f"{api}/gaps",
        "/api/organizations/acme",
    ]


def test_organization_data_is_never_stored_by_a_cache(world: World, owner: Client):
    for path in _paths(world):
        response = owner.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


def test_refusals_and_the_sign_in_page_are_not_stored_either(world: World):
    anonymous = Client()
    for path in ("/orgs/acme/", "/api/organizations/acme", "/accounts/login/"):
        response = anonymous.get(path)
        assert "no-store" in response["Cache-Control"], path


def test_a_view_that_chose_its_cache_header_keeps_it(client: Client):
    # The health endpoints use Django's never_cache, which says more than no-store.
    assert "must-revalidate" in client.get("/healthz")["Cache-Control"]
