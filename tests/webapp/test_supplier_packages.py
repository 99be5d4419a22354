"""Questionnaires between organizations as signed packages: the buyer (acme) sends one, the
supplier (globex) imports it, answers from its own profile and returns a signed answer,
the buyer imports it against the questionnaire it sent.

Both organizations live in one database here; tests/e2e/test_questionnaire_packages.py
runs the same exchange between two servers over HTTP.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.formats.packages import Signer, build_package, canonical, listing, read_package
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.packages.models import ImportedPackage
from csfpilot.webapp.profiles import services as profiles
from csfpilot.webapp.profiles.models import ProfileOutcome
from csfpilot.webapp.suppliers import exchange, received
from csfpilot.webapp.suppliers import models as m
from tests.webapp.profiles_world import build_world
from tests.webapp.suppliers_world import make_supplier, send_with_link

pytestmark = pytest.mark.django_db
COMMENT = "our-secret-comment-5521"


@pytest.fixture
def world():
    return build_world()


def _supplier_profile(access):
    """globex's own profile: GV.SC-05 largely, PR.AA-03 fully, RS.MA-01 partially;
    DE.CM-01 is not in it."""
    row = profiles.create_profile(access, name="Globex baseline")
    for code, level in (("GV.SC-05", "largely"), ("PR.AA-03", "fully"), ("RS.MA-01", "partially")):
        version = ProfileOutcome.objects.get(profile=row, code=code).version
        profiles.update_outcome(access, row.pk, code, {"current": level}, expected_version=version)
    ProfileOutcome.objects.filter(profile=row, code="DE.CM-01").update(included=False, current=None)
    return row


def _trust(access, other_access, name):
    fp = packages.active_key(other_access).fingerprint
    packages.trust(access, fp, name)
    return fp


@pytest.fixture
def sent(world):
    buyer = world.access("owner")
    supplier = make_supplier(buyer)
    setup = send_with_link(buyer, supplier)
    package = exchange.questionnaire_package(buyer, setup.questionnaire.pk)
    return buyer, world.other_access(), setup.questionnaire, package


def _answered(sent, level="no-text", *, trust_buyer=True):
    buyer, seller, _q, package = sent
    if trust_buyer:
        _trust(seller, buyer, "Acme Corp")
    row, _pkg = received.receive(seller, package.data, filename="q.json")
    profile = _supplier_profile(seller)
    received.use_profile(seller, row.pk, profile.pk)
    received.save_answers(seller, row.pk, {"DE.CM-01": {"answer": "partially", "comment": COMMENT}})
    return row, received.answer_package(seller, row.pk, level)


def test_the_questionnaire_package_states_what_is_asked(sent):
    _buyer, _seller, q, package = sent
    pkg = read_package(package.data)
    body = pkg.members["questionnaire.json"]
    q.refresh_from_db()
    assert pkg.kind == "questionnaire" and pkg.producer == "Acme Corp"
    assert body["reference"] == str(q.reference) and body["cycle"] == q.cycle
    assert body["items"] == [
        {"code": "GV.SC-05", "target": "fully"},
        {"code": "PR.AA-03", "target": "fully"},
        {"code": "DE.CM-01", "target": "largely"},
        {"code": "RS.MA-01", "target": "partially"},
    ]
    assert body["guidance"] == "Be exact." and body["due"] == q.due.isoformat()
    assert AuditEvent.objects.filter(
        object_type="supplier-questionnaire", action="download", object_id=str(q.pk)
    ).exists()


def test_an_untrusted_buyer_is_imported_only_when_confirmed_and_stays_marked(sent):
    _buyer, seller, _q, package = sent
    with pytest.raises(InputRefused, match="not a trusted key"):
        received.receive(seller, package.data)
    assert not m.ReceivedQuestionnaire.objects.exists()
    row, pkg = received.receive(seller, package.data, confirm_untrusted=True)
    assert row.trusted is False and pkg.trusted is False
    with pytest.raises(InputRefused, match="replay"):
        received.receive(seller, package.data, confirm_untrusted=True)


def test_answers_are_prefilled_from_the_profile_with_the_differences(sent):
    buyer, seller, _q, package = sent
    _trust(seller, buyer, "Acme Corp")
    row, _ = received.receive(seller, package.data)
    assert row.trusted and row.trusted_as == "Acme Corp"
    received.use_profile(seller, row.pk, _supplier_profile(seller).pk)
    row.refresh_from_db()
    rows = {r.code: r for r in received.answer_rows(row, "en")}
    assert rows["GV.SC-05"].answer == "largely" and rows["GV.SC-05"].below
    assert rows["PR.AA-03"].answer == "fully" and not rows["PR.AA-03"].below
    assert rows["RS.MA-01"].answer == "partially" and not rows["RS.MA-01"].below
    assert not rows["DE.CM-01"].in_profile and rows["DE.CM-01"].answer is None
    with pytest.raises(InputRefused, match=r"DE\.CM-01"):
        received.answer_package(seller, row.pk, "no-text")
    received.save_answers(seller, row.pk, {"DE.CM-01": {"answer": "largely"}})
    row.refresh_from_db()
    changed = {r.code: r.changed for r in received.answer_rows(row, "en")}
    assert changed == {"GV.SC-05": False, "PR.AA-03": False, "DE.CM-01": True, "RS.MA-01": False}
    with pytest.raises(ConflictError):
        received.save_answers(seller, row.pk, {"GV.SC-05": {"answer": "fully"}}, expected_version=1)
    with pytest.raises(InputRefused, match="not asked"):
        received.save_answers(seller, row.pk, {"ID.AM-01": {"answer": "fully"}})


def test_the_preview_is_exactly_what_leaves_at_each_level(sent):
    row, _ = _answered(sent)
    seller = sent[1]
    full = received.answer_preview(seller, row.pk, "full")
    no_text = received.answer_preview(seller, row.pk, "no-text")
    scores = received.answer_preview(seller, row.pk, "scores")
    assert ("answer.json", "answers[2].comment", COMMENT) in full
    assert not any(v == COMMENT for _m, _f, v in no_text)
    assert not any(f.startswith("answers") for _m, f, _v in scores)
    for level, rows in (("no-text", no_text), ("scores", scores)):
        data = received.answer_package(seller, row.pk, level).data
        pkg = read_package(data)
        assert listing(pkg.members) == rows
        assert COMMENT.encode() not in data


def test_the_buyer_imports_a_trusted_answer_and_sees_the_gaps(sent):
    buyer, seller, q, _package = sent
    _row, answer = _answered(sent)
    seen = exchange.check_answer(buyer, answer.data)
    assert seen.importable and seen.questionnaire.pk == q.pk and not seen.package.trusted
    with pytest.raises(InputRefused, match="not a trusted key"):
        exchange.import_answer(buyer, answer.data)
    fp = _trust(buyer, seller, "Globex")
    stored, pkg = exchange.import_answer(buyer, answer.data, questionnaire_id=q.pk)
    assert pkg.trusted and stored.state == m.QuestionnaireState.SUBMITTED
    items = {i.code: i for i in stored.items.all()}
    assert items["GV.SC-05"].answer == "largely" and items["DE.CM-01"].answer == "partially"
    assert items["DE.CM-01"].comment == ""  # no-text: no comment travelled
    supplier = m.Supplier.objects.get(pk=stored.supplier_id)
    assert supplier.package_fingerprint == fp
    assert supplier.risk_score is not None and supplier.risk_rating != "unknown"
    assert supplier.attainment["GV"] < 100
    assert stored.submitted_by == "Globex (signed package)"
    assert AuditEvent.objects.filter(
        object_type="supplier-questionnaire", action="import", object_id=str(q.pk)
    ).exists()
    with pytest.raises(InputRefused, match="replay"):
        exchange.import_answer(buyer, answer.data)


def test_an_answer_to_another_or_unknown_questionnaire_is_refused_and_nothing_stored(sent):
    buyer, seller, q, _ = sent
    _trust(buyer, seller, "Globex")
    _row, answer = _answered(sent)
    other = send_with_link(buyer, make_supplier(buyer, name="Other vendor")).questionnaire
    before = ImportedPackage.objects.count()
    with pytest.raises(InputRefused, match="another questionnaire"):
        exchange.import_answer(buyer, answer.data, questionnaire_id=other.pk)
    m.Questionnaire.objects.filter(pk=q.pk).update(reference=None)
    with pytest.raises(InputRefused, match="names no questionnaire"):
        exchange.import_answer(buyer, answer.data)
    assert ImportedPackage.objects.count() == before
    assert not m.Questionnaire.objects.filter(state=m.QuestionnaireState.SUBMITTED).exists()


def test_after_the_first_trusted_answer_another_key_is_refused(sent, world):
    buyer, seller, q, _ = sent
    _trust(buyer, seller, "Globex")
    _row, answer = _answered(sent)
    exchange.import_answer(buyer, answer.data)
    # The next cycle, answered with a new key (rotated) that the buyer also trusts.
    again = exchange.questionnaire_package(
        buyer, send_with_link(buyer, q.supplier).questionnaire.pk
    )
    row2, _ = received.receive(seller, again.data)
    received.save_answers(
        seller,
        row2.pk,
        {c: {"answer": "fully"} for c in ("GV.SC-05", "PR.AA-03", "DE.CM-01", "RS.MA-01")},
    )
    packages.rotate(seller)
    _trust(buyer, seller, "Globex new key")
    second = received.answer_package(seller, row2.pk, "no-text")
    with pytest.raises(InputRefused, match="signs its answers with the key"):
        exchange.import_answer(buyer, second.data)


def test_a_scores_answer_is_verified_but_not_stored(sent):
    buyer, seller, _q, _ = sent
    _trust(buyer, seller, "Globex")
    _row, answer = _answered(sent, "scores")
    seen = exchange.check_answer(buyer, answer.data)
    assert not seen.importable and "scores only" in seen.reason
    with pytest.raises(InputRefused, match="scores only"):
        exchange.import_answer(buyer, answer.data)


def test_a_changed_byte_is_refused_naming_the_member(sent):
    buyer, _seller, _q, _ = sent
    _row, answer = _answered(sent, "full")
    at = answer.data.index(COMMENT.encode())
    altered = answer.data[:at] + b"Y" + answer.data[at + 1 :]
    with pytest.raises(InputRefused, match=r"member 'answer\.json' was altered"):
        exchange.import_answer(buyer, altered, confirm_untrusted=True)


def _resigned(data: bytes, signer: Signer, change) -> bytes:
    """The package's members changed by ``change`` and signed again by ``signer``."""
    doc = json.loads(data)
    members = doc["members"]
    change(members)
    return build_package(doc["manifest"]["kind"], members, doc["manifest"]["redaction"], signer)


