"""Backups carry the evidence library: rows and files, hashes checked on restore."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats import backup_archive as fmt
from csfpilot.webapp.backup.services import make_backup, restore_backup
from csfpilot.webapp.evidence import blobs, services
from csfpilot.webapp.evidence import models as e
from csfpilot.webapp.organizations.models import Organization
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles import services as profiles
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
CSV = b"user,last_review\nalice,2026-10-01\nbob,2026-10-02\n"


def _file(world: World, data: bytes, filename: str, title: str, **fields) -> e.EvidenceItem:
    spooled = blobs.spool([data], filename=filename, organization=world.org)
    return services.add_item(
        world.access("assessor"),
        services.ItemFields(title=title, **fields),
        services.Content(spooled=spooled, filename=filename),
    )


def library(world: World) -> pm.Profile:
    """A profile with two files, a link, a review, a request, a scan and a snapshot."""
    assessor = world.access("assessor")
    row = world.profile(name="Plant 2")
    policy = _file(
        world,
        PDF,
        "policy.pdf",
        "Access policy",
        kind="policy",
        valid_until=date(2027, 3, 31),
        owner_id=world.users["owner"].pk,
    )
    review = _file(world, CSV, "review.csv", "Access review", kind="record")
    link = services.link(assessor, policy.pk, row.pk, "PR.AA-05", statement="Approved policy")
    services.review(assessor, link.pk, "accepted", "Signed by the CISO")
    services.link(assessor, review.pk, row.pk, "PR.AA-05", side="target")
    services.ask(
        assessor,
        row.pk,
        ["PR.AA-05", "GV.PO-01"],
        assignee_id=world.users["contributor"].pk,
        due=date(2027, 1, 15),
        note="Q1",
    )
    scan = e.ScanImport.objects.create(
        organization=world.org,
        profile=row,
        item=review,
        version=review.versions.get(),
        format="sarif",
        tool="bandit",
        tool_version="1.8",
        scope="repo",
        series="bandit|repo",
        findings_count=1,
        mapped_count=1,
        summary={"findings": 1},
    )
    e.ScanFinding.objects.create(
        scan=scan,
        rule_id="B105",
        title="Hard-coded password",
        status="fail",
        severity="high",
        outcomes=["PR.AA-05"],
    )
    e.ScanOutcome.objects.create(
        scan=scan, organization=world.org, code="PR.AA-05", failed=1, serious=1
    )
    profiles.take_snapshot(
        world.access("owner"), row.pk, label="Q4", taken_at=datetime(2026, 11, 5, 9, 30, tzinfo=UTC)
    )
    return row


def wipe(slug: str) -> None:
    """Remove an organization with its library, and its files from storage."""
    org = Organization.objects.get(slug=slug)
    for stored in e.StoredFile.objects.filter(organization=org):
        blobs.storage().delete(stored.storage_name)
    # Snapshots and scans hold their items back on their own, not along with the organization.
    org.delete()
    assert not e.EvidenceItem.objects.filter(organization_id=org.pk).exists()


def state(slug: str) -> dict:
    org = Organization.objects.get(slug=slug)
    return {
        "files": sorted(
            e.StoredFile.objects.filter(organization=org).values_list("sha256", "size")
        ),
        "items": sorted(
            e.EvidenceItem.objects.filter(organization=org).values_list(
                "title", "kind", "valid_until", "owner__username", "version"
            )
        ),
        "versions": sorted(
            e.EvidenceVersion.objects.filter(item__organization=org).values_list(
                "item__title", "number", "filename", "stored_file__sha256"
            )
        ),
        "links": sorted(
            e.EvidenceLink.objects.filter(item__organization=org).values_list(
                "item__title",
                "profile__name",
                "code",
                "side",
                "statement",
                "review",
                "review_comment",
                "reviewed_by__username",
            )
        ),
        "requests": sorted(
            e.EvidenceRequest.objects.filter(organization=org).values_list(
                "profile__name", "outcomes__code", "assignee__username", "due", "state"
            )
        ),
        "scans": sorted(
            e.ScanFinding.objects.filter(scan__organization=org).values_list(
                "scan__tool", "scan__item__title", "rule_id", "status", "severity"
            )
        ),
        "tallies": sorted(
            e.ScanOutcome.objects.filter(organization=org).values_list(
                "code", "failed", "serious", "latest"
            )
        ),
        "cited": sorted(
            e.SnapshotEvidence.objects.filter(item__organization=org).values_list(
                "snapshot__label", "item__title", "version__number"
            )
        ),
    }


def test_the_library_and_its_files_restore_and_back_up_byte_for_byte(world: World):
    library(world)
    before = state("acme")
    assert len(before["files"]) == 2
    assert before["cited"] == [("Q4", "Access policy", 1), ("Q4", "Access review", 1)]
    first = make_backup("acme")
    archive = fmt.read_archive(first.data, name="b")
    sha = hashlib.sha256(PDF).hexdigest()
    assert archive.files == {
        f"evidence/acme/{sha}": len(PDF),
        f"evidence/acme/{hashlib.sha256(CSV).hexdigest()}": len(CSV),
    }
    assert archive.manifest["version"] == fmt.VERSION >= 2  # the library came with version 2

    wipe("acme")
    assert not blobs.storage().exists(f"{world.org.pk}/{sha[:2]}/{sha}")
    restore_backup(first.data, name="acme.zip")
    assert state("acme") == before
    org = Organization.objects.get(slug="acme")
    assert all(blobs.verify(f) for f in e.StoredFile.objects.filter(organization=org))
    assert make_backup("acme").data == first.data


def _retampered(data: bytes, member: str, body: bytes, *, fix_manifest: bool) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                content = body
            elif info.filename == fmt.MANIFEST and fix_manifest:
                manifest = json.loads(content)
                manifest["members"][member] = {"sha256": fmt.sha256(body), "size": len(body)}
                content = fmt.canonical(manifest)
            zf.writestr(info, content)
    return out.getvalue()


def test_a_tampered_file_refuses_the_restore_naming_it_and_nothing_is_stored(world: World):
    library(world)
    data = make_backup("acme").data
    wipe("acme")
    member = f"evidence/acme/{hashlib.sha256(PDF).hexdigest()}"
    forged = PDF.replace(b"Catalog", b"Katalog")  # same size, other bytes
    with pytest.raises(InputRefused, match=f"SHA-256 mismatch: '{member}'"):
        restore_backup(_retampered(data, member, forged, fix_manifest=False), name="a.zip")
    # A forger who also rewrites the manifest still meets the hash the record names.
    with pytest.raises(InputRefused, match=f"file '{member}' does not have the SHA-256"):
        restore_backup(_retampered(data, member, forged, fix_manifest=True), name="a.zip")
    assert not Organization.objects.filter(slug="acme").exists()
    assert not e.StoredFile.objects.exists()
    assert not [p for p in Path(blobs.storage().location).rglob("*") if p.is_file()]


def test_an_archive_of_the_first_version_without_evidence_still_restores(world: World, monkeypatch):
    world.profile(name="Plant 2")
    current = fmt.read_archive(make_backup("acme").data, name="b")
    doc = json.loads(current.members["organizations/acme.json"])
    assert doc.pop("evidence") == {
        "files": [],
        "items": [],
        "requests": [],
        "scans": [],
        "citations": [],
    }
    members = {**current.members, "organizations/acme.json": fmt.canonical(doc)}
    manifest = {
        k: v for k, v in current.manifest.items() if k not in ("format", "version", "members")
    }
    monkeypatch.setattr(fmt, "VERSION", 1)
    old = fmt.write_archive(manifest, members)
    monkeypatch.undo()
    assert fmt.read_archive(old, name="old.zip").manifest["version"] == 1
    wipe("acme")
    restored = restore_backup(old, name="old.zip")
    assert restored.profiles == 1


def test_a_bad_row_after_the_files_leaves_no_file_behind(world: World):
    library(world)
    data = make_backup("acme").data
    wipe("acme")
    archive = fmt.read_archive(data, name="b")
    doc = json.loads(archive.members["organizations/acme.json"])
    doc["evidence"]["scans"][0]["findings"][0]["secret"] = "x"
    members = {**archive.members, "organizations/acme.json": fmt.canonical(doc)}
    manifest = {
        k: v for k, v in archive.manifest.items() if k not in ("format", "version", "members")
    }
    files = {
        name: fmt.FileSource(
            archive.manifest["members"][name]["sha256"],
            size,
            lambda name=name: archive.open_file(name),
        )
        for name, size in archive.files.items()
    }
    with pytest.raises(InputRefused, match=r"evidence\.scans\[0\]\.findings\[0\]"):
        restore_backup(fmt.write_archive(manifest, members, files), name="late.zip")
    assert not Organization.objects.filter(slug="acme").exists()
    assert not [p for p in Path(blobs.storage().location).rglob("*") if p.is_file()]


def test_a_damaged_evidence_file_refuses_the_backup_page_with_a_message(client, world: World):
    """The page says why there is no backup, instead of failing."""
    from django.contrib.messages import get_messages

    policy = _file(world, PDF, "policy.pdf", "Access policy", kind="policy")
    stored = policy.versions.get().stored_file
    blobs.storage().delete(stored.storage_name)
    blobs.storage().save(stored.storage_name, io.BytesIO(PDF + b"tampered"))
    client.force_login(world.users["owner"])
    answer = client.post("/orgs/acme/settings/backup/")
    assert answer.status_code == 302
    assert answer["Location"] == "/orgs/acme/settings/"
    shown = [str(m) for m in get_messages(answer.wsgi_request)]
    assert len(shown) == 1 and "the backup is refused" in shown[0]
