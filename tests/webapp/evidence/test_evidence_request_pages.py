"""Evidence requests over real HTTP: asked by an assessor, answered by a contributor with an
upload, accepted or sent back; the lists, the overdue state, the member's count at home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence import services
from tests.webapp.evidence.test_evidence_pages import PDF, add_file_item, client_of
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
E = "/orgs/acme/evidence"


@pytest.fixture
def world():
    return build_world()


def ask(world, c: Client, profile, codes="PR.AA-01 PR.AA-02", due=None, to="contributor"):
    due = due or timezone.localdate() + timedelta(days=14)
    return c.post(
        f"{E}/requests/new/",
        {
            "profile": profile.pk,
            "outcomes": codes,
            "assignee": world.users[to].pk,
            "due": due.isoformat(),
            "note": "The MFA enrolment report, please",
        },
    )


def test_a_request_is_asked_answered_with_an_upload_and_accepted(world):
    profile = world.profile()
    assessor = client_of(world, "assessor")
    form = assessor.get(f"{E}/requests/new/?profile={profile.pk}&outcome=PR.AA-01")
    assert 'value="PR.AA-01"' in form.content.decode()
    response = ask(world, assessor, profile)
    assert response.status_code == 302
    req = m.EvidenceRequest.objects.get()
    assert response["Location"] == f"{E}/requests/{req.pk}/"
    assert (req.assignee, req.requested_by) == (world.users["contributor"], world.users["assessor"])

    contributor = client_of(world, "contributor")
    home = contributor.get("/orgs/acme/").content.decode()
    assert "1 evidence request waits for your answer" in home
    mine = contributor.get(f"{E}/requests/").content.decode()  # "mine" by default
    assert f"{E}/requests/{req.pk}/" in mine
    page = contributor.get(f"{E}/requests/{req.pk}/").content.decode()
    assert "Answer the request" in page and "Review the answer" not in page
    answered = contributor.post(
        f"{E}/requests/{req.pk}/submit/",
        {
            "title": "MFA enrolment, November",
            "kind": "record",
            "response": "Exported from the IdP",
            "file": SimpleUploadedFile("mfa.pdf", PDF),
        },
    )
    assert answered.status_code == 302
    req.refresh_from_db()
    assert req.state == "submitted"
    item = req.items.get()
    assert (item.title, item.kind, item.owner) == (
        "MFA enrolment, November",
        "record",
        world.users["contributor"],
    )
    assert sorted(m.EvidenceLink.objects.values_list("code", "review")) == [
        ("PR.AA-01", "pending"),
        ("PR.AA-02", "pending"),
    ]
    assert "0 evidence request" not in contributor.get("/orgs/acme/").content.decode()

    assert (
        contributor.post(f"{E}/requests/{req.pk}/decide/", {"decision": "accept"}).status_code
        == 403
    )
    review = assessor.get(f"{E}/requests/{req.pk}/").content.decode()
    assert "Review the answer" in review and "Answer the request" not in review
    assert (
        assessor.post(f"{E}/requests/{req.pk}/decide/", {"decision": "accept"}).status_code == 302
    )
    req.refresh_from_db()
    assert req.state == "accepted"
    assert set(m.EvidenceLink.objects.values_list("review", flat=True)) == {"accepted"}


def test_a_rejection_needs_a_reason_and_sends_the_request_back(world):
    profile = world.profile()
    assessor = client_of(world, "assessor")
    ask(world, assessor, profile)
    req = m.EvidenceRequest.objects.get()
    row = add_file_item(world, role="contributor", title="Old report")
    contributor = client_of(world, "contributor")
    contributor.post(f"{E}/requests/{req.pk}/submit/", {"items": [row.pk], "kind": "other"})
    silent = assessor.post(f"{E}/requests/{req.pk}/decide/", {"decision": "reject"}, follow=True)
    assert "Say in the comment why the answer is rejected." in silent.content.decode()
    req.refresh_from_db()
    assert req.state == "submitted"
    assessor.post(
        f"{E}/requests/{req.pk}/decide/", {"decision": "reject", "comment": "From last year"}
    )
    req.refresh_from_db()
    assert (req.state, req.decision_comment) == ("rejected", "From last year")
    # Sent back: the member may answer again.
    page = contributor.get(f"{E}/requests/{req.pk}/").content.decode()
    assert "Answer the request" in page and "From last year" in page


def test_an_answer_without_evidence_is_refused(world):
    profile = world.profile()
    ask(world, client_of(world, "assessor"), profile)
    req = m.EvidenceRequest.objects.get()
    response = client_of(world, "contributor").post(
        f"{E}/requests/{req.pk}/submit/", {"kind": "other"}
    )
    assert response.status_code == 400
    assert "choose at least one evidence item" in response.content.decode()
    req.refresh_from_db()
    assert req.state == "open"


def test_the_request_list_filters_by_state_and_shows_overdue(world):
    profile = world.profile()
    assessor = client_of(world, "assessor")
    today = timezone.localdate()
    ask(world, assessor, profile, codes="GV.OC-01", due=today - timedelta(days=2))
    ask(world, assessor, profile, codes="GV.OC-02", due=today + timedelta(days=2), to="viewer")
    late, fine = m.EvidenceRequest.objects.order_by("due")
    everyone = assessor.get(f"{E}/requests/").content.decode()  # reviewers see all, open first
    assert everyone.count('class="tag request-overdue"') == 1
    assert everyone.count('class="tag request-open"') == 1
    overdue = assessor.get(f"{E}/requests/?state=overdue&mine=0").content.decode()
    assert f"{E}/requests/{late.pk}/" in overdue and f"{E}/requests/{fine.pk}/" not in overdue
    contributor = client_of(world, "contributor").get(f"{E}/requests/").content.decode()
    assert f"{E}/requests/{late.pk}/" in contributor
    assert f"{E}/requests/{fine.pk}/" not in contributor


def test_only_reviewers_ask_and_a_request_to_a_stranger_is_refused(world):
    profile = world.profile()
    assert client_of(world, "contributor").get(f"{E}/requests/new/").status_code == 403
    response = client_of(world, "assessor").post(
        f"{E}/requests/new/",
        {
            "profile": profile.pk,
            "outcomes": "GV.OC-01",
            "assignee": world.outsider.pk,
            "due": "2027-01-01",
        },
    )
    assert response.status_code == 400
    assert m.EvidenceRequest.objects.count() == 0


def test_another_tenants_request_is_not_found(world):
    from csfpilot.webapp.profiles import services as profiles

    theirs = profiles.create_profile(world.other_access(), name="Globex")
    req = services.ask(
        world.other_access(),
        theirs.pk,
        ["GV.OC-01"],
        assignee_id=world.outsider.pk,
        due=timezone.localdate(),
    )
    c = client_of(world, "owner")
    assert c.get(f"{E}/requests/{req.pk}/").status_code == 404
    assert c.post(f"{E}/requests/{req.pk}/decide/", {"decision": "accept"}).status_code == 404