def test_a_signed_answer_that_leaves_an_outcome_unanswered_is_refused(sent):
    buyer, _seller, _q, _ = sent
    _row, answer = _answered(sent)
    forger = Signer.generate("Globex")

    def drop(members):
        members["answer.json"]["answers"][0]["answer"] = None

    with pytest.raises(InputRefused, match=r"unanswered: GV\.SC-05"):
        exchange.import_answer(buyer, _resigned(answer.data, forger, drop), confirm_untrusted=True)

    def extra(members):
        members["answer.json"]["answers"].append({"code": "ID.AM-01", "answer": "fully"})

    with pytest.raises(InputRefused, match=r"not asked: ID\.AM-01"):
        exchange.import_answer(buyer, _resigned(answer.data, forger, extra), confirm_untrusted=True)

    def bad_level(members):
        members["answer.json"]["answers"][0]["answer"] = "perfect"

    with pytest.raises(InputRefused, match=r"answers\[0\]\.answer"):
        exchange.import_answer(
            buyer, _resigned(answer.data, forger, bad_level), confirm_untrusted=True
        )
    assert not m.Questionnaire.objects.filter(state=m.QuestionnaireState.SUBMITTED).exists()


def test_a_questionnaire_package_with_hostile_content_is_refused(sent):
    _buyer, seller, _q, package = sent
    forger = Signer.generate("Acme Corp")
    cases = {
        "items[1].code": lambda b: b["items"].__setitem__(
            1, {"code": "GV.SC-05", "target": "fully"}
        ),
        "items[0].target": lambda b: b["items"][0].__setitem__("target", "perfect"),
        "questionnaire": lambda b: b.__setitem__("evil", 1),
        "due": lambda b: b.__setitem__("due", "next week"),
        "items[0].code": lambda b: b["items"][0].__setitem__("code", "../../etc"),
        "guidance": lambda b: b.__setitem__("guidance", "x" * 20_001),
    }
    for field, change in cases.items():
        data = _resigned(
            package.data, forger, lambda ms, change=change: change(ms["questionnaire.json"])
        )
        with pytest.raises(InputRefused) as refused:
            received.receive(seller, data, confirm_untrusted=True)
        assert refused.value.field == field, (field, str(refused.value))
    assert not m.ReceivedQuestionnaire.objects.exists()
    assert canonical({})  # the helper is the format's own


