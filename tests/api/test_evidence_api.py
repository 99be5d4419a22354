"""The evidence API over real HTTP through Django's test client: uploads (multipart) and
downloads, versions, links and reviews, stale saves, states and coverage, what expires,
evidence requests, refusals that store nothing, and query counts that do not grow.

Who may call which operation is proved by the grid in tests/security/test_authz_grid.py;
the tests here check the object rules the grid cannot see (a contributor and the outcomes
assigned to them, another tenant's ids).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.evidence import blobs, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.profiles import services as profiles
from tests.webapp.profiles_world import World, build_world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PDF_2 = PDF.replace(b"Catalog", b"Catalog /Lang (en)")
API = "/api/organizations/acme/evidence"


@dataclass
class Setup:
    world: World
    profile: int
    second: int  # a second profile of acme
    foreign_item: int  # globex's


@pytest.fixture
def setup() -> Setup:
    w = build_world()
    owner = w.access("owner")
    first = profiles.create_profile(owner, name="Whole company")
    # GV.PO-01 is the contributor's to prove; GV.PO-02 is not.
    profiles.update_outcome(
        owner,
        first.pk,
        "GV.PO-01",
        {"owner_id": w.users["contributor"].pk, "current": "fully"},
        expected_version=1,
    )
    profiles.update_outcome(owner, first.pk, "GV.PO-02", {"current": "largely"}, expected_version=1)
    profiles.update_outcome(
        owner, first.pk, "PR.AA-01", {"current": "partially"}, expected_version=1
    )
    second = profiles.create_profile(owner, name="Cloud platform")
    foreign = services.add_item(
        w.other_access(),
        services.ItemFields(title="Globex policy"),
        services.Content(statement="We have a policy."),
    )
    return Setup(w, first.pk, second.pk, foreign.pk)


def as_role(setup: Setup, role: str) -> Client:
    client = Client()
    client.force_login(setup.world.users[role])
    return client


def post(client: Client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client: Client, url: str, body: dict):
    return client.patch(url, json.dumps(body), content_type="application/json")


def upload(client: Client, url: str, data: bytes, name: str = "policy.pdf", **fields):
    return client.post(url, {"file": SimpleUploadedFile(name, data), **fields})


def attestation(setup: Setup, role: str = "assessor", **fields) -> m.EvidenceItem:
    values = services.ItemFields(title=fields.pop("title", "Statement by the CISO"), **fields)
    return services.add_item(
        setup.world.access(role), values, services.Content(statement="Reviewed quarterly.")
    )


# -- files: upload, versions, download -----------------------------------------------------------


def test_a_multipart_upload_keeps_the_file_by_its_hash_and_downloads_as_an_attachment(setup):
    owner = as_role(setup, "owner")
    today = timezone.localdate()
    response = upload(
        owner,
        f"{API}/files",
        PDF,
        title="Access control policy",
        kind="policy",
        effective_from=str(today - timedelta(days=10)),
        review_interval_days="365",
        confidentiality="confidential",
        source="CISO office",
        note="approved by the board",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["kind"], body["form"], body["confidentiality"]) == (
        "Access control policy",
        "policy",
        "file",
        "confidential",
    )
    assert body["expires_on"] == str(today - timedelta(days=10) + timedelta(days=365))
    assert (body["freshness"], body["version"], body["latest_version"]) == ("current", 1, 1)
    [v1] = body["versions"]
    assert v1["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (v1["number"], v1["size"], v1["media_type"], v1["filename"], v1["note"]) == (
        1,
        len(PDF),
        "application/pdf",
        "policy.pdf",
        "approved by the board",
    )
    assert v1["created_by"] == "owner@acme.test"

    item = body["id"]
    again = upload(owner, f"{API}/{item}/versions/files", PDF_2, name="policy-2027.pdf")
    assert again.status_code == 201, again.content
    assert (again.json()["number"], again.json()["sha256"]) == (
        2,
        hashlib.sha256(PDF_2).hexdigest(),
    )
    listed = owner.get(f"{API}/{item}/versions").json()
    assert [(v["number"], v["filename"]) for v in listed] == [
        (2, "policy-2027.pdf"),
        (1, "policy.pdf"),
    ]
    assert owner.get(f"{API}/{item}").json()["version"] == 2

    # The first version stays downloadable, byte for byte, never rendered.
    got = owner.get(f"{API}/{item}/versions/1/download")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == PDF
    assert got["Content-Disposition"] == 'attachment; filename="policy.pdf"'
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Cache-Control"] == "no-store"
    assert got["Content-Type"] == "application/pdf"
    events = AuditEvent.objects.filter(object_type="evidence", object_id=str(item))
    assert [e.action for e in events.order_by("seq")][-1] == "download"
    assert owner.get(f"{API}/{item}/versions/3/download").status_code == 404


def test_an_attestation_or_link_has_no_file_to_download(setup):
    owner = as_role(setup, "owner")
    made = post(owner, API, {"title": "Vendor portal", "url": "https://vendor.example/soc2"})
    assert made.status_code == 201, made.content
    item = made.json()
    assert (item["form"], item["versions"][0]["url"], item["versions"][0]["sha256"]) == (
        "link",
        "https://vendor.example/soc2",
        None,
    )
    missing = owner.get(f"{API}/{item['id']}/versions/1/download")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "version 1 of Vendor portal is a link; it has no file"
    # A new version of a link item is a link again.
    v2 = post(owner, f"{API}/{item['id']}/versions", {"url": "https://vendor.example/soc2-2027"})
    assert (v2.status_code, v2.json()["number"]) == (201, 2)
    wrong = post(owner, f"{API}/{item['id']}/versions", {"statement": "trust us"})
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "Vendor portal is a link item; a new version must be one too"


def test_hostile_or_refused_uploads_store_nothing(setup, settings):
    owner = as_role(setup, "owner")
    polyglot = b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>"
    refused = upload(owner, f"{API}/files", polyglot, name="report.pdf", title="Report")
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert "HTML or SVG" in refused.json()["detail"]
    settings.CSFPILOT_EVIDENCE_QUOTA_BYTES = len(PDF) - 1
    over = upload(owner, f"{API}/files", PDF, title="Too much")
    assert over.status_code == 413
    assert "quota" in over.json()["detail"]
    settings.CSFPILOT_EVIDENCE_QUOTA_BYTES = 10 * len(PDF)
    untitled = upload(owner, f"{API}/files", PDF)
    assert untitled.status_code == 400
    assert untitled.json()["detail"].endswith("an evidence item needs a title")
    viewer = upload(as_role(setup, "viewer"), f"{API}/files", PDF, title="Not mine to add")
    assert viewer.status_code == 403
    assert m.EvidenceItem.objects.filter(organization=setup.world.org).count() == 0
    assert m.StoredFile.objects.count() == 0


def test_an_uploaded_name_that_is_a_path_is_refused_and_nothing_stored(setup):
    owner = as_role(setup, "owner")
    sent = upload(owner, f"{API}/files", PDF, name="../../etc/pass\x00wd.pdf", title="Named badly")
    assert sent.status_code == 400, sent.content
    assert "name" in sent.json()["detail"]
    assert not m.StoredFile.objects.exists()
    root = Path(blobs.storage().location)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_unknown_fields_and_bad_values_are_refused(setup):
    owner = as_role(setup, "owner")
    sneaky = post(owner, API, {"title": "X", "statement": "s", "organization": "globex"})
    assert sneaky.status_code == 422
    two = post(owner, API, {"title": "X", "statement": "s", "url": "https://a.example"})
    assert two.status_code == 400
    assert two.json()["detail"] == "give exactly one of a file, a link or a written attestation"
    backwards = post(
        owner,
        API,
        {
            "title": "X",
            "statement": "s",
            "effective_from": "2026-05-01",
            "valid_until": "2026-01-01",
        },
    )
    assert backwards.status_code == 400
    assert backwards.json()["detail"] == "field valid_until: valid until is before effective from"
    far = {"effective_from": "9999-12-01", "review_interval_days": 365}
    beyond = post(owner, API, {"title": "Far", "statement": "s", **far})
    assert beyond.status_code == 400
    assert beyond.json()["detail"] == (
        "field review_interval_days: the review interval ends after the last date the "
        "calendar holds"
    )
    nul = post(owner, API, {"title": "Policy\u0000", "statement": "s"})
    assert nul.status_code == 422
    assert "NUL character" in nul.json()["detail"]
    huge = post(owner, API, {"title": "Policy", "statement": "x" * 20_001})
    assert huge.status_code == 422
    assert owner.get(API, {"q": "a\u0000b"}).status_code == 422
    assert not m.EvidenceItem.objects.filter(organization=setup.world.org).exists()


# -- the library: list, change, retire, remove ---------------------------------------------------


def test_the_list_filters_and_pages(setup):
    today = timezone.localdate()
    attestation(setup, title="Backup plan", kind="plan", valid_until=today + timedelta(days=20))
    attestation(setup, title="Access policy", kind="policy", valid_until=today + timedelta(days=80))
    attestation(setup, title="Awareness training", kind="training-record")
    old = attestation(setup, title="Old policy", kind="policy")
    services.retire(setup.world.access("owner"), old.pk)
    viewer = as_role(setup, "viewer")

    page = viewer.get(API, {"limit": 2}).json()
    assert (page["count"], page["offset"], page["limit"]) == (3, 0, 2)
    assert [i["title"] for i in page["items"]] == ["Access policy", "Awareness training"]
    rest = viewer.get(API, {"limit": 2, "offset": 2}).json()
    assert [i["title"] for i in rest["items"]] == ["Backup plan"]
    assert [i["title"] for i in viewer.get(API, {"kind": "policy"}).json()["items"]] == [
        "Access policy"
    ]
    assert [i["title"] for i in viewer.get(API, {"retired": True}).json()["items"]] == [
        "Old policy"
    ]
    assert [i["title"] for i in viewer.get(API, {"q": "PLAN"}).json()["items"]] == ["Backup plan"]
    soon = viewer.get(API, {"expiring_within": 30}).json()
    assert [(i["title"], i["freshness"]) for i in soon["items"]] == [("Backup plan", "expiring")]
    assert viewer.get(API, {"kind": "poem"}).status_code == 422
    assert viewer.get(API, {"limit": 501}).status_code == 422


def test_a_stale_change_answers_409_and_changes_nothing(setup):
    item = attestation(setup, title="Incident response plan", kind="plan")
    owner = as_role(setup, "owner")
    first = patch(owner, f"{API}/{item.pk}", {"version": 1, "description": "Tested in May"})
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["version"], body["description"], body["title"], body["kind"]) == (
        2,
        "Tested in May",
        "Incident response plan",
        "plan",
    )
    stale = patch(owner, f"{API}/{item.pk}", {"version": 1, "title": "Renamed"})
    assert stale.status_code == 409
    assert stale["Content-Type"] == "application/problem+json"
    assert "changed by someone else (version 2, yours 1)" in stale.json()["detail"]
    assert owner.get(f"{API}/{item.pk}").json()["title"] == "Incident response plan"


def test_a_contributor_changes_only_items_they_added(setup):
    mine = attestation(setup, role="contributor", title="My runbook")
    theirs = attestation(setup, role="assessor", title="Assessor's note")
    contributor = as_role(setup, "contributor")
    ok = patch(contributor, f"{API}/{mine.pk}", {"version": 1, "kind": "procedure"})
    assert (ok.status_code, ok.json()["kind"]) == (200, "procedure")
    refused = patch(contributor, f"{API}/{theirs.pk}", {"version": 1, "kind": "procedure"})
    assert refused.status_code == 403
    assert contributor.delete(f"{API}/{theirs.pk}").status_code == 403
    assert m.EvidenceItem.objects.get(pk=theirs.pk).kind == "other"


def test_retire_restore_and_removal_refused_once_a_snapshot_cites_it(setup):
    item = attestation(setup, title="Access review 2026")
    owner = as_role(setup, "owner")
    retired = owner.post(f"{API}/{item.pk}/retire")
    assert (retired.status_code, retired.json()["retired"], retired.json()["version"]) == (
        200,
        True,
        2,
    )
    refused = post(
        owner, f"{API}/{item.pk}/links", {"profile": setup.profile, "outcome": "GV.PO-01"}
    )
    assert refused.status_code == 409
    restored = owner.post(f"{API}/{item.pk}/restore")
    assert (restored.json()["retired"], restored.json()["version"]) == (False, 3)

    snap = profiles.take_snapshot(setup.world.access("owner"), setup.profile, label="Q4")
    m.SnapshotEvidence.objects.create(snapshot=snap, item=item, version=item.versions.get())
    cited = owner.delete(f"{API}/{item.pk}")
    assert cited.status_code == 409
    assert cited.json()["detail"] == (
        "Access review 2026 is cited by a frozen snapshot and cannot be removed; retire it"
    )
    free = attestation(setup, title="Draft")
    assert owner.delete(f"{API}/{free.pk}").status_code == 204
    assert not m.EvidenceItem.objects.filter(pk=free.pk).exists()
    assert owner.get(f"{API}/{free.pk}").status_code == 404


def test_another_tenants_ids_are_not_found(setup):
    owner = as_role(setup, "owner")
    foreign = setup.foreign_item
    assert owner.get(f"{API}/{foreign}").status_code == 404
    assert owner.get(f"{API}/{foreign}/versions").status_code == 404
    assert owner.get(f"{API}/{foreign}/links").status_code == 404
    assert owner.post(f"{API}/{foreign}/retire").status_code == 404
    assert patch(owner, f"{API}/{foreign}", {"version": 1, "title": "Mine"}).status_code == 404
    assert owner.delete(f"{API}/{foreign}").status_code == 404
    assert upload(owner, f"{API}/{foreign}/versions/files", PDF).status_code == 404
    globex_profile = profiles.create_profile(setup.world.other_access(), name="Globex")
    mine = attestation(setup)
    linked = post(
        owner, f"{API}/{mine.pk}/links", {"profile": globex_profile.pk, "outcome": "GV.PO-01"}
    )
    assert linked.status_code == 404
    assert (
        owner.get(f"/api/organizations/acme/profiles/{globex_profile.pk}/evidence").status_code
        == 404
    )
    row = m.EvidenceItem.objects.get(pk=foreign)
    assert (row.title, row.retired_at, row.version) == ("Globex policy", None, 1)
    assert m.StoredFile.objects.count() == 0


# -- links, reviews, states ----------------------------------------------------------------------


def test_one_item_proves_outcomes_in_two_profiles_and_reviews_decide_the_state(setup):
    item = attestation(setup, title="Information security policy", kind="policy")
    contributor = as_role(setup, "contributor")
    assessor = as_role(setup, "assessor")
    # A contributor links only to the outcome assigned to them.
    own = post(
        contributor,
        f"{API}/{item.pk}/links",
        {"profile": setup.profile, "outcome": "GV.PO-01", "statement": "Section 2 sets it"},
    )
    assert own.status_code == 201, own.content
    assert (own.json()["outcome"], own.json()["review"], own.json()["profile_name"]) == (
        "GV.PO-01",
        "pending",
        "Whole company",
    )
    other = post(
        contributor, f"{API}/{item.pk}/links", {"profile": setup.profile, "outcome": "GV.PO-02"}
    )
    assert other.status_code == 403
    second = post(
        assessor, f"{API}/{item.pk}/links", {"profile": setup.second, "outcome": "GV.PO-01"}
    )
    assert second.status_code == 201
    twice = post(
        assessor, f"{API}/{item.pk}/links", {"profile": setup.second, "outcome": "GV.PO-01"}
    )
    assert twice.status_code == 409
    unknown = post(
        assessor, f"{API}/{item.pk}/links", {"profile": setup.profile, "outcome": "GV.PO-99"}
    )
    assert unknown.status_code == 404
    target = post(
        assessor,
        f"{API}/{item.pk}/links",
        {"profile": setup.profile, "outcome": "GV.PO-02", "side": "target"},
    )
    assert target.status_code == 201

    links = assessor.get(f"{API}/{item.pk}/links").json()
    assert sorted((x["profile"], x["outcome"], x["side"]) for x in links) == sorted(
        [
            (setup.profile, "GV.PO-01", "current"),
            (setup.profile, "GV.PO-02", "target"),
            (setup.second, "GV.PO-01", "current"),
        ]
    )

    link = own.json()["id"]
    # Contributors upload and link; only owners and assessors review.
    refused = post(contributor, f"{API}/links/{link}/review", {"state": "accepted"})
    assert refused.status_code == 403
    bare = post(assessor, f"{API}/links/{link}/review", {"state": "insufficient"})
    assert bare.status_code == 400
    assert bare.json()["detail"] == (
        "field comment: say why the evidence is insufficient or rejected"
    )
    accepted = post(assessor, f"{API}/links/{link}/review", {"state": "accepted", "comment": "ok"})
    assert accepted.status_code == 200
    body = accepted.json()
    assert (body["review"], body["review_comment"], body["reviewed_by"]) == (
        "accepted",
        "ok",
        "assessor@acme.test",
    )

    states = assessor.get(f"/api/organizations/acme/profiles/{setup.profile}/evidence").json()
    by_code = {o["code"]: o for o in states["outcomes"]}
    assert by_code["GV.PO-01"] == {
        "code": "GV.PO-01",
        "state": "supported",
        "accepted": 1,
        "pending": 0,
        "expired": 0,
        "failing": 0,
        "serious": 0,
        "passing": 0,
    }
    assert (by_code["GV.PO-02"]["state"], by_code["GV.PO-02"]["pending"]) == ("unsupported", 1)
    assert by_code["PR.AA-01"]["state"] == "no-claim"
    coverage = {c["function"]: (c["supported"], c["rated"]) for c in states["coverage"]}
    assert coverage == {"GV": (1, 2), "PR": (0, 1)}
    assert states["counts"]["supported"] == 1
    assert states["counts"]["unsupported"] == 1
    assert states["expiring"] == {"30": 0, "90": 0}

    # A pending link may be removed by the contributor; a reviewed one only by a reviewer.
    assert contributor.delete(f"{API}/links/{link}").status_code == 403
    assert assessor.delete(f"{API}/links/{link}").status_code == 204
    assert assessor.delete(f"{API}/links/{link}").status_code == 404


def test_due_lists_what_expires_and_what_expired(setup):
    today = timezone.localdate()
    attestation(setup, title="Pen test 2025", valid_until=today - timedelta(days=3))
    attestation(setup, title="DR test", valid_until=today + timedelta(days=10))
    attestation(setup, title="Insurance", valid_until=today + timedelta(days=60))
    attestation(setup, title="Charter")
    viewer = as_role(setup, "viewer")
    rows = viewer.get(f"{API}/due").json()
    assert [(r["title"], r["days_left"], r["freshness"]) for r in rows] == [
        ("Pen test 2025", -3, "expired"),
        ("DR test", 10, "expiring"),
    ]
    later = viewer.get(f"{API}/due", {"days": 90}).json()
    assert [r["title"] for r in later] == ["Pen test 2025", "DR test", "Insurance"]
    assert viewer.get(f"{API}/due", {"days": -1}).status_code == 422


# -- evidence requests ---------------------------------------------------------------------------


def test_a_request_is_asked_answered_by_the_member_and_decided(setup):
    w = setup.world
    assessor = as_role(setup, "assessor")
    contributor = as_role(setup, "contributor")
    due = timezone.localdate() + timedelta(days=14)
    asked = post(
        assessor,
        f"{API}/requests",
        {
            "profile": setup.profile,
            "outcomes": ["GV.PO-01", "GV.PO-02"],
            "assignee": w.users["contributor"].pk,
            "due": str(due),
            "note": "Latest approved version, please",
        },
    )
    assert asked.status_code == 201, asked.content
    req = asked.json()
    assert (req["state"], req["outcomes"], req["assignee"], req["requested_by"]) == (
        "open",
        ["GV.PO-01", "GV.PO-02"],
        "contributor@acme.test",
        "assessor@acme.test",
    )
    assert post(contributor, f"{API}/requests", {**req, "id": None}).status_code == 422
    mine = contributor.get(f"{API}/requests", {"mine": True, "state": "open"}).json()
    assert [r["id"] for r in mine] == [req["id"]]
    assert assessor.get(f"{API}/requests", {"mine": True}).json() == []

    item = attestation(setup, role="contributor", title="Signed policy")
    submitted = post(
        contributor,
        f"{API}/requests/{req['id']}/submit",
        {"items": [item.pk], "response": "Here it is", "statement": "Signed by the CEO"},
    )
    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["state"], submitted.json()["items"]) == ("submitted", [item.pk])
    links = m.EvidenceLink.objects.filter(item=item).order_by("code")
    assert [(x.code, x.review, x.statement) for x in links] == [
        ("GV.PO-01", "pending", "Signed by the CEO"),
        ("GV.PO-02", "pending", "Signed by the CEO"),
    ]
    again = post(contributor, f"{API}/requests/{req['id']}/submit", {"items": [item.pk]})
    assert again.status_code == 409
    assert (
        post(contributor, f"{API}/requests/{req['id']}/decide", {"accept": True}).status_code == 403
    )
    no_reason = post(assessor, f"{API}/requests/{req['id']}/decide", {"accept": False})
    assert no_reason.status_code == 400
    decided = post(
        assessor, f"{API}/requests/{req['id']}/decide", {"accept": True, "comment": "Thanks"}
    )
    assert (decided.json()["state"], decided.json()["decision_comment"]) == ("accepted", "Thanks")
    assert set(links.values_list("review", flat=True)) == {"accepted"}
    assert [r["id"] for r in assessor.get(f"{API}/requests", {"state": "accepted"}).json()] == [
        req["id"]
    ]


def test_a_request_without_an_assignee_goes_to_the_outcomes_owner(setup):
    assessor = as_role(setup, "assessor")
    due = str(timezone.localdate() + timedelta(days=7))
    asked = post(
        assessor,
        f"{API}/requests",
        {"profile": setup.profile, "outcomes": ["GV.PO-01"], "due": due},
    )
    assert asked.status_code == 201, asked.content
    assert asked.json()["assignee"] == "contributor@acme.test"
    # GV.PO-02 is assigned to nobody: the assessor must say whom to ask.
    unowned = post(
        assessor,
        f"{API}/requests",
        {"profile": setup.profile, "outcomes": ["GV.PO-01", "GV.PO-02"], "due": due},
    )
    assert unowned.status_code == 400
    assert unowned.json()["detail"] == (
        "field assignee: these outcomes are not all assigned to one member; name the assignee"
    )
    assert m.EvidenceRequest.objects.count() == 1


def test_an_open_request_past_its_due_day_is_overdue(setup):
    w = setup.world
    row = services.ask(
        w.access("assessor"),
        setup.profile,
        ["GV.PO-01"],
        assignee_id=w.users["contributor"].pk,
        due=timezone.localdate() + timedelta(days=1),
    )
    m.EvidenceRequest.objects.filter(pk=row.pk).update(due=timezone.localdate() - timedelta(days=1))
    viewer = as_role(setup, "viewer")
    assert viewer.get(f"{API}/requests/{row.pk}").json()["state"] == "overdue"
    assert [r["id"] for r in viewer.get(f"{API}/requests", {"state": "overdue"}).json()] == [row.pk]
    assert viewer.get(f"{API}/requests", {"state": "open"}).json() == []
    other = services.ask(
        w.other_access(),
        profiles.create_profile(w.other_access(), name="G").pk,
        ["GV.PO-01"],
        assignee_id=w.outsider.pk,
        due=timezone.localdate(),
    )
    assert viewer.get(f"{API}/requests/{other.pk}").status_code == 404


# -- query counts --------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_cost_the_same_queries_for_three_rows_or_thirty(setup):
    w = setup.world
    viewer = as_role(setup, "viewer")
    due = timezone.localdate() + timedelta(days=5)

    def grow(n: int) -> None:
        for i in range(n):
            item = attestation(setup, title=f"Item {i}", valid_until=due)
            services.link(w.access("owner"), item.pk, setup.profile, "GV.PO-02")
            services.ask(
                w.access("assessor"),
                setup.profile,
                ["GV.PO-01", "GV.PO-02"],
                assignee_id=w.users["contributor"].pk,
                due=due,
            )

    urls = [
        API,
        f"{API}/due",
        f"{API}/requests",
        f"/api/organizations/acme/profiles/{setup.profile}/evidence",
    ]
    grow(3)
    _queries(viewer, urls[0])  # the session and the member's access, then kept (identity cache)
    few = [_queries(viewer, u) for u in urls]
    grow(27)
    many = [_queries(viewer, u) for u in urls]
    assert many == few
    # Pinned: the identity generation, then the answer's own reads.
    assert few == [3, 2, 4, 6]
