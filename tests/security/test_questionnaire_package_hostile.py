"""Hostile questionnaire and answer packages through the supplier API routes and the import
page: every one refused with a clear message (400, or 413 when oversized), never a 500, and
nothing stored. The same corpus as tests/security/test_package_hostile.py, built from a real
questionnaire package and a real answer package.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.formats.packages import MAX_PACKAGE_BYTES, Signer, build_package
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.packages.models import ImportedPackage
from csfpilot.webapp.suppliers import exchange, received
from csfpilot.webapp.suppliers import models as m
from tests.security.corpus.payloads import package_payloads
from tests.webapp.profiles_world import build_world
from tests.webapp.suppliers_world import make_supplier, send_with_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    w = build_world()
    buyer, seller = w.access("owner"), w.other_access()
    q = send_with_link(buyer, make_supplier(buyer)).questionnaire
    questionnaire = exchange.questionnaire_package(buyer, q.pk).data
    row, _ = received.receive(seller, questionnaire, confirm_untrusted=True)
    received.save_answers(seller, row.pk, {i["code"]: {"answer": "largely"} for i in row.items})
    answer = received.answer_package(seller, row.pk, "no-text").data
    buyer_client, seller_client = Client(), Client()
    buyer_client.force_login(w.users["owner"])
    seller_client.force_login(w.outsider)
    return q, questionnaire, answer, buyer_client, seller_client


def _state():
    return (
        ImportedPackage.objects.count(),
        m.ReceivedQuestionnaire.objects.count(),
        m.Questionnaire.objects.filter(state=m.QuestionnaireState.SUBMITTED).count(),
        AuditEvent.objects.filter(action="import").count(),
    )


def _post(client: Client, url: str, data: bytes, **form):
    upload = SimpleUploadedFile("evil.csfpkg.json", data, content_type="application/json")
    return client.post(url, {"file": upload, **form})


def test_every_hostile_questionnaire_is_refused(setup):
    _q, questionnaire, _answer, _buyer, seller = setup
    before = _state()
    for label, data in package_payloads(questionnaire).items():
        got = _post(
            seller,
            "/api/organizations/globex/received-questionnaires",
            data,
            accept_untrusted="true",
        )
        assert got.status_code == 400, (label, got.status_code, got.content[:300])
        assert got.json()["detail"], label
        page = _post(seller, "/orgs/globex/packages/import/", data, action="import")
        assert page.status_code == 200, label
        assert page.context.get("refused") or page.context["form"].errors, label
    assert _state() == before


def test_every_hostile_answer_is_refused(setup):
    q, _questionnaire, answer, buyer, _seller = setup
    before = _state()
    for label, data in package_payloads(answer).items():
        for url in ("questionnaire-answers", "questionnaire-answers/verify"):
            got = _post(buyer, f"/api/organizations/acme/{url}", data, accept_untrusted="true")
            assert got.status_code == 400, (label, url, got.status_code, got.content[:300])
        page = _post(buyer, "/orgs/acme/packages/import/", data, action="import")
        assert page.context.get("refused") or page.context["form"].errors, label
    assert _state() == before
    q.refresh_from_db()
    assert q.open


def test_kinds_are_not_confused(setup):
    """A questionnaire sent where an answer is expected, and the reverse, are refused."""
    _q, questionnaire, answer, buyer, seller = setup
    got = _post(buyer, "/api/organizations/acme/questionnaire-answers", questionnaire)
    assert got.status_code == 400 and "not a questionnaire answer" in got.json()["detail"]
    got = _post(seller, "/api/organizations/globex/received-questionnaires", answer)
    assert got.status_code == 400 and "not a questionnaire" in got.json()["detail"]


def test_replays_are_refused(setup):
    _q, questionnaire, answer, buyer, seller = setup
    again = _post(
        seller,
        "/api/organizations/globex/received-questionnaires",
        questionnaire,
        accept_untrusted="true",
    )
    assert again.status_code == 400 and "replay" in again.json()["detail"]
    first = _post(
        buyer, "/api/organizations/acme/questionnaire-answers", answer, accept_untrusted="true"
    )
    assert first.status_code == 201, first.content
    again = _post(
        buyer, "/api/organizations/acme/questionnaire-answers", answer, accept_untrusted="true"
    )
    assert again.status_code == 400 and "replay" in again.json()["detail"]


def test_a_forged_answer_to_a_real_questionnaire_pins_nothing_without_trust(setup):
    """Anyone who learns a questionnaire's reference can sign an answer with a key of their
    own: it is marked untrusted, needs confirming, and never pins the supplier's key."""
    q, _questionnaire, answer, buyer, _seller = setup
    doc = json.loads(answer)
    forged = build_package(
        "questionnaire-answer", doc["members"], "no-text", Signer.generate("Globex")
    )
    refused = _post(buyer, "/api/organizations/acme/questionnaire-answers", forged)
    assert refused.status_code == 400 and "not a trusted key" in refused.json()["detail"]
    done = _post(
        buyer, "/api/organizations/acme/questionnaire-answers", forged, accept_untrusted="true"
    )
    assert done.status_code == 201 and done.json()["trusted"] is False
    assert m.Supplier.objects.get(pk=q.supplier_id).package_fingerprint == ""
    assert done.json()["key_pinned"] == ""
    assert "untrusted" in m.Questionnaire.objects.get(pk=q.pk).submitted_by
    assert packages.trusted(q.organization) == []


def test_an_oversized_package_is_refused_before_it_is_read(setup):
    _q, questionnaire, _answer, buyer, seller = setup
    big = questionnaire + b" " * (MAX_PACKAGE_BYTES - len(questionnaire) + 1)
    got = _post(seller, "/api/organizations/globex/received-questionnaires", big)
    assert got.status_code in (400, 413)
    got = _post(buyer, "/api/organizations/acme/questionnaire-answers/verify", big)
    assert got.status_code in (400, 413)
