"""The evidence pages over real HTTP: the library, an item, links and reviews, the outcome
panels of the questionnaire and the gap list, the dashboard's evidence panel, what is due.

Requests are in tests/webapp/evidence/test_evidence_request_pages.py, reminders in
tests/webapp/evidence/test_evidence_reminders.py.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.evidence import blobs, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles import services as profiles
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PDF_SHA = hashlib.sha256(PDF).hexdigest()
E = "/orgs/acme/evidence"


@pytest.fixture
def world():
    return build_world()


def client_of(world, role: str) -> Client:
    c = Client()
    c.force_login(world.users[role])
    return c


def item_values(prefix: str = "file", **extra) -> dict:
    values = {
        "title": "Access control policy",
        "kind": "policy",
        "source_kind": "person",
        "source": "CISO office",
        "confidentiality": "internal",
        "effective_from": "2026-01-01",
        "review_interval_days": "365",
        **extra,
    }
    return {f"{prefix}-{k}": v for k, v in values.items()}


def upload(world, role="assessor", data=PDF, name="policy.pdf", **extra):
    c = client_of(world, role)
    response = c.post(
        f"{E}/new/file/",
        {**item_values(**extra), "file": SimpleUploadedFile(name, data)},
    )
    return c, response


def add_file_item(world, role="assessor", title="Access control policy", **fields):
    spooled = blobs.spool([PDF], filename="p.pdf", organization=world.org)
    return services.add_item(
        world.access(role),
        services.ItemFields(title=title, **fields),
        services.Content(spooled=spooled, filename="p.pdf"),
    )


def rate(world, profile, code, current="fully", owner=None):
    row = pm.ProfileOutcome.objects.get(profile=profile, code=code)
    values = {"current": current, "target": "fully"}
    if owner is not None:
        values["owner_id"] = owner.pk
    profiles.update_outcome(
        world.access("owner"), profile.pk, code, values, expected_version=row.version
    )


# -- the library and adding items ------------------------------------------------------------


def test_a_file_uploaded_through_the_page_is_kept_with_its_hash_and_shown(world):
    c, response = upload(world)
    assert response.status_code == 302
    row = m.EvidenceItem.objects.get()
    assert response["Location"] == f"{E}/{row.pk}/"
    assert (row.kind, row.form, row.source, row.review_interval_days) == (
        "policy",
        "file",
        "CISO office",
        365,
    )
    assert row.expires_on.isoformat() == "2027-01-01"
    assert row.created_by == world.users["assessor"]
    page = c.get(f"{E}/{row.pk}/").content.decode()
    assert f'<code class="sha" translate="no">{PDF_SHA}</code>' in page
    assert f"{E}/{row.pk}/versions/1/download/" in page
    download = c.get(f"{E}/{row.pk}/versions/1/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(object_type="evidence", action="download").count() == 1


def test_library_lists_searches_filters_and_shows_freshness(world):
    today = timezone.localdate()
    add_file_item(world, title="Backup log", kind="record", valid_until=today - timedelta(days=1))
    add_file_item(world, title="Backup plan", kind="plan", valid_until=today + timedelta(days=10))
    add_file_item(world, title="Incident plan", kind="plan")
    c = client_of(world, "viewer")
    page = c.get(f"{E}/").content.decode()
    assert page.count('class="tag fresh-expired"') == 1
    assert page.count('class="tag fresh-expiring"') == 1
    assert page.count('class="tag fresh-undated"') == 1
    assert "Add evidence" not in page  # a viewer cannot add
    found = c.get(f"{E}/?q=backup&kind=plan").content.decode()
    assert "Backup plan" in found and "Backup log" not in found and "Incident plan" not in found


def test_retired_items_are_on_their_own_tab(world):
    row = add_file_item(world, title="Old firewall rules")
    c = client_of(world, "assessor")
    assert c.post(f"{E}/{row.pk}/retire/", follow=True).status_code == 200  # the message shown
    assert "Old firewall rules" not in c.get(f"{E}/").content.decode()
    assert "Old firewall rules" in c.get(f"{E}/?tab=retired").content.decode()
    assert c.post(f"{E}/{row.pk}/retire/", {"restore": "1"}).status_code == 302
    assert "Old firewall rules" in c.get(f"{E}/").content.decode()


def test_a_link_and_an_attestation_are_added_from_their_forms(world):
    c = client_of(world, "contributor")
    link = c.post(
        f"{E}/new/link/",
        {
            **item_values("link", title="SOC 2 report portal"),
            "link-url": "https://trust.example/soc2",
        },
    )
    assert link.status_code == 302
    said = c.post(
        f"{E}/new/attestation/",
        {
            **item_values("attestation", title="No shared accounts", kind="attestation"),
            "attestation-statement": "Every administrator has a personal account.",
        },
    )
    assert said.status_code == 302
    forms = dict(m.EvidenceItem.objects.values_list("title", "form"))
    assert forms == {"SOC 2 report portal": "link", "No shared accounts": "attestation"}
    assert (
        m.EvidenceVersion.objects.get(url__startswith="https").url == "https://trust.example/soc2"
    )


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("file/", item_values(), "choose a file to upload"),
        ("file/", item_values(title=""), "This field is required"),
        ("link/", {**item_values("link"), "link-url": "javascript:alert(1)"}, "Enter a valid URL"),
        (
            "file/",
            {**item_values(valid_until="2025-01-01"), "file": SimpleUploadedFile("a.pdf", PDF)},
            "valid until is before effective from",
        ),
    ],
)
def test_bad_forms_are_refused_with_the_reason_and_nothing_is_stored(world, path, data, message):
    c = client_of(world, "assessor")
    response = c.post(f"{E}/new/{path}", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert m.EvidenceItem.objects.count() == 0
    assert m.StoredFile.objects.count() == 0


def test_an_html_page_named_pdf_is_refused_on_the_page(world):
    _, response = upload(world, data=b"<!doctype html><script>alert(1)</script>", name="x.pdf")
    assert response.status_code == 400
    assert "HTML or SVG" in response.content.decode()
    assert m.EvidenceItem.objects.count() == 0


def test_viewers_cannot_upload(world):
    _, response = upload(world, role="viewer")
    assert response.status_code == 403
    assert m.EvidenceItem.objects.count() == 0


# -- one item ------------------------------------------------------------------------------


def test_a_new_version_keeps_the_earlier_one_downloadable(world):
    row = add_file_item(world)
    c = client_of(world, "assessor")
    newer = PDF.replace(b"Catalog", b"Catalog /Lang (en)")
    response = c.post(
        f"{E}/{row.pk}/versions/new/",
        {"version-note": "annual update", "file": SimpleUploadedFile("p2.pdf", newer)},
    )
    assert response.status_code == 302
    page = c.get(f"{E}/{row.pk}/").content.decode()
    assert PDF_SHA in page and hashlib.sha256(newer).hexdigest() in page
    assert "annual update" in page
    assert b"".join(c.get(f"{E}/{row.pk}/versions/1/download/").streaming_content) == PDF
    assert b"".join(c.get(f"{E}/{row.pk}/versions/2/download/").streaming_content) == newer
    assert c.get(f"{E}/{row.pk}/versions/3/download/").status_code == 404


def test_an_edit_based_on_an_old_version_is_refused_and_shown(world):
    row = add_file_item(world)
    c = client_of(world, "assessor")
    values = {**item_values("x", title="Renamed"), "version": str(row.version)}
    values = {k.removeprefix("x-"): v for k, v in values.items()}
    assert c.post(f"{E}/{row.pk}/edit/", values).status_code == 302
    row.refresh_from_db()
    assert (row.title, row.version) == ("Renamed", 2)
    stale = c.post(f"{E}/{row.pk}/edit/", {**values, "title": "Mine", "version": "1"})
    assert stale.status_code == 409
    assert "Someone else changed this item first" in stale.content.decode()
    row.refresh_from_db()
    assert row.title == "Renamed"


def test_removal_is_refused_with_a_message_while_a_snapshot_cites_the_item(world):
    profile = world.profile()
    row = add_file_item(world)
    snap = profiles.take_snapshot(world.access("owner"), profile.pk, label="Q4")
    m.SnapshotEvidence.objects.create(snapshot=snap, item=row, version=row.versions.get())
    c = client_of(world, "owner")
    response = c.post(f"{E}/{row.pk}/remove/", {"confirm": "on"}, follow=True)
    assert "cannot be removed: a frozen snapshot or an imported scan cites it" in (
        response.content.decode()
    )
    assert m.EvidenceItem.objects.filter(pk=row.pk).exists()
    other = add_file_item(world, title="Draft")
    assert c.post(f"{E}/{other.pk}/remove/", {}).status_code == 302
    assert m.EvidenceItem.objects.filter(pk=other.pk).exists()  # not confirmed
    assert c.post(f"{E}/{other.pk}/remove/", {"confirm": "on"})["Location"] == f"{E}/"
    assert not m.EvidenceItem.objects.filter(pk=other.pk).exists()


def test_another_tenants_item_is_not_found(world):
    spooled = blobs.spool([PDF], filename="p.pdf", organization=world.other)
    theirs = services.add_item(
        world.other_access(),
        services.ItemFields(title="Globex secret"),
        services.Content(spooled=spooled, filename="p.pdf"),
    )
    c = client_of(world, "owner")
    for url in (f"{E}/{theirs.pk}/", f"{E}/{theirs.pk}/versions/1/download/"):
        assert c.get(url).status_code == 404
    assert c.post(f"{E}/{theirs.pk}/retire/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.retired_at is None


# -- links and reviews ------------------------------------------------------------------------


def test_one_item_linked_to_two_outcomes_in_two_profiles_and_reviewed(world):
    first, second = world.profile("Whole company"), world.profile("Plant 2")
    row = add_file_item(world)
    c = client_of(world, "assessor")
    for p in (first, second):
        response = c.post(
            f"{E}/{row.pk}/links/",
            {
                "profile": p.pk,
                "outcomes": "GV.PO-01, gv.po-02",
                "side": "current",
                "statement": "s",
            },
        )
        assert response.status_code == 302
    assert sorted(m.EvidenceLink.objects.values_list("profile_id", "code")) == sorted(
        (p.pk, code) for p in (first, second) for code in ("GV.PO-01", "GV.PO-02")
    )
    link = m.EvidenceLink.objects.get(profile=first, code="GV.PO-01")
    refused = c.post(f"{E}/links/{link.pk}/review/", {"state": "rejected"}, follow=True)
    assert "why the evidence for GV.PO-01 is insufficient or rejected" in refused.content.decode()
    link.refresh_from_db()
    assert link.review == "pending"
    assert c.post(f"{E}/links/{link.pk}/review/", {"state": "accepted"}).status_code == 302
    link.refresh_from_db()
    assert (link.review, link.reviewed_by) == ("accepted", world.users["assessor"])
    page = c.get(f"{E}/{row.pk}/").content.decode()
    assert page.count('class="tag review-accepted"') == 1
    assert page.count('class="tag review-pending"') == 3


def test_an_unknown_outcome_or_a_second_link_is_refused_by_name(world):
    profile = world.profile()
    row = add_file_item(world)
    c = client_of(world, "assessor")
    c.post(
        f"{E}/{row.pk}/links/", {"profile": profile.pk, "outcomes": "GV.PO-01", "side": "current"}
    )
    response = c.post(
        f"{E}/{row.pk}/links/",
        {"profile": profile.pk, "outcomes": "GV.PO-01 GV.OC-1", "side": "current"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "GV.PO-01: already linked on this side" in text
    assert "GV.OC-1: no such outcome in this profile" in text


def test_contributors_link_only_their_outcomes_and_never_review(world):
    profile = world.profile()
    rate(world, profile, "GV.OC-01", current="partially", owner=world.users["contributor"])
    row = add_file_item(world, role="contributor", title="Mission statement")
    c = client_of(world, "contributor")
    response = c.post(
        f"{E}/{row.pk}/links/",
        {"profile": profile.pk, "outcomes": "GV.OC-01 GV.OC-02", "side": "current"},
        follow=True,
    )
    assert "Not linked: GV.OC-02: not assigned to you" in response.content.decode()
    link = m.EvidenceLink.objects.get()
    assert link.code == "GV.OC-01"
    page = c.get(f"{E}/{row.pk}/").content.decode()
    assert "review-accept" not in page  # no review buttons
    assert c.post(f"{E}/links/{link.pk}/review/", {"state": "accepted"}).status_code == 403
    link.refresh_from_db()
    assert link.review == "pending"
    assert c.post(f"{E}/links/{link.pk}/unlink/").status_code == 302
    assert not m.EvidenceLink.objects.exists()


# -- the profile pages ------------------------------------------------------------------------


def _states_world(world):
    """PR.AA-01 fully + accepted evidence (supported), PR.AA-02 largely + nothing
    (unsupported), PR.AA-03 partially (no claim), DE.CM-01 largely + a failing critical scan
    finding (contradicted); every target fully, so the last three are gaps."""
    profile = world.profile()
    rate(world, profile, "PR.AA-01", "fully")
    for code in ("PR.AA-02", "DE.CM-01"):
        rate(world, profile, code, "largely")
    rate(world, profile, "PR.AA-03", "partially")
    row = add_file_item(world, title="MFA enrolment report")
    link = services.link(world.access("assessor"), row.pk, profile.pk, "PR.AA-01")
    services.review(world.access("assessor"), link.pk, "accepted")
    services.link(world.access("assessor"), row.pk, profile.pk, "PR.AA-03")
    version = row.versions.get()
    scan = m.ScanImport.objects.create(
        organization=world.org,
        profile=profile,
        item=row,
        version=version,
        format="sarif",
        tool="bandit",
        series="bandit:repo",
    )
    m.ScanOutcome.objects.create(
        scan=scan, organization=world.org, code="DE.CM-01", failed=3, serious=1
    )
    return profile, row


def test_the_questionnaire_shows_the_outcomes_evidence_state_and_items(world):
    profile, row = _states_world(world)
    c = client_of(world, "assessor")
    base = f"/orgs/acme/profiles/{profile.pk}/assess/"
    page = c.get(f"{base}?outcome=PR.AA-01").content.decode()
    assert '<span class="ev-state ev-supported"' in page
    assert "1 accepted" in page
    assert f'href="{E}/{row.pk}/"' in page
    assert "Link existing evidence" in page and "Ask someone for evidence" in page
    contradicted = c.get(f"{base}?outcome=DE.CM-01").content.decode()
    assert '<span class="ev-state ev-contradicted"' in contradicted
    assert "3 failing findings" in contradicted
    assert (
        '<span class="ev-state ev-unsupported"'
        in c.get(f"{base}?outcome=PR.AA-02").content.decode()
    )
    category = c.get(f"{base}?mode=category&category=PR.AA").content.decode()
    assert category.count('class="outcome-evidence"') == 6
    viewer = client_of(world, "viewer").get(f"{base}?outcome=PR.AA-01").content.decode()
    assert '<span class="ev-state ev-supported"' in viewer
    assert "Link existing evidence" not in viewer


def test_link_existing_evidence_from_the_outcome_panel_returns_to_the_questionnaire(world):
    profile = world.profile()
    row = add_file_item(world)
    c = client_of(world, "assessor")
    back = f"/orgs/acme/profiles/{profile.pk}/assess/?outcome=ID.AM-01"
    response = c.post(
        f"{E}/links/new/",
        {
            "item": row.pk,
            "profile": profile.pk,
            "outcomes": "ID.AM-01",
            "side": "current",
            "next": back,
        },
    )
    assert response["Location"] == back
    assert m.EvidenceLink.objects.get().code == "ID.AM-01"
    offsite = c.post(
        f"{E}/links/new/",
        {
            "item": row.pk,
            "profile": profile.pk,
            "outcomes": "ID.AM-02",
            "side": "current",
            "next": "https://evil.example/",
        },
    )
    assert offsite["Location"] == f"{E}/{row.pk}/"


def test_upload_from_an_outcome_links_the_new_item_to_it(world):
    profile = world.profile()
    c = client_of(world, "assessor")
    form = c.get(f"{E}/new/?form=file&profile={profile.pk}&outcome=PR.DS-01").content.decode()
    assert "linked to PR.DS-01" in form
    response = c.post(
        f"{E}/new/file/",
        {
            **item_values(),
            "file": SimpleUploadedFile("p.pdf", PDF),
            "link_profile": str(profile.pk),
            "link_outcome": "PR.DS-01",
        },
    )
    assert response.status_code == 302
    assert m.EvidenceLink.objects.get().code == "PR.DS-01"


def test_the_dashboard_shows_coverage_and_counts_and_the_gap_list_each_state(world):
    profile, _ = _states_world(world)
    today = timezone.localdate()
    add_file_item(world, title="Soon", valid_until=today + timedelta(days=20))
    add_file_item(world, title="Later", valid_until=today + timedelta(days=60))
    c = client_of(world, "viewer")
    page = c.get(f"/orgs/acme/profiles/{profile.pk}/dashboard/").content.decode()
    # PR: 3 rated, 1 with accepted evidence; DE: 1 rated, none.
    assert '<meter min="0" max="3" value="1" aria-label="PR">' in page
    assert '<meter min="0" max="1" value="0" aria-label="DE">' in page
    for state, label in (("contradicted", "Contradicted"), ("unsupported", "Unsupported")):
        badge = f'<span class="ev-state ev-{state}">{label}</span> <strong>1</strong>'
        assert f'state={state}">{badge}' in page
    assert "Expiring in 30 days: <strong>1</strong>" in page
    assert "in 90 days: <strong>2</strong>" in page
    gap_list = page.split('id="gap-list"')[1]
    assert "ev-state ev-contradicted" in gap_list and "ev-state ev-unsupported" in gap_list
    listed = c.get(f"{E}/outcomes/?profile={profile.pk}&state=unsupported").content.decode()
    assert "PR.AA-02" in listed and "PR.AA-01" not in listed


def test_the_due_page_lists_expired_and_expiring_items_soonest_first(world):
    today = timezone.localdate()
    add_file_item(world, title="Expired log", valid_until=today - timedelta(days=3))
    add_file_item(world, title="Second", valid_until=today + timedelta(days=25))
    add_file_item(world, title="First", valid_until=today + timedelta(days=5))
    add_file_item(world, title="In two months", valid_until=today + timedelta(days=60))
    c = client_of(world, "viewer")
    page = c.get(f"{E}/due/").content.decode()
    expired, expiring = page.split('id="expiring-h"')
    assert "Expired log" in expired
    assert expiring.index("First") < expiring.index("Second")
    assert "In two months" not in page
    assert "In two months" in c.get(f"{E}/due/?days=90").content.decode()
