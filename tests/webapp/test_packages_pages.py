"""The package pages in Traditional Chinese, with every state shown (keys, trusted
partners, export preview, an import checked, refused and done), with no English UI left."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.webapp.packages import services
from tests.webapp.profiles_world import build_world
from tests.webapp.test_zh_hant_pages import ZH, untranslated

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients():
    w = build_world()
    profile = w.profile("Plant")
    services.trust(w.access("owner"), "ab12" * 10, "Globex Taiwan")
    services.rotate(w.access("owner"))
    data = services.export_profile(w.access("owner"), profile.pk, "no-text").data
    acme, globex = Client(), Client()
    acme.force_login(w.users["owner"])
    globex.force_login(w.outsider)
    return w, profile, data, acme, globex


def _clean(response) -> None:
    assert response.status_code == 200
    assert untranslated(response.content.decode()) == []


def test_the_package_pages_are_translated(clients):
    _, profile, data, acme, globex = clients
    _clean(acme.get("/orgs/acme/keys/", **ZH))
    _clean(globex.get("/orgs/globex/keys/", **ZH))  # the empty states
    for level in ("full", "no-text", "scores"):
        _clean(acme.get(f"/orgs/acme/profiles/{profile.pk}/package/?level={level}", **ZH))
    _clean(globex.get("/orgs/globex/packages/import/", **ZH))
    checked = globex.post(
        "/orgs/globex/packages/import/",
        {"file": SimpleUploadedFile("p.json", data), "action": "check"},
        **ZH,
    )
    _clean(checked)
    assert "內容完整，但簽署金鑰不在您的信任清單中" in checked.content.decode()
    refused = globex.post(
        "/orgs/globex/packages/import/",
        {"file": SimpleUploadedFile("p.json", b"{}"), "action": "check"},
        **ZH,
    )
    assert refused.status_code == 200 and refused.context["refused"]
    done = globex.post(
        "/orgs/globex/packages/import/",
        {"token": checked.context["token"], "action": "import", "accept_untrusted": "on"},
        **ZH,
    )
    assert done.status_code == 302
    _clean(globex.get("/orgs/globex/packages/import/", **ZH))  # with the history


def test_viewers_see_keys_but_no_forms(clients):
    w, *_ = clients
    viewer = Client()
    viewer.force_login(w.users["viewer"])
    page = viewer.get("/orgs/acme/keys/").content.decode()
    assert "Globex Taiwan" in page and "Trust this key" not in page and "Rotate" not in page
