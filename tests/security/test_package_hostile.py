"""Hostile packages through the web upload and the API: every one refused with a clear
message (400, or 413 for an oversized upload), never a 500, and nothing stored.

The format's own checks are tested one by one in tests/formats/test_packages.py; this
file drives the same inputs through the whole path from upload to database.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.formats.packages import MAX_PACKAGE_BYTES, Signer, build_package, canonical
from csfpilot.webapp.packages import services
from csfpilot.webapp.packages.models import ImportedPackage, TrustedKey
from csfpilot.webapp.profiles.models import Profile
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db


def _zip_slip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../../etc/cron.d/x", "* * * * * root true")
        zf.writestr("manifest.json", "{}")
    return buffer.getvalue()


def _forged(good: bytes) -> bytes:
    doc = json.loads(good)
    value = bytearray(base64.b64decode(doc["signature"]["value"]))
    value[10] ^= 0xFF
    doc["signature"]["value"] = base64.b64encode(bytes(value)).decode()
    return canonical(doc)


def _swapped_key(good: bytes) -> bytes:
    doc = json.loads(good)
    doc["signature"]["public_key"] = base64.b64encode(Signer.generate("x").public_key).decode()
    return canonical(doc)


def _payloads(good: bytes) -> dict[str, bytes]:
    return {
        "empty": b"",
        "not json": b"\x00\x01\x02",
        "zip slip": _zip_slip(),
        "deep nesting": b"[" * 100_000 + b"]" * 100_000,
        "duplicate keys": good.replace(b'{"files":', b'{"files":{},"files":', 1),
        "forged signature": _forged(good),
        "swapped key": _swapped_key(good),
        "huge number": good.replace(b'"format_version":1', b'"format_version":' + b"9" * 5000, 1),
        "non-canonical": json.dumps(json.loads(good), indent=2).encode(),
        "utf-16": good.decode().encode("utf-16"),
        "nan": good.replace(b'"format_version":1', b'"format_version":NaN', 1),
        "unknown member": canonical(
            {**json.loads(good), "members": {**json.loads(good)["members"], "evil.json": {}}}
        ),
    }


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
    for label, data in _payloads(good).items():
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