def test_the_api_round_trip(sent):
    buyer, seller, q, package = sent
    _trust(seller, buyer, "Acme Corp")
    _trust(buyer, seller, "Globex")
    profile = _supplier_profile(seller)
    world_client = Client()
    world_client.force_login(seller.membership.user)
    up = SimpleUploadedFile("q.json", package.data, content_type="application/json")
    got = world_client.post("/api/organizations/globex/received-questionnaires", {"file": up})
    assert got.status_code == 201, got.content
    rid = got.json()["id"]
    got = world_client.post(
        f"/api/organizations/globex/received-questionnaires/{rid}/profile",
        {"profile_id": profile.pk},
        content_type="application/json",
    )
    assert got.status_code == 200 and got.json()["rows"][2]["in_profile"] is False
    got = world_client.patch(
        f"/api/organizations/globex/received-questionnaires/{rid}/answers",
        {"version": got.json()["version"], "answers": {"DE.CM-01": {"answer": "largely"}}},
        content_type="application/json",
    )
    assert got.status_code == 200, got.content
    preview = world_client.get(
        f"/api/organizations/globex/received-questionnaires/{rid}/package/preview?level=no-text"
    ).json()
    answer = world_client.get(
        f"/api/organizations/globex/received-questionnaires/{rid}/package?level=no-text"
    )
    assert answer.status_code == 200
    assert {(r["member"], r["field"]) for r in preview} == {
        (mb, f) for mb, f, _v in listing(read_package(answer.content).members)
    }
    buyer_client = Client()
    buyer_client.force_login(buyer.membership.user)
    up = SimpleUploadedFile("a.json", answer.content, content_type="application/json")
    got = buyer_client.post(
        "/api/organizations/acme/questionnaire-answers", {"file": up, "questionnaire_id": q.pk}
    )
    assert got.status_code == 201, got.content
    assert got.json()["state"] == "submitted" and got.json()["risk_rating"] != "unknown"


