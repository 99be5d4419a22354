"""Whole profile pages kept for their reader (profiles/page_cache.py) are never another
reader's, never stale, and carry the reader's own working CSRF token."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from csfpilot.webapp.organizations import services as org_services
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import page_cache, services
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def _client(world: World, role: str, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(world.users[role])
    return client


def _url(name: str, row: m.Profile) -> str:
    return reverse(f"profiles:{name}", args=["acme", row.pk])


def _rate(world: World, row: m.Profile, code: str, **values) -> None:
    version = m.ProfileOutcome.objects.get(profile=row, code=code).version
    services.update_outcome(world.access("owner"), row.pk, code, values, expected_version=version)


def _kept(client: Client, url: str) -> str:
    """The page as served from what was kept: drawn, drawn again once the session has
    recorded the first visit (a session's change moves the identity generation), then kept."""
    client.get(url)
    client.get(url)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _fresh(client: Client, url: str) -> str:
    caches[page_cache.ALIAS].clear()
    return client.get(url).content.decode()


def _same_page(a: str, b: str) -> bool:
    return TOKEN.sub("", a) == TOKEN.sub("", b)


def test_a_kept_page_is_served_without_being_drawn_again(world: World, monkeypatch):
    row = world.profile()
    client = _client(world, "viewer")
    url = _url("dashboard", row)
    client.get(url)
    client.get(url)
    drawn = []
    real = page_cache.report_key.state

    def counted(*args, **kwargs):
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(page_cache.report_key, "state", counted)
    monkeypatch.setattr(
        "csfpilot.webapp.profiles.dashboard_views.queries.dashboard",
        lambda *a, **k: pytest.fail("the kept dashboard was drawn again"),
    )
    assert client.get(url).status_code == 200
    assert drawn == [1]  # only its key was read


@pytest.mark.parametrize("name", ["overview", "dashboard", "assess"])
def test_each_readers_kept_page_has_a_working_token_of_their_own(world: World, name: str):
    row = world.profile()
    client = _client(world, "owner", enforce_csrf_checks=True)
    html = _kept(client, _url(name, row))
    tokens = TOKEN.findall(html)
    assert tokens and page_cache._PLACEHOLDER not in html
    # The sign-out form of the kept page works: the token is this session's.
    signed_out = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens[-1]})
    assert signed_out.status_code == 302
    forged = _client(world, "owner", enforce_csrf_checks=True)
    forged.get(_url(name, row))
    assert (
        forged.post(reverse("account_logout"), {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    )


def test_another_reader_never_gets_the_first_readers_page(world: World):
    row = world.profile()
    url = _url("dashboard", row)
    owner_page = _kept(_client(world, "owner"), url)
    viewer_page = _kept(_client(world, "viewer"), url)
    assert "owner@acme.test" in owner_page and "owner@acme.test" not in viewer_page
    assert "viewer@acme.test" in viewer_page


def test_the_readers_new_email_shows_on_the_next_view(world: World):
    row = world.profile()
    client = _client(world, "viewer")
    url = _url("overview", row)
    assert "viewer@acme.test" in _kept(client, url)
    user = world.users["viewer"]
    user.email = "reader@acme.test"
    user.save(update_fields=["email"])
    after = client.get(url).content.decode()
    assert "reader@acme.test" in after and "viewer@acme.test" not in after


@pytest.mark.parametrize("change", ["rating", "snapshot", "tiers", "organization name"])
def test_a_change_shows_on_the_next_view_as_if_drawn_anew(world: World, change: str):
    row = world.profile()
    _rate(world, row, "GV.OC-01", current="partially", target="fully")
    owner = world.access("owner")
    client = _client(world, "viewer")
    urls = [_url(name, row) for name in ("overview", "dashboard", "assess")]
    before = [_kept(client, url) for url in urls]
    if change == "rating":
        _rate(world, row, "GV.OC-02", current="largely", target="fully")
    elif change == "snapshot":
        services.take_snapshot(owner, row.pk, label="Board review Q3")
    elif change == "tiers":
        row.refresh_from_db()
        services.set_tiers(
            owner, row.pk, {"governance": {"current": 3, "target": 4}}, expected_version=row.version
        )
    else:
        org_services.rename_organization(owner, "Acme Holdings")
    after = [client.get(url).content.decode() for url in urls]
    assert any(not _same_page(a, b) for a, b in zip(before, after, strict=True)), change
    for url, page in zip(urls, after, strict=True):
        assert _same_page(page, _fresh(client, url)), (change, url)
    if change == "organization name":
        assert all("Acme Holdings" in page for page in after)


def test_a_message_waiting_is_shown_once_and_the_page_with_it_is_not_kept(world: World):
    row = world.profile()
    client = _client(world, "viewer")
    url = _url("overview", row)
    _kept(client, url)
    storage = CookieStorage(HttpRequest())
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Imported: 12 rows")])
    assert "Imported: 12 rows" in client.get(url).content.decode()
    assert "Imported: 12 rows" not in client.get(url).content.decode()


def _kept_pages() -> int:
    return sum(":page:" in key for key in caches[page_cache.ALIAS]._cache)


def test_pages_asked_for_with_a_query_or_by_htmx_are_not_kept(world: World):
    row = world.profile()
    client = _client(world, "viewer")
    for n in range(3):
        assert client.get(_url("assess", row) + f"?outcome=GV.OC-0{n + 1}").status_code == 200
        assert client.get(_url("dashboard", row), headers={"HX-Request": "true"}).status_code == 200
        assert client.get(_url("overview", row) + f"?junk={n}").status_code == 200
    assert _kept_pages() == 0
    client.get(_url("overview", row))
    assert _kept_pages() == 1
