"""Backup → restore → backup gives the same bytes; a refused restore stores nothing.

Runs on SQLite and on PostgreSQL (the same tests); SQLite → PostgreSQL is in
tests/cli/test_backup_cli.py, through the real command.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from csfpilot.core.errors import ConflictError, InputRefused
from csfpilot.formats import backup_archive as fmt
from csfpilot.webapp.audit import services as audit
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.audit.queries import verify_chains, verify_organization
from csfpilot.webapp.backup.services import make_backup, record_backup, restore_backup
from csfpilot.webapp.organizations.models import Membership, Organization
from csfpilot.webapp.profiles import models as m
from csfpilot.webapp.profiles import services
from tests.webapp.profiles_world import World, world_fixture  # noqa: F401


def busy(world: World) -> m.Profile:
    """An organization with something of everything a backup holds."""
    owner, assessor = world.access("owner"), world.access("assessor")
    row = world.profile(name="Plant 2", description="Line 2 — façade ✓\r\nsecond line")
    version = m.ProfileOutcome.objects.get(profile=row, code="GV.OC-01").version
    services.update_outcome(
        assessor,
        row.pk,
        "GV.OC-01",
        {
            "current": "partially",
            "target": "fully",
            "notes": "=1+1 stays data",
            "current_references": ["ISO 27001 A.5.1"],
            "owner_id": world.users["contributor"].pk,
        },
        expected_version=version,
    )
    services.set_tiers(
        owner, row.pk, {"governance": {"current": 2, "target": 3}}, expected_version=1
    )
    services.create_action(
        owner, row.pk, {"title": "MFA on jump hosts", "outcomes": ["PR.AA-03"], "due": "2027-01-31"}
    )
    services.take_snapshot(
        owner, row.pk, label="Q4", taken_at=datetime(2026, 1, 5, 9, 30, 1, 123456, tzinfo=UTC)
    )
    world.profile(name="another one", scale="maturity")
    return row


def counts() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        Membership.objects.count(),
        m.Profile.objects.count(),
        m.ProfileOutcome.objects.count(),
        m.Action.objects.count(),
        m.Snapshot.objects.count(),
        AuditEvent.objects.exclude(organization=None).count(),
        get_user_model().objects.count(),
    )


@pytest.mark.django_db
def test_an_organization_backup_restores_and_backs_up_byte_for_byte(world: World):
    busy(world)
    first = make_backup("acme")
    assert first.scope == "organization" and first.organizations == ("acme",)
    doc = json.loads(fmt.read_archive(first.data, name="b").members["organizations/acme.json"])
    assert [p["name"] for p in doc["profiles"]] == ["another one", "Plant 2"]
    users = json.loads(fmt.read_archive(first.data, name="b").members["users.json"])
    assert all("password" not in u for u in users)  # an organization backup holds no hashes
    trail_before = list(
        AuditEvent.objects.filter(organization=world.org).values_list("seq", "hash")
    )

    Organization.objects.filter(slug="acme").delete()
    restored = restore_backup(first.data, name="acme.zip", who=audit.user_actor(world.outsider))
    assert (restored.organizations, restored.profiles, restored.users_created) == (("acme",), 2, 0)

    second = make_backup("acme")
    assert second.data == first.data
    org = Organization.objects.get(slug="acme")
    assert list(AuditEvent.objects.filter(organization=org).values_list("seq", "hash")) == (
        trail_before
    )
    assert verify_organization(org).ok
    outcome = m.ProfileOutcome.objects.get(
        profile__organization=org, profile__name="Plant 2", code="GV.OC-01"
    )
    assert (outcome.current, outcome.owner_id) == ("partially", world.users["contributor"].pk)
    restore_event = AuditEvent.objects.get(organization=None, action="restore")
    assert (restore_event.org_slug, restore_event.actor_name) == ("acme", "owner@globex.test")
    assert dict(verify_chains())["(instance)"].ok


@pytest.mark.django_db
def test_the_whole_instance_restores_into_an_empty_database_byte_for_byte(world: World):
    busy(world)
    user = world.users["viewer"]
    user.set_password("correct horse battery staple")
    user.first_name = "Vera"
    user.save()
    first = make_backup()
    assert first.scope == "instance" and first.organizations == ("acme", "globex")
    before = counts()

    Organization.objects.all().delete()
    get_user_model().objects.all().delete()
    restore_backup(first.data, name="instance.zip")
    assert counts() == before
    second = make_backup()
    assert second.data == first.data
    vera = get_user_model().objects.get(username=user.username)
    assert vera.check_password("correct horse battery staple") and vera.first_name == "Vera"
    assert all(verdict.ok for _, verdict in verify_chains())


@pytest.mark.django_db
def test_backups_are_recorded_in_the_instance_chain_and_do_not_change_the_next_backup(
    world: World,
):
    busy(world)
    first = make_backup("acme")
    record_backup(first, audit.user_actor(world.users["owner"]))
    assert make_backup("acme").data == first.data
    event = AuditEvent.objects.get(organization=None, action="backup")
    assert event.changes["sha256"] == first.sha256 and event.org_slug == "acme"


@pytest.mark.django_db
def test_restoring_over_existing_data_is_refused_and_stores_nothing(world: World):
    busy(world)
    instance, org = make_backup(), make_backup("acme")
    before = counts()
    with pytest.raises(ConflictError, match="restores into an empty database"):
        restore_backup(instance.data, name="instance.zip")
    with pytest.raises(ConflictError, match="organization 'acme' already exists"):
        restore_backup(org.data, name="acme.zip")
    assert counts() == before


def _edited(data: bytes, change) -> bytes:
    archive = fmt.read_archive(data, name="b")
    manifest = {
        k: v for k, v in archive.manifest.items() if k not in ("format", "version", "members")
    }
    members = dict(archive.members)
    change(manifest, members)
    return fmt.write_archive(manifest, members)


@pytest.mark.django_db
def test_a_backup_of_another_catalog_release_is_refused(world: World):
    busy(world)
    data = make_backup("acme").data
    Organization.objects.filter(slug="acme").delete()

    def other_release(manifest, members):
        manifest["frameworks"][0]["content_digest"] = "0" * 64

    with pytest.raises(InputRefused, match=r"made with another release of 'csf-2\.0'"):
        restore_backup(_edited(data, other_release), name="acme.zip")

    def unknown(manifest, members):
        manifest["frameworks"][0]["key"] = "csf-9.9"

    with pytest.raises(InputRefused, match=r"'csf-9\.9', which is not loaded here"):
        restore_backup(_edited(data, unknown), name="acme.zip")
    assert not Organization.objects.filter(slug="acme").exists()


@pytest.mark.django_db
def test_a_bad_row_late_in_the_archive_leaves_nothing_behind(world: World):
    busy(world)
    data = make_backup().data
    Organization.objects.all().delete()
    get_user_model().objects.all().delete()
    before = counts()

    def bad_globex(manifest, members):
        doc = json.loads(members["organizations/globex.json"])
        doc["members"][0]["is_staff"] = True  # a privileged field smuggled into a row
        members["organizations/globex.json"] = fmt.canonical(doc)

    with pytest.raises(InputRefused) as exc:
        restore_backup(_edited(data, bad_globex), name="instance.zip")
    assert "organizations/globex.json: members[0]" in str(exc.value)
    assert "unknown field 'is_staff'" in str(exc.value)
    assert counts() == before  # acme, restored first, was rolled back too


@pytest.mark.django_db
def test_an_archive_whose_audit_trail_does_not_verify_is_refused(world: World):
    busy(world)
    data = make_backup("acme").data
    Organization.objects.filter(slug="acme").delete()
    before = counts()

    def rewritten(manifest, members):
        doc = json.loads(members["organizations/acme.json"])
        doc["audit"][0]["actor_name"] = "mallory@evil.test"
        members["organizations/acme.json"] = fmt.canonical(doc)

    with pytest.raises(
        InputRefused, match=r"audit trail does not verify at entry 1 .*hash mismatch"
    ):
        restore_backup(_edited(data, rewritten), name="acme.zip")
    assert counts() == before
    restore_backup(data, name="acme.zip")
    org = Organization.objects.get(slug="acme")
    assert verify_organization(org).ok  # restored entries carry this instance's keyed hashes


@pytest.mark.django_db
def test_a_tampered_archive_is_refused_before_anything_is_read(world: World):
    busy(world)
    data = bytearray(make_backup("acme").data)
    Organization.objects.filter(slug="acme").delete()
    before = counts()
    at = data.find(b"manifest.json") + 100
    data[at] ^= 0xFF
    with pytest.raises(InputRefused):
        restore_backup(bytes(data), name="acme.zip")
    assert counts() == before


@pytest.mark.django_db
def test_owners_download_their_organization_from_the_settings_page(world: World):
    from django.test import Client

    busy(world)
    owner = Client()
    owner.force_login(world.users["owner"])
    page = owner.get("/orgs/acme/settings/").content.decode()
    assert 'action="/orgs/acme/settings/backup/"' in page
    response = owner.post("/orgs/acme/settings/backup/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-backup-')
    # The archive holds the trail up to its own download, which is recorded after it.
    downloaded = AuditEvent.objects.get(organization=world.org, action="download")
    assert downloaded.changes["bytes"] == len(response.content)
    AuditEvent.objects.filter(pk=downloaded.pk).delete()
    assert response.content == make_backup("acme").data
    event = AuditEvent.objects.get(organization=None, action="backup")
    assert (event.actor_name, event.org_slug) == ("owner@acme.test", "acme")
    assert owner.get("/orgs/acme/settings/backup/").status_code == 405
    assert owner.post("/orgs/globex/settings/backup/").status_code == 404
    for role in ("assessor", "auditor", "contributor", "viewer"):
        other = Client()
        other.force_login(world.users[role])
        assert other.post("/orgs/acme/settings/backup/").status_code == 403, role
    assert Client().post("/orgs/acme/settings/backup/").status_code == 302


def _community_with_source(world: World) -> m.Profile:
    """A Community Profile read from a sector's workbook, with its provenance."""
    from csfpilot.webapp.intake.models import CommunitySource

    community = services.create_profile(
        world.access("owner"), name="Water sector", kind="community"
    )
    CommunitySource.objects.create(
        profile=community,
        publisher="Water ISAC",
        version="2025.1",
        terms="TLP:CLEAR — share freely",
        source_file="water-profile.xlsx",
        source_sha256="a" * 64,
        spec={"sheet": "Profile", "columns": {"outcome": "B", "priority": "D"}},
        citations={"GV.OC-01": ["Profile!7"], "PR.AA-01": ["Profile!12", "Mapping!3"]},
        statements_framework="water-2025",
    )
    return community


