"""The evidence library's use cases: items, versions, links, reviews, requests, states."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest

from csfpilot.core.errors import ConflictError, InputRefused, NotFound
from csfpilot.core.evidence import EvidenceState
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.evidence import blobs, queries, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.organizations.permissions import PermissionMissing
from csfpilot.webapp.profiles import services as profiles
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 6)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


@pytest.fixture
def world():
    return build_world()


def spooled(world, data: bytes, name: str = "policy.pdf"):
    return blobs.spool([data], filename=name, organization=world.org)


def file_item(world, role="assessor", data=PDF, **fields):
    access = world.access(role)
    values = services.ItemFields(title=fields.pop("title", "Access control policy"), **fields)
    return services.add_item(
        access, values, services.Content(spooled=spooled(world, data), filename="p.pdf")
    )


def test_a_file_is_stored_once_by_its_hash_and_versions_are_kept(world):
    first = file_item(world, kind="policy")
    again = file_item(world, title="Same bytes, other item")
    v1 = first.versions.get()
    assert v1.stored_file.sha256 == hashlib.sha256(PDF).hexdigest()
    assert v1.stored_file.media_type == "application/pdf"
    assert again.versions.get().stored_file_id == v1.stored_file_id
    assert m.StoredFile.objects.count() == 1
    assert (
        v1.stored_file.storage_name
        == f"{world.org.pk}/{v1.stored_file.sha256[:2]}/{v1.stored_file.sha256}"
    )

    newer = PDF.replace(b"Catalog", b"Catalog /Lang (en)")
    v2 = services.add_version(
        world.access("assessor"),
        first.pk,
        services.Content(spooled=spooled(world, newer), filename="p-2.pdf", note="annual update"),
    )
    assert v2.number == 2
    assert [v.number for v in first.versions.all()] == [2, 1]
    assert blobs.verify(v1.stored_file) and blobs.verify(v2.stored_file)
    with pytest.raises(m.ImmutableRow):
        v1.save()


def test_active_content_is_refused_whatever_the_name(world):
    polyglot = b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>"
    with pytest.raises(InputRefused, match="HTML or SVG"):
        spooled(world, polyglot, "report.pdf")
    with pytest.raises(InputRefused, match="HTML or SVG"):
        spooled(world, b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "a.png")
    assert m.StoredFile.objects.count() == 0


def test_limits_refuse_as_the_stream_arrives(world, settings):
    settings.CSFPILOT_EVIDENCE_MAX_FILE_BYTES = 10
    seen = []

    def stream():
        for i in range(100):
            seen.append(i)
            yield b"abcdef"

    with pytest.raises(blobs.FileTooLarge, match="limit of"):
        blobs.spool(stream(), filename="big.txt", organization=world.org)
    assert len(seen) == 2  # refused at the second chunk, not after reading everything


def test_contributor_links_only_assigned_outcomes_and_cannot_review(world):
    profile = world.profile()
    contributor = world.users["contributor"]
    profiles.assign_outcomes(world.access("owner"), profile.pk, ["GV.PO-01"], contributor.pk)
    row = file_item(world, role="contributor")
    own = services.link(world.access("contributor"), row.pk, profile.pk, "GV.PO-01")
    with pytest.raises(PermissionMissing):
        services.link(world.access("contributor"), row.pk, profile.pk, "GV.PO-02")
    with pytest.raises(PermissionMissing):
        services.review(world.access("contributor"), own.pk, "accepted")
    with pytest.raises(PermissionMissing):
        file_item(world, role="viewer")
    reviewed = services.review(world.access("assessor"), own.pk, "accepted", "signed policy")
    assert reviewed.review == "accepted" and reviewed.reviewed_by == world.users["assessor"]
    with pytest.raises(InputRefused, match="say why"):
        services.review(world.access("assessor"), own.pk, "rejected")


def test_another_tenants_item_is_not_found(world):
    row = file_item(world)
    with pytest.raises(NotFound):
        services.item(world.other_access(), row.pk)
    assert queries.item_detail(world.other, row.pk) is None


def test_one_item_supports_outcomes_in_several_profiles_and_states_follow(world):
    a = world.profile("Plant")
    b = world.profile("Office")
    owner = world.access("owner")
    for p in (a, b):
        profiles.update_outcome(owner, p.pk, "GV.PO-01", {"current": "fully"}, expected_version=1)
    row = file_item(
        world, effective_from=TODAY - timedelta(days=10), valid_until=TODAY + timedelta(days=20)
    )
    links = [services.link(owner, row.pk, p.pk, "GV.PO-01") for p in (a, b)]
    assert queries.profile_states(a, today=TODAY)["GV.PO-01"].state is EvidenceState.UNSUPPORTED
    services.review(owner, links[0].pk, "accepted")
    assert queries.profile_states(a, today=TODAY)["GV.PO-01"].state is EvidenceState.SUPPORTED
    assert queries.profile_states(b, today=TODAY)["GV.PO-01"].state is EvidenceState.UNSUPPORTED
    # Past its validity the item stops supporting the rating.
    later = TODAY + timedelta(days=21)
    assert queries.profile_states(a, today=later)["GV.PO-01"].state is EvidenceState.UNSUPPORTED
    assert [i.pk for i in queries.due(world.org, days=30, today=TODAY)] == [row.pk]
    cover = queries.coverage(a, today=TODAY)
    assert cover.by_function["GV"] == (1, 1)
    assert cover.counts["supported"] == 1


def test_a_request_is_answered_by_the_member_and_accepted(world):
    profile = world.profile()
    contributor = world.users["contributor"]
    req = services.ask(
        world.access("assessor"),
        profile.pk,
        ["PR.AA-01", "PR.AA-02"],
        assignee_id=contributor.pk,
        due=TODAY + timedelta(days=14),
        note="Identity management procedure, please",
    )
    assert queries.request_state(req, TODAY + timedelta(days=15)).value == "overdue"
    row = file_item(world, role="contributor", title="IAM procedure")
    with pytest.raises(PermissionMissing):
        services.submit(world.access("viewer"), req.pk, [row.pk])
    services.submit(world.access("contributor"), req.pk, [row.pk], response="attached")
    assert m.EvidenceLink.objects.filter(item=row).count() == 2
    with pytest.raises(PermissionMissing):
        services.decide(world.access("contributor"), req.pk, accept=True)
    done = services.decide(world.access("assessor"), req.pk, accept=True)
    assert done.state == "accepted"
    assert set(m.EvidenceLink.objects.filter(item=row).values_list("review", flat=True)) == {
        "accepted"
    }


def test_removal_is_refused_once_a_snapshot_cites_the_item_and_every_change_is_audited(world):
    profile = world.profile()
    row = file_item(world)
    snap = profiles.take_snapshot(world.access("owner"), profile.pk, label="Q4")
    m.SnapshotEvidence.objects.create(snapshot=snap, item=row, version=row.versions.get())
    with pytest.raises(ConflictError, match="snapshot"):
        services.remove(world.access("owner"), row.pk)
    services.retire(world.access("owner"), row.pk)
    assert queries.items(world.org).count() == 0
    assert queries.items(world.org, retired=True).count() == 1
    kinds = list(AuditEvent.objects.filter(object_type="evidence").values_list("action", flat=True))
    assert kinds.count("create") == 1 and kinds.count("update") == 1


def test_removal_drops_unreferenced_bytes(world):
    row = file_item(world)
    services.remove(world.access("assessor"), row.pk)
    assert m.StoredFile.objects.count() == 0
    assert not blobs.storage().exists(
        blobs.storage_name(world.org.pk, hashlib.sha256(PDF).hexdigest())
    )
