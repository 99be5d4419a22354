"""Text-line evidence and profile files: the data migration, adoption, references, round trips."""

from __future__ import annotations

import hashlib

import pytest
import yaml
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from csfpilot.core.evidence.lines import content_hash, line_of, read_line
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.evidence import blobs, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles import services as profiles
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
LONG = "Quarterly access review minutes signed by the CISO and kept in the ISMS binder, section 4"

FILE = f"""format_version: 1
framework: csf-2.0
name: Plant 2
kind: organizational
scale: status
outcomes:
  PR.AA-03:
    current: largely
    target: fully
    current_details:
      evidence: [https://intranet.example.com/mfa.pdf, "{LONG}"]
    target_details:
      evidence: [https://intranet.example.com/mfa.pdf]
  GV.PO-01:
    current: fully
    current_details:
      evidence: ["{LONG}", "  ", https://intranet.example.com/policy]
""".encode()


def test_lines_read_back_as_the_item_they_were_written_from():
    assert read_line("https://x.example/a") == read_line("  https://x.example/a ")
    assert read_line("https://x.example/a").form == "link"
    titled = read_line("MFA report — https://x.example/mfa")
    assert (titled.form, titled.title, titled.url) == (
        "link",
        "MFA report",
        "https://x.example/mfa",
    )
    sha = hashlib.sha256(PDF).hexdigest()
    named = read_line(line_of("file", "Policy", sha256=sha))
    assert (named.form, named.title, named.sha256) == ("file", "Policy", sha)
    words = read_line(LONG)
    assert (words.form, words.statement) == ("attestation", LONG)
    assert words.title == LONG[:79].rstrip() + "…" and len(words.title) == 80
    assert read_line("   ") is None
    assert content_hash(url="https://x") == hashlib.sha256(b"https://x").hexdigest()


def test_the_data_migration_makes_one_linked_item_per_distinct_line(world: World, monkeypatch):
    # Only data moves in 0002: SQLite may keep its foreign-key checks inside the test's
    # transaction, which its schema editor would otherwise refuse to enter.
    monkeypatch.setattr(connection, "disable_constraint_checking", lambda: True)
    monkeypatch.setattr(connection, "enable_constraint_checking", lambda: None)
    a = world.profile("A")
    b = world.profile("B")
    other = profiles.create_profile(world.other_access(), name="Theirs")
    executor = MigrationExecutor(connection)
    executor.migrate([("evidence", "0001_initial")])
    executor.loader.build_graph()
    old = executor.loader.project_state(("evidence", "0001_initial")).apps
    outcome = old.get_model("profiles", "ProfileOutcome")
    url = "https://intranet.example.com/mfa.pdf"
    outcome.objects.filter(profile_id=a.pk, code="PR.AA-03").update(
        current_evidence=[url, LONG, LONG], target_evidence=[url]
    )
    outcome.objects.filter(profile_id=b.pk, code="GV.PO-01").update(
        current_evidence=[f"  {LONG}  ", "", "ftp://old.example/file"]
    )
    outcome.objects.filter(profile_id=other.pk, code="GV.PO-01").update(current_evidence=[url])
    assert old.get_model("evidence", "EvidenceItem").objects.count() == 0

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    mine = m.EvidenceItem.objects.filter(organization=world.org)
    assert sorted((i.form, i.kind, i.title) for i in mine) == [
        ("attestation", "attestation", LONG[:79].rstrip() + "…"),
        ("attestation", "attestation", "ftp://old.example/file"),
        ("link", "other", url),
    ]
    link_item = mine.get(form="link")
    assert link_item.versions.get().url == url
    words = mine.get(title__startswith="Quarterly")
    assert words.versions.get().statement == LONG
    links = sorted(
        (lk.profile.name, lk.code, lk.side, lk.item.title[:9], lk.review, lk.statement)
        for lk in m.EvidenceLink.objects.filter(item__organization=world.org)
    )
    assert links == [
        ("A", "PR.AA-03", "current", "Quarterly", "pending", ""),
        ("A", "PR.AA-03", "current", url[:9], "pending", ""),
        ("A", "PR.AA-03", "target", url[:9], "pending", ""),
        ("B", "GV.PO-01", "current", "Quarterly", "pending", ""),
        ("B", "GV.PO-01", "current", "ftp://old", "pending", ""),
    ]
    # The other tenant gets its own item for the same line, never ours.
    theirs = m.EvidenceItem.objects.get(organization=world.other)
    assert theirs.title == url and theirs.pk != link_item.pk
    # The text stays as the exchange column.
    assert pm.ProfileOutcome.objects.get(profile=a, code="PR.AA-03").current_evidence == [
        url,
        LONG,
        LONG,
    ]


