"""The supplier register, questionnaires answered through guest links, results, portfolio."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.organizations.permissions import PermissionMissing
from csfpilot.webapp.suppliers import guest, queries, reminders, risk, services, tiering
from csfpilot.webapp.suppliers import models as m
from tests.webapp.profiles_world import build_world
from tests.webapp.suppliers_world import last_code, make_supplier, send_with_link

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def world():
    return build_world()


# -- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "system", "service", "tier"),
    [
        ("none", "none", "supporting", "low"),
        ("internal", "none", "supporting", "low"),
        ("internal", "user", "supporting", "moderate"),
        ("confidential", "user", "important", "high"),
        ("personal", "none", "important", "high"),
        ("personal", "privileged", "supporting", "critical"),
        ("none", "privileged", "essential", "critical"),
    ],
)
def test_the_documented_tiering(data, system, service, tier):
    assert tiering.derived_tier(data, system, service) == tier


def test_an_override_wins_over_the_derived_tier():
    assert tiering.effective_tier("low", "critical") == "critical"
    assert tiering.effective_tier("high", "") == "high"


def test_the_risk_formula_weighs_the_gap_by_criticality():
    lines = [
        risk.Line("GV.SC-05", Fraction(1), Fraction(1, 3), True),  # 2/3 short
        risk.Line("PR.AA-03", Fraction(1), Fraction(1), True),
        risk.Line("DE.CM-01", Fraction(2, 3), None, False),  # unanswered: all short
        risk.Line("RS.MA-01", Fraction(1, 3), None, True, applicable=False),  # drops out
    ]
    critical = risk.assess(lines, "critical")
    # met = 1/3 + 1 + 0 of targets 1 + 1 + 2/3 → gap = 1 - (4/3)/(8/3) = 1/2
    assert critical.gap == pytest.approx(0.5)
    assert critical.score == 50 and critical.rating == "high"
    assert critical.attainment == {"GV": pytest.approx(33.3), "PR": 100.0, "DE": 0.0}
    assert critical.shortfalls == ["GV.SC-05", "DE.CM-01"]
    low = risk.assess(lines, "low")
    assert low.score == 12 and low.rating == "low"
    assert risk.assess([], "low").rating == "unknown"


# -- the register ------------------------------------------------------------------------------


def test_a_supplier_is_tiered_from_its_access_and_audited(world):
    s = make_supplier(world.access("owner"))
    assert (s.derived_tier, s.tier, s.country) == ("critical", "critical", "TW")
    assert [r["code"] for r in s.requirements] == ["GV.SC-05", "PR.AA-03", "DE.CM-01", "RS.MA-01"]
    assert s.contacts.get().email == "lin@cloudy.test"
    event = AuditEvent.objects.get(object_type="supplier", action="create")
    assert event.changes["name"] == [None, "Cloudy Hosting"]
    s = services.update_supplier(
        world.access("assessor"),
        s.pk,
        {"tier_override": "moderate", "tier_reason": "Hot standby elsewhere"},
        expected_version=1,
    )
    assert (s.derived_tier, s.tier, s.version) == ("critical", "moderate", 2)
    with pytest.raises(ConflictError):
        services.update_supplier(world.access("owner"), s.pk, {"notes": "x"}, expected_version=1)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("GV.SC-05 fully\nXX.YY-01 fully", "line 2"),
        ("GV.SC-05 totally", "'totally' is not a level"),
        ("GV.SC-05 fully\nGV.SC-05 partially", "named twice"),
        ("just words", "write an outcome"),
    ],
)
def test_bad_requirement_lines_are_refused_naming_the_line(world, text, says):
    with pytest.raises(InputRefused) as refused:
        make_supplier(world.access("owner"), requirements=text)
    assert says in str(refused.value)
    assert not m.Supplier.objects.exists()


def test_readers_cannot_change_the_register(world):
    for role in ("viewer", "auditor", "contributor"):
        with pytest.raises(PermissionMissing):
            make_supplier(world.access(role))


def test_another_tenants_supplier_is_unknown(world):
    s = make_supplier(world.other_access(), name="Globex vendor")
    with pytest.raises(NotFound):
        services.get_supplier(world.access("owner"), s.pk)
    with pytest.raises(NotFound):
        services.send_questionnaire(
            world.access("owner"), s.pk, due=timezone.localdate() + timedelta(days=3)
        )


def test_a_community_profile_as_the_requirement_set(world):
    from csfpilot.webapp.profiles import services as profiles

    owner = world.access("owner")
    community = profiles.create_profile(owner, name="Sector baseline", kind="community")
    for code, target in (("GV.SC-07", "fully"), ("ID.AM-01", "largely")):
        row = community.outcomes.get(code=code)
        profiles.update_outcome(
            owner, community.pk, code, {"target": target}, expected_version=row.version
        )
    s = make_supplier(owner, requirements="", requirement_profile_id=community.pk)
    q = services.send_questionnaire(owner, s.pk, due=timezone.localdate() + timedelta(days=5))
    assert {(i.code, i.target) for i in q.items.all()} == {
        ("GV.SC-07", "fully"),
        ("ID.AM-01", "largely"),
    }
    other = profiles.create_profile(world.other_access(), name="Theirs", kind="community")
    with pytest.raises(InputRefused):
        make_supplier(owner, name="B", requirement_profile_id=other.pk)


def test_a_new_cycle_closes_the_open_one_and_its_links(world):
    owner = world.access("owner")
    first = send_with_link(owner, make_supplier(owner))
    second = services.send_questionnaire(
        owner, first.supplier.pk, due=timezone.localdate() + timedelta(days=9)
    )
    assert second.cycle == 2
    first.questionnaire.refresh_from_db()
    assert first.questionnaire.state == "closed"
    with pytest.raises(guest.LinkClosed) as closed:
        guest.open_link(first.token)
    assert closed.value.reason == "closed"


def test_the_operator_sends_a_questionnaire_without_an_account(world):
    """The CLI acts as the operator, whose access has no user: nobody is named as sender."""
    from csfpilot.webapp.profiles.operator import operator_access

    supplier = make_supplier(world.access("owner"))
    operator = operator_access(world.org.slug)
    assert operator.user is None
    q = services.send_questionnaire(
        operator, supplier.pk, due=timezone.localdate() + timedelta(days=5)
    )
    assert q.cycle == 1
    assert q.sent_by is None
    assert q.items.exists()


# -- the guest link ----------------------------------------------------------------------------


def _verified_client(setup) -> Client:
    c = Client()
    path = f"/guest/q/{setup.token}/"
    assert c.post(path + "code/").status_code == 302
    code = last_code(setup.link.email)
    assert c.post(path + "verify/", {"code": code}).status_code == 302
    return c


def test_a_contact_answers_through_the_link_and_submits_once(world):
    owner = world.access("owner")
    setup = send_with_link(owner, make_supplier(owner))
    assert "/guest/q/" in mail.outbox[0].body and setup.token in mail.outbox[0].body
    path = f"/guest/q/{setup.token}/"
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200
    assert b"GV.SC-05" not in page.content  # nothing of the questionnaire before verifying
    assert (
        anonymous.post(path + "answer/", {"code": "GV.SC-05", "answer": "fully"}).status_code == 403
    )

    c = _verified_client(setup)
    page = c.get(path)
    assert b"GV.SC-05" in page.content and b"Be exact." in page.content
    answers = {"GV.SC-05": "partially", "PR.AA-03": "fully", "DE.CM-01": "largely"}
    for code, answer in answers.items():
        saved = c.post(
            path + "answer/",
            {"code": code, "answer": answer, "comment": f"note {code}"},
            headers={"HX-Request": "true"},
        )
        assert saved.status_code == 200 and b"Saved" in saved.content
    setup.questionnaire.refresh_from_db()
    assert setup.questionnaire.state == "in_progress"
    refused = c.post(path + "submit/")
    assert refused.status_code == 400 and b"Some outcomes have no answer yet" in refused.content
    c.post(path + "answer/", {"code": "RS.MA-01", "answer": "na"})
    assert c.post(path + "submit/").status_code == 302

    q = m.Questionnaire.objects.get(pk=setup.questionnaire.pk)
    assert q.state == "submitted" and q.submitted_by == "lin@cloudy.test"
    # Targets 1 + 1 + 2/3 (RS.MA-01 not applicable); met 1/3 + 1 + 2/3 → gap 1 - 2/(8/3) = 1/4
    assert q.gap == pytest.approx(0.25) and q.risk_score == 25 and q.risk_rating == "medium"
    s = m.Supplier.objects.get(pk=setup.supplier.pk)
    assert (s.risk_score, s.risk_rating) == (25, "medium")
    assert s.attainment["GV"] == pytest.approx(33.3)

    # Read-only from now on.
    again = c.post(path + "answer/", {"code": "GV.SC-05", "answer": "fully"})
    assert again.status_code == 409
    assert m.QuestionnaireItem.objects.get(questionnaire=q, code="GV.SC-05").answer == "partially"
    assert b"read-only" in c.get(path).content
    assert c.post(path + "submit/").status_code == 409
    assert AuditEvent.objects.filter(
        object_type="supplier-questionnaire", actor_name="lin@cloudy.test (guest link)"
    ).exists()


def test_a_wrong_code_is_refused_and_five_void_it(world):
    owner = world.access("owner")
    setup = send_with_link(owner, make_supplier(owner))
    c = Client()
    path = f"/guest/q/{setup.token}/"
    c.post(path + "code/")
    right = last_code(setup.link.email)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(guest.MAX_CODE_FAILURES):
        assert c.post(path + "verify/", {"code": wrong}).status_code == 400
    assert c.post(path + "verify/", {"code": right}).status_code == 400  # voided
    assert "csfpilot_guest" not in c.cookies or not c.cookies["csfpilot_guest"].value


@pytest.mark.parametrize("how", ["revoked", "expired", "unknown"])
def test_revoked_expired_and_unknown_links_open_nothing(world, how):
    owner = world.access("owner")
    setup = send_with_link(owner, make_supplier(owner))
    c = _verified_client(setup)
    token = setup.token
    if how == "revoked":
        guest.revoke_link(owner, setup.questionnaire.pk, setup.link.pk)
    elif how == "expired":
        m.GuestLink.objects.filter(pk=setup.link.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    else:
        token = "x" * 43
    path = f"/guest/q/{token}/"
    page = c.get(path)
    assert page.status_code == (404 if how == "unknown" else 410)
    assert b"GV.SC-05" not in page.content
    assert c.post(path + "answer/", {"code": "GV.SC-05", "answer": "fully"}).status_code in (
        404,
        410,
    )
    assert not m.QuestionnaireItem.objects.filter(answer__isnull=False).exists()


def test_a_verified_guest_reaches_nothing_else(world):
    owner = world.access("owner")
    setup = send_with_link(owner, make_supplier(owner))
    c = _verified_client(setup)
    assert "sessionid" not in c.cookies
    s, q = setup.supplier, setup.questionnaire
    for url in (
        "/orgs/acme/",
        f"/orgs/acme/suppliers/{s.pk}/",
        f"/orgs/acme/questionnaires/{q.pk}/",
        "/orgs/acme/suppliers/portfolio/",
    ):
        response = c.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for url in (
        f"/api/organizations/acme/suppliers/{s.pk}",
        f"/api/organizations/acme/questionnaires/{q.pk}",
    ):
        assert c.get(url).status_code == 401


def test_one_questionnaires_proof_does_not_open_another(world):
    owner = world.access("owner")
    first = send_with_link(owner, make_supplier(owner))
    second = send_with_link(owner, make_supplier(owner, name="Other vendor"), "ops@other.test")
    c = _verified_client(first)
    proof = c.cookies["csfpilot_guest"].value
    other = Client()
    other.cookies["csfpilot_guest"] = proof  # the first link's proof, sent to the second link
    path = f"/guest/q/{second.token}/"
    assert b"PR.AA-03" not in other.get(path).content
    assert other.post(path + "answer/", {"code": "PR.AA-03", "answer": "fully"}).status_code == 403


def test_the_guest_pages_are_rate_limited(world, settings):
    settings.CSFPILOT_SUPPLIER_GUEST_RATE = 3
    owner = world.access("owner")
    setup = send_with_link(owner, make_supplier(owner))
    c = Client()
    codes = [c.get(f"/guest/q/{setup.token}/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_the_guest_page_speaks_the_questionnaires_language(world):
    owner = world.access("owner")
    s = make_supplier(owner, language="zh-hant")
    setup = send_with_link(owner, s)
    assert "網路安全問卷" in mail.outbox[-1].subject or "問卷" in mail.outbox[-1].body
    page = Client().get(f"/guest/q/{setup.token}/")
    assert "確認".encode() in page.content
    english = Client().get(f"/guest/q/{setup.token}/?lang=en")
    assert b"Confirm your e-mail address" in english.content


# -- the buyer's side --------------------------------------------------------------------------


def _answered(world):
    owner = world.access("owner")
    setup = send_with_link(owner, make_supplier(owner))
    proof = guest.verify_code(setup.token, _code(setup))
    for code, answer in {
        "GV.SC-05": "partially",
        "PR.AA-03": "fully",
        "DE.CM-01": "largely",
        "RS.MA-01": "na",
    }.items():
        guest.save_answer(setup.token, proof, code, answer=answer, evidence="SOC 2 report")
    guest.submit(setup.token, proof)
    return setup


def _code(setup) -> str:
    guest.send_code(setup.token)
    return last_code(setup.link.email)


def test_the_portfolio_shows_risk_heatmap_and_overdue(world, django_assert_max_num_queries):
    setup = _answered(world)
    owner = world.access("owner")
    late = make_supplier(owner, name="Late Ltd", data_access="none", system_access="none")
    q = services.send_questionnaire(owner, late.pk, due=timezone.localdate() + timedelta(days=1))
    m.Questionnaire.objects.filter(pk=q.pk).update(due=timezone.localdate() - timedelta(days=4))
    data = queries.portfolio(owner)
    assert [r["name"] for r in data.highest] == ["Cloudy Hosting"]
    assert data.counts == {"high": 0, "medium": 1, "low": 0, "unknown": 1}
    assert [(o["supplier__name"], o["days"]) for o in data.overdue] == [("Late Ltd", 4)]
    c = Client()
    c.force_login(world.users["viewer"])
    with django_assert_max_num_queries(12):
        page = c.get("/orgs/acme/suppliers/portfolio/")
    html = page.content.decode()
    assert page.status_code == 200 and "Cloudy Hosting" in html and "4 days late" in html
    assert "heat-1" in html and "heat-4" in html  # GV 33% and PR 100%
    api = c.get("/api/organizations/acme/suppliers/portfolio").json()
    assert api["suppliers"][0]["attainment"]["PR"] == 100.0
    detail = c.get(f"/orgs/acme/suppliers/{setup.supplier.pk}/").content.decode()
    assert "below target" in detail and "SOC 2 report" in detail


def test_remediation_requests_and_reminders(world):
    setup = _answered(world)
    owner = world.access("owner")
    today = timezone.localdate()
    r = services.request_remediation(
        owner, setup.supplier.pk, request="Sign the SBOM clause", due=today, code="gv.sc-05"
    )
    assert r.code == "GV.SC-05" and r.questionnaire_id == setup.questionnaire.pk
    open_q = send_with_link(owner, make_supplier(owner, name="Due soon"), "due@soon.test")
    m.Questionnaire.objects.filter(pk=open_q.questionnaire.pk).update(due=today + timedelta(days=2))
    mail.outbox.clear()
    sent = reminders.send_all(today)
    assert sent.questionnaires == 1 and sent.remediations == 1
    to = {address for message in mail.outbox for address in message.to}
    assert {"lin@cloudy.test", "due@soon.test"} <= to
    assert reminders.send_all(today).messages == 0  # once a day
    services.close_remediation(owner, setup.supplier.pk, r.pk, "done")
    with pytest.raises(ConflictError):
        services.close_remediation(owner, setup.supplier.pk, r.pk, "done")


def test_pages_and_csv_export(world):
    setup = _answered(world)
    c = Client()
    c.force_login(world.users["owner"])
    for url in (
        "/orgs/acme/suppliers/",
        "/orgs/acme/suppliers/new/",
        f"/orgs/acme/suppliers/{setup.supplier.pk}/edit/",
        f"/orgs/acme/questionnaires/{setup.questionnaire.pk}/",
    ):
        assert c.get(url).status_code == 200, url
    csv = c.get("/orgs/acme/suppliers/export.csv")
    body = b"".join(csv.streaming_content).decode()
    assert body.splitlines()[0].startswith("id,name,services")
    assert "Cloudy Hosting" in body and "Lin <lin@cloudy.test>" in body and ",25,medium," in body
    make_supplier(world.access("owner"), name="=HYPERLINK(1)")
    body = b"".join(c.get("/orgs/acme/suppliers/export.csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_the_create_form_refuses_bad_input_naming_the_field(world):
    c = Client()
    c.force_login(world.users["owner"])
    response = c.post(
        "/orgs/acme/suppliers/new/",
        {
            "name": "X",
            "data_access": "none",
            "system_access": "none",
            "service_dependency": "supporting",
            "language": "en",
            "requirements": "GV.SC-05 fully\nGV.SC-99 fully",
        },
    )
    assert response.status_code == 400
    assert b"GV.SC-99 is not a CSF 2.0 outcome" in response.content
    assert not m.Supplier.objects.exists()


def test_the_api_creates_sends_and_links(world):
    c = Client()
    c.force_login(world.users["assessor"])
    created = c.post(
        "/api/organizations/acme/suppliers",
        {
            "name": "API vendor",
            "data_access": "internal",
            "requirements": [{"code": "GV.SC-05", "target": "fully"}],
            "contacts": [{"name": "A", "email": "a@vendor.test"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert created.json()["tier"] == "low"
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    sent = c.post(
        f"/api/organizations/acme/suppliers/{sid}/questionnaires",
        {"due": due},
        content_type="application/json",
    )
    assert sent.status_code == 201 and sent.json()["items"][0]["code"] == "GV.SC-05"
    qid = sent.json()["id"]
    link = c.post(
        f"/api/organizations/acme/questionnaires/{qid}/links",
        {"email": "a@vendor.test"},
        content_type="application/json",
    )
    assert link.status_code == 201 and "/guest/q/" in link.json()["url"]
    assert Client().get(link.json()["url"]).status_code == 200
    patched = c.patch(
        f"/api/organizations/acme/suppliers/{sid}",
        {"version": 1, "tier_override": "high"},
        content_type="application/json",
    )
    assert patched.json()["tier"] == "high"
    stale = c.patch(
        f"/api/organizations/acme/suppliers/{sid}",
        {"version": 1, "notes": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_the_heatmap_escapes_what_people_typed(world):
    make_supplier(world.access("owner"), name='<script>alert("x")</script>')
    c = Client()
    c.force_login(world.users["viewer"])
    html = c.get("/orgs/acme/suppliers/portfolio/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_register_is_paged(world, django_assert_max_num_queries):
    owner = world.access("owner")
    m.Supplier.objects.bulk_create(
        m.Supplier(organization=world.org, name=f"Vendor {i:03d}", derived_tier="low", tier="low")
        for i in range(105)
    )
    c = Client()
    c.force_login(world.users["viewer"])
    with django_assert_max_num_queries(12):
        first = c.get("/orgs/acme/suppliers/").content.decode()
    assert "Vendor 099" in first and "Vendor 100" not in first and "Page 1 of 2" in first
    second = c.get("/orgs/acme/suppliers/?page=2").content.decode()
    assert "Vendor 104" in second
    assert owner.organization.slug == "acme"


# -- the workbook ------------------------------------------------------------------------------


def _filled(data: bytes, answers: dict[str, str]) -> bytes:
    """The workbook with the supplier's levels typed into the Current column."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb["Current and Target Profile"]  # NIST's sheet and column names
    header = [c.value for c in ws[1]]
    code_col = header.index("CSF Outcome") + 1
    current_col = header.index("Current Status") + 1
    for row in ws.iter_rows(min_row=2):
        code = row[code_col - 1].value
        if code in answers:
            ws.cell(row=row[0].row, column=current_col, value=answers[code])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_workbook_round_trip_with_a_preview(world):
    from csfpilot.webapp.suppliers import workbooks

    owner = world.access("owner")
    setup = send_with_link(owner, make_supplier(owner))
    c = Client()
    c.force_login(world.users["assessor"])
    base = f"/orgs/acme/questionnaires/{setup.questionnaire.pk}/workbook/"
    download = c.get(base)
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('.xlsx"')
    data = b"".join(download.streaming_content) if download.streaming else download.content
    answers = {"GV.SC-05": "partially", "PR.AA-03": "fully", "DE.CM-01": "largely"}
    partial = _filled(data, answers)
    q, rows, _warnings = workbooks.read_returned(owner, setup.questionnaire.pk, partial, "r.xlsx")
    assert {r.code: r.answer for r in rows}["PR.AA-03"] == "fully"
    assert {r.code: r.answer for r in rows}["RS.MA-01"] is None

    upload = SimpleUploadedFile("returned.xlsx", partial)
    preview = c.post(base + "import/", {"file": upload, "sender": "lin@cloudy.test"})
    assert preview.status_code == 200 and b"below target" in preview.content
    assert m.Questionnaire.objects.get(pk=q.pk).state == "sent"  # nothing stored yet
    applied = c.post(
        base + "import/",
        {"apply": "1", "sender": "lin@cloudy.test", "filename": "returned.xlsx"}
        | {f"answer-{code}": level for code, level in answers.items()},
    )
    assert applied.status_code == 400 and b"RS.MA-01" in applied.content  # left blank
    full = {**answers, "RS.MA-01": "na"}
    applied = c.post(
        base + "import/",
        {"apply": "1", "sender": "lin@cloudy.test", "filename": "returned.xlsx"}
        | {f"answer-{code}": level for code, level in full.items()},
    )
    assert applied.status_code == 302
    q = m.Questionnaire.objects.get(pk=q.pk)
    assert q.state == "submitted" and q.risk_score == 25
    assert q.submitted_by == "lin@cloudy.test (workbook)"


def test_a_file_that_is_not_a_workbook_is_refused_naming_it(world):
    owner = world.access("owner")
    setup = send_with_link(owner, make_supplier(owner))
    c = Client()
    c.force_login(world.users["owner"])
    upload = SimpleUploadedFile("evil.xlsx", b"PK\x03\x04 not really a zip")
    response = c.post(
        f"/orgs/acme/questionnaires/{setup.questionnaire.pk}/workbook/import/", {"file": upload}
    )
    assert response.status_code == 400 and b"evil.xlsx" in response.content
    assert m.Questionnaire.objects.get(pk=setup.questionnaire.pk).state == "sent"