def _page_import(client: Client, slug: str, data: bytes, **extra):
    up = SimpleUploadedFile("p.csfpkg.json", data, content_type="application/json")
    checked = client.post(f"/orgs/{slug}/packages/import/", {"file": up, "action": "check"})
    assert checked.status_code == 200 and checked.context.get("pkg") is not None, (
        checked.context.get("refused")
    )
    return checked, client.post(
        f"/orgs/{slug}/packages/import/",
        {"token": checked.context["token"], "action": "import", **extra},
    )


def test_the_pages_carry_the_whole_exchange(sent):
    buyer, seller, q, package = sent
    _trust(seller, buyer, "Acme Corp")
    _trust(buyer, seller, "Globex")
    profile = _supplier_profile(seller)
    supplier_client, buyer_client = Client(), Client()
    supplier_client.force_login(seller.membership.user)
    buyer_client.force_login(buyer.membership.user)

    checked, done = _page_import(supplier_client, "globex", package.data)
    assert checked.context["importable"] and b"Import the questionnaire" in checked.content
    assert done.status_code == 302
    row = m.ReceivedQuestionnaire.objects.get()
    assert done["Location"] == f"/orgs/globex/received-questionnaires/{row.pk}/"
    listed = supplier_client.get("/orgs/globex/received-questionnaires/")
    assert b"Acme Corp" in listed.content
    base = f"/orgs/globex/received-questionnaires/{row.pk}/"
    got = supplier_client.post(base + "profile/", {"profile": profile.pk, "version": 1})
    assert got.status_code == 302
    page = supplier_client.get(base)
    assert page.context["missing"] == ["DE.CM-01"] and b"not in the profile" in page.content
    form = {"version": page.context["r"].version}
    for x in page.context["rows"]:
        form[f"answer-{x.code}"] = x.answer or "largely"
        form[f"comment-{x.code}"] = COMMENT if x.code == "DE.CM-01" else ""
        form[f"evidence-{x.code}"] = ""
    assert supplier_client.post(base + "answers/", form).status_code == 302
    page = supplier_client.get(base + "?level=no-text")
    assert (
        page.context["missing"] == []
        and COMMENT.encode() not in page.content.split(b"Every field that leaves")[-1]
    )
    answer = supplier_client.get(base + "package/?level=no-text")
    assert answer.status_code == 200 and COMMENT.encode() not in answer.content

    checked, done = _page_import(buyer_client, "acme", answer.content)
    assert checked.context["importable"] and checked.context["pkg"].trusted
    assert checked.context["answers"].pk == q.pk
    assert done.status_code == 302 and done["Location"].endswith(f"/questionnaires/{q.pk}/")
    q.refresh_from_db()
    assert q.state == m.QuestionnaireState.SUBMITTED
    shown = buyer_client.get(f"/orgs/acme/questionnaires/{q.pk}/")
    assert b"below target" in shown.content
    replay, _ = _page_import(buyer_client, "acme", answer.content)
    assert not replay.context["importable"]


def test_the_members_validate_against_the_published_schemas(sent):
    from importlib.resources import files

    from jsonschema import Draft202012Validator

    def schema(name):
        loaded = json.loads(files("csfpilot.formats.packages").joinpath(name).read_text())
        Draft202012Validator.check_schema(loaded)
        return Draft202012Validator(loaded)

    package_schema = schema("package.schema.json")
    _buyer, _seller, _q, package = sent
    package_schema.validate(json.loads(package.data))
    schema("questionnaire.schema.json").validate(
        read_package(package.data).members["questionnaire.json"]
    )
    row, _ = _answered(sent)
    for level in ("full", "no-text", "scores"):
        data = received.answer_package(sent[1], row.pk, level).data
        package_schema.validate(json.loads(data))
        members = read_package(data).members
        schema("answer.schema.json").validate(members["answer.json"])
        schema("scores.schema.json").validate(members["scores.json"])