def test_importing_a_file_adopts_its_lines_once_and_exports_them_unchanged(world: World):
    assessor = world.access("assessor")
    row = profiles.import_profile_file(assessor, FILE, filename="p.yaml").profile
    items = m.EvidenceItem.objects.filter(organization=world.org)
    assert sorted(i.form for i in items) == ["attestation", "link", "link"]
    assert sorted(
        (lk.code, lk.side, lk.item.form) for lk in m.EvidenceLink.objects.filter(profile=row)
    ) == [
        ("GV.PO-01", "current", "attestation"),
        ("GV.PO-01", "current", "link"),
        ("PR.AA-03", "current", "attestation"),
        ("PR.AA-03", "current", "link"),
        ("PR.AA-03", "target", "link"),
    ]
    event = AuditEvent.objects.filter(object_label="Plant 2: evidence lines").get()
    assert event.changes["count"] == 3 and event.changes["links"] == 5

    exported = profiles.export_profile_file(assessor, row.pk, "yaml")
    doc = yaml.safe_load(exported)
    aa = doc["outcomes"]["PR.AA-03"]["current_details"]
    assert aa["evidence"] == ["https://intranet.example.com/mfa.pdf", LONG]
    refs = {ref["title"][:9]: ref for ref in aa["evidence_items"]}
    mfa = items.get(title="https://intranet.example.com/mfa.pdf")
    assert refs["https://i"] == {
        "id": mfa.pk,
        "version": 1,
        "sha256": hashlib.sha256(b"https://intranet.example.com/mfa.pdf").hexdigest(),
        "title": "https://intranet.example.com/mfa.pdf",
        "kind": "other",
        "review": "pending",
        "valid_until": None,
    }
    # Re-importing the export over the profile creates nothing and exports the same file.
    profiles.import_profile_file(
        assessor, exported.encode(), filename="p.yaml", replace_existing=True
    )
    assert m.EvidenceItem.objects.filter(organization=world.org).count() == 3
    assert m.EvidenceLink.objects.filter(profile=row).count() == 5
    assert profiles.export_profile_file(assessor, row.pk, "yaml") == exported