@pytest.mark.django_db
def test_a_community_profile_keeps_where_it_came_from_through_backup_and_restore(world: World):
    from csfpilot.webapp.intake.models import CommunitySource

    _community_with_source(world)
    first = make_backup("acme")
    assert fmt.read_archive(first.data, name="b").manifest["version"] == 3
    doc = json.loads(fmt.read_archive(first.data, name="b").members["organizations/acme.json"])
    (sector,) = [p for p in doc["profiles"] if p["name"] == "Water sector"]
    assert sector["community_source"]["publisher"] == "Water ISAC"
    assert all("community_source" not in p for p in doc["profiles"] if p is not sector)
    before = CommunitySource.objects.values(
        "publisher",
        "version",
        "terms",
        "source_file",
        "source_sha256",
        "spec",
        "citations",
        "statements_framework",
        "imported_at",
    ).get()

    Organization.objects.filter(slug="acme").delete()
    assert not CommunitySource.objects.exists()
    restore_backup(first.data, name="acme.zip")
    restored = CommunitySource.objects.select_related("profile").get()
    assert (restored.profile.name, restored.profile.organization.slug) == ("Water sector", "acme")
    assert CommunitySource.objects.values(*before).get() == before
    assert make_backup("acme").data == first.data


@pytest.mark.django_db
def test_an_archive_of_the_previous_format_still_restores(world: World, monkeypatch):
    busy(world)
    monkeypatch.setattr(fmt, "VERSION", 2)
    older = make_backup("acme")
    monkeypatch.undo()
    assert fmt.read_archive(older.data, name="b").manifest["version"] == 2
    Organization.objects.filter(slug="acme").delete()
    restored = restore_backup(older.data, name="acme-v2.zip")
    assert restored.profiles == 2


@pytest.mark.django_db
def test_a_community_source_on_a_profile_that_is_not_a_community_profile_is_refused(
    world: World,
):
    busy(world)
    archive = fmt.read_archive(make_backup("acme").data, name="b")
    doc = json.loads(archive.members["organizations/acme.json"])
    doc["profiles"][0]["community_source"] = {"publisher": "Nobody"}
    members = {**archive.members, "organizations/acme.json": fmt.canonical(doc)}
    manifest = {
        k: v for k, v in archive.manifest.items() if k not in ("format", "version", "members")
    }
    data = fmt.write_archive(manifest, members)
    Organization.objects.filter(slug="acme").delete()
    before = counts()
    with pytest.raises(InputRefused, match="only a Community Profile has a community_source"):
        restore_backup(data, name="bad.zip")
    assert counts() == before
