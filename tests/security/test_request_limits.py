"""Request bodies are refused by size before any of it is read (issue #14, item 9), through
the real middleware stack; tests/serving/test_upload_refusals.py streams real uploads at a
live server."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.webapp.profiles_world import World

pytest_plugins = ["tests.webapp.profiles_world"]
pytestmark = pytest.mark.django_db

LIMIT = 10_000


@pytest.fixture
def owner(world: World) -> Client:
    client = Client()
    client.force_login(world.users["owner"])
    return client


@override_settings(CSFPILOT_MAX_REQUEST_BYTES=LIMIT)
@pytest.mark.parametrize(
    "path", ["/orgs/acme/profiles/import/", "/api/organizations/acme/profiles/import"]
)
def test_a_body_over_the_limit_is_refused_with_413(owner: Client, path: str):
    response = owner.generic("POST", path, b"x" * (LIMIT + 1), content_type="text/plain")
    assert response.status_code == 413
    text = response.content.decode()
    assert "10,001 bytes" in text and "10,000" in text and "CSFPILOT_MAX_REQUEST_MB" in text
    if path.startswith("/api/"):
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["title"] == "Request body too large"
    # At the limit it goes on to the view (which refuses what it is, not its size).
    assert owner.generic("POST", path, b"x" * LIMIT).status_code != 413


def test_a_body_without_a_length_is_refused_with_411(owner: Client):
    response = owner.generic(
        "POST",
        "/api/organizations/acme/profiles/import",
        b"",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",
    )
    assert response.status_code == 411


def test_the_default_limit_is_nginx_s(settings):
    from csfpilot.webapp.config import settings as real

    assert real.CSFPILOT_MAX_REQUEST_BYTES == 25 * 1024 * 1024


@pytest.mark.parametrize("role", ["viewer", "contributor", "auditor"])
def test_uploads_without_the_permission_are_refused_before_the_body(world: World, role: str):
    # The answers are those the views give; request_limits.py gives them before the CSRF
    # check reads the body (the live test shows that it is not read).
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[role])
    pk = world.profile().pk
    upload = {"file": ("p.yaml", b"x" * 5000)}
    for path in [
        "/orgs/acme/profiles/import/",
        f"/orgs/acme/profiles/{pk}/exchange/import/",
        f"/orgs/acme/profiles/{pk}/reports/",
        "/orgs/acme/jobs/import/",
    ]:
        assert client.post(path, upload).status_code == 403, path
    outsider = Client(enforce_csrf_checks=True)
    outsider.force_login(world.outsider)
    assert outsider.post("/orgs/acme/profiles/import/", upload).status_code == 404
    anonymous = Client(enforce_csrf_checks=True).post("/orgs/acme/profiles/import/", upload)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