def test_items_linked_in_the_library_join_the_lines_and_references_relink(world: World):
    assessor = world.access("assessor")
    row = profiles.import_profile_file(assessor, FILE, filename="p.yaml").profile
    spooled = blobs.spool([PDF], filename="policy.pdf", organization=world.org)
    policy = services.add_item(
        assessor,
        services.ItemFields(title="Access control policy", kind="policy"),
        services.Content(spooled=spooled, filename="policy.pdf"),
    )
    link = services.link(assessor, policy.pk, row.pk, "GV.PO-01")
    services.review(assessor, link.pk, "accepted")
    exported = profiles.export_profile_file(assessor, row.pk, "json")
    sha = hashlib.sha256(PDF).hexdigest()
    po = yaml.safe_load(exported)["outcomes"]["GV.PO-01"]["current_details"]
    assert po["evidence"][-1] == f"Access control policy — sha256:{sha}"
    ref = next(r for r in po["evidence_items"] if r["id"] == policy.pk)
    assert (ref["sha256"], ref["kind"], ref["review"]) == (sha, "policy", "accepted")

    # Another profile from the same file: the policy is re-linked by its reference
    # (its line names the same file), nothing new is created.
    again = profiles.import_profile_file(
        assessor, exported.encode(), filename="p.json", name="Copy"
    )
    assert again.warnings == ()
    assert m.EvidenceItem.objects.filter(organization=world.org).count() == 4
    copied = m.EvidenceLink.objects.get(profile=again.profile, item=policy)
    assert (copied.code, copied.side, copied.review) == ("GV.PO-01", "current", "pending")

    # In another organization the references name nothing: reported, never invented.
    theirs = profiles.import_profile_file(
        world.other_access(), exported.encode(), filename="p.json"
    )
    assert any(
        f"evidence item {policy.pk} 'Access control policy'" in w and "not in this library" in w
        for w in theirs.warnings
    )
    assert not m.EvidenceItem.objects.filter(
        organization=world.other, versions__stored_file__sha256=sha
    ).exists()


def test_editing_an_outcomes_evidence_lines_links_them(world: World):
    row = world.profile()
    owner = world.access("owner")
    outcome = pm.ProfileOutcome.objects.get(profile=row, code="DE.CM-01")
    profiles.update_outcome(
        owner,
        row.pk,
        "DE.CM-01",
        {"current_evidence": ["https://siem.example/dashboards/1"]},
        expected_version=outcome.version,
    )
    found = m.EvidenceLink.objects.get(profile=row, code="DE.CM-01")
    assert (found.side, found.item.form, found.item.title) == (
        "current",
        "link",
        "https://siem.example/dashboards/1",
    )


def test_a_snapshot_cites_the_linked_versions_and_they_can_no_longer_be_removed(world: World):
    from csfpilot.core.errors import ConflictError
    from csfpilot.webapp.profiles.history import snapshot_profile

    owner = world.access("owner")
    row = world.profile()
    spooled = blobs.spool([PDF], filename="policy.pdf", organization=world.org)
    policy = services.add_item(
        owner,
        services.ItemFields(title="Access control policy", kind="policy"),
        services.Content(spooled=spooled, filename="policy.pdf"),
    )
    newer = blobs.spool([PDF + b"%v2\n"], filename="policy-2.pdf", organization=world.org)
    v2 = services.add_version(owner, policy.pk, services.Content(spooled=newer, filename="p2.pdf"))
    services.link(owner, policy.pk, row.pk, "GV.PO-01")
    services.link(owner, policy.pk, row.pk, "GV.PO-02", side="target")
    loose = services.add_item(
        owner, services.ItemFields(title="Unlinked"), services.Content(url="https://x.example")
    )

    snap = profiles.take_snapshot(owner, row.pk, label="Q4")
    cited = list(m.SnapshotEvidence.objects.filter(snapshot=snap).values_list("item", "version"))
    assert cited == [(policy.pk, v2.pk)]
    frozen = snapshot_profile(snap)
    ref = frozen.outcomes["GV.PO-01"].current_details.evidence_items[0]
    assert (ref.id, ref.version, ref.sha256) == (
        policy.pk,
        2,
        hashlib.sha256(PDF + b"%v2\n").hexdigest(),
    )
    assert frozen.outcomes["GV.PO-02"].target_details.evidence_items[0].id == policy.pk
    # The snapshot keeps the text as it was: references only, no added lines.
    assert frozen.outcomes["GV.PO-01"].current_details.evidence == ()
    event = AuditEvent.objects.get(object_type="snapshot", object_id=str(snap.pk))
    assert event.changes["evidence_versions"] == [None, 1]

    with pytest.raises(ConflictError, match="cited by a frozen snapshot"):
        services.remove(owner, policy.pk)
    services.remove(owner, loose.pk)
    assert m.EvidenceItem.objects.filter(pk=policy.pk).exists()
