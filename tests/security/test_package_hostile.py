"""Hostile packages through the web upload and the API: every one refused with a clear
message (400, or 413 for an oversized upload), never a 500, and nothing stored.

The hostile packages are the shared corpus's (tests/security/corpus/payloads.py,
``package_payloads``), made from a real package exported here; the corpus test also sends
them through every other import. The format's own checks are tested one by one in
tests/formats/test_packages.py; this file drives the same inputs through the whole path
from upload to database, on the profile package import and on the sector exchange's.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.formats.packages import MAX_PACKAGE_BYTES, build_package
from csfpilot.webapp.packages import services
from csfpilot.webapp.packages.models import ImportedPackage, TrustedKey
from csfpilot.webapp.profiles.models import Profile
from tests.security.corpus.payloads import package_payloads
from tests.webapp.profiles_world import build_world, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    w = build_world()
    profile = w.profile("Plant")
    good = services.export_profile(w.access("owner"), profile.pk, "no-text").data
    client = Client()
    client.force_login(w.outsider)
    return w, good, client


def _counts() -> tuple[int, int, int]:
    return Profile.objects.count(), ImportedPackage.objects.count(), TrustedKey.objects.count()


def test_every_hostile_package_is_refused_on_the_api_and_the_page(setup):
    _, good, client = setup
    before = _counts()
    for label, data in package_payloads(good).items():
        upload = SimpleUploadedFile("evil.json", data, content_type="application/json")
        api = client.post(
            "/api/organizations/globex/packages/import",
            {"file": upload, "accept_untrusted": "true"},
        )
        assert api.status_code == 400, (label, api.status_code, api.content[:300])
        assert api.json()["detail"], label
        upload = SimpleUploadedFile("evil.json", data, content_type="application/json")
        page = client.post(
            "/orgs/globex/packages/import/",
            {"file": upload, "action": "import", "accept_untrusted": "on"},
        )
        assert page.status_code == 200, label
        # Refused by the reader, or (an empty file) by the form itself.
        assert page.context.get("refused") or page.context["form"].errors, label
    assert _counts() == before


def test_every_hostile_package_is_refused_by_the_sector_exchange(setup):
    """The sector body's contribution upload lists each refused with its reason and keeps
    none; a member's aggregate import refuses each with 400 (API) or a message (page)."""
    from csfpilot.webapp.sectors import stewardship
    from csfpilot.webapp.sectors.models import ReceivedAggregate, RemoteContribution

    _, good, client = setup
    steward = make_user("steward@sector.test")
    stewardship.appoint("energy", steward.email)
    body = Client()
    body.force_login(steward)
    payloads = package_payloads(good)
    files = [SimpleUploadedFile(f"{i}.json", d) for i, d in enumerate(payloads.values())]
    api = body.post("/api/sectors/energy/contributions", {"file": files})
    assert api.status_code == 200
    assert all(not r["accepted"] and r["reason"] for r in api.json())
    assert len(api.json()) == len(payloads)
    files = [SimpleUploadedFile(f"{i}.json", d) for i, d in enumerate(payloads.values())]
    page = body.post("/sectors/energy/exchange/contributions/", {"file": files})
    assert page.status_code == 200
    assert all(r.row is None and r.reason for r in page.context["received"])
    for label, data in payloads.items():
        upload = SimpleUploadedFile("evil.json", data)
        got = client.post("/api/organizations/globex/benchmark/aggregate", {"file": upload})
        assert got.status_code == 400 and got.json()["detail"], label
        upload = SimpleUploadedFile("evil.json", data)
        got = client.post("/orgs/globex/benchmark/aggregate/", {"file": upload})
        assert got.status_code == 302, label
    assert not RemoteContribution.objects.exists() and not ReceivedAggregate.objects.exists()


def test_an_oversized_package_is_refused_before_it_is_read(setup, settings):
    _, good, client = setup
    big = good + b" " * (MAX_PACKAGE_BYTES - len(good) + 1)
    upload = SimpleUploadedFile("big.json", big, content_type="application/json")
    got = client.post("/api/organizations/globex/packages/verify", {"file": upload})
    assert got.status_code in (400, 413)


def test_a_replayed_package_is_refused(setup):
    _, good, client = setup
    upload = SimpleUploadedFile("p.json", good, content_type="application/json")
    first = client.post(
        "/api/organizations/globex/packages/import", {"file": upload, "accept_untrusted": "true"}
    )
    assert first.status_code == 201
    upload = SimpleUploadedFile("p.json", good, content_type="application/json")
    again = client.post(
        "/api/organizations/globex/packages/import",
        {"file": upload, "accept_untrusted": "true", "name": "Other name"},
    )
    assert again.status_code == 400 and "replay" in again.json()["detail"]


def test_an_unsigned_package_is_untrusted():
    data = build_package("profile", {"scores.json": {}}, "scores", None, producer="Anyone")
    assert data  # readers mark it untrusted: tests/formats/test_packages.py
