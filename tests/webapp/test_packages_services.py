"""Package keys, trust, export and import inside one instance (two organizations)."""

from __future__ import annotations

import json

import pytest

from csfpilot.core.errors import ConflictError, CsfpilotError, InputRefused
from csfpilot.formats.packages import canonical, read_package
from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.organizations.permissions import PermissionMissing
from csfpilot.webapp.packages import services
from csfpilot.webapp.packages.models import ImportedPackage, OrganizationKey
from csfpilot.webapp.profiles.models import Profile, ProfileOutcome
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db

NOTE = "only-in-acme-note-4417"
RATIONALE = "only-in-acme-rationale-9902"


@pytest.fixture
def world():
    w = build_world()
    profile = w.profile("Plant")
    ProfileOutcome.objects.filter(profile=profile, code__startswith="GV").update(
        current="partially", target="fully", notes=NOTE, rationale=RATIONALE
    )
    w.plant = profile
    return w


def test_the_first_export_makes_a_key_sealed_at_rest(world):
    owner = world.access("owner")
    export = services.export_profile(owner, world.plant.pk, "full")
    (key,) = OrganizationKey.objects.filter(organization=world.org)
    assert key.state == "active" and key.fingerprint == export.fingerprint
    signer = services.signer_for(owner)
    assert signer.fingerprint == key.fingerprint
    assert signer.raw_private() not in bytes(key.sealed_private_key)
    assert AuditEvent.objects.filter(object_type="package-key", action="create").exists()
    assert AuditEvent.objects.filter(object_type="profile", action="download").exists()


def test_a_sealed_key_does_not_open_under_another_package_key(world, settings):
    owner = world.access("owner")
    services.active_key(owner)
    settings.CSFPILOT_PACKAGE_KEY = "x" * 40
    with pytest.raises(CsfpilotError, match=r"cannot be opened"):
        services.signer_for(owner)


def test_scores_level_leaves_no_note_or_rationale_in_the_bytes(world):
    export = services.export_profile(world.access("owner"), world.plant.pk, "scores")
    assert NOTE.encode() not in export.data and RATIONALE.encode() not in export.data
    assert b"Plant" not in export.data
    full = services.export_profile(world.access("owner"), world.plant.pk, "full")
    assert NOTE.encode() in full.data


def test_the_preview_is_exactly_what_leaves(world):
    owner = world.access("owner")
    rows = services.preview(owner, world.plant.pk, "no-text")
    export = services.export_profile(owner, world.plant.pk, "no-text")
    pkg = read_package(export.data, {export.fingerprint: "me"})
    from csfpilot.formats.packages import listing

    assert rows == listing(pkg.members)
    assert all(NOTE not in str(v) for _, _, v in rows)


def test_import_by_a_partner_trusted_and_replay_refused(world):
    export = services.export_profile(world.access("owner"), world.plant.pk, "no-text")
    globex = world.other_access()
    services.trust(globex, export.fingerprint, "Acme Corp")
    seen = services.inspect(globex, export.data)
    assert seen.package.trusted and seen.package.trusted_as == "Acme Corp" and seen.importable
    row, _ = services.import_package(globex, export.data)
    assert row.trusted and row.profile.organization == world.other
    assert row.profile.name == "Plant"
    assert ProfileOutcome.objects.get(profile=row.profile, code="GV.OC-01").current == "partially"
    assert ProfileOutcome.objects.get(profile=row.profile, code="GV.OC-01").notes == ""
    with pytest.raises(InputRefused, match=r"replay"):
        services.import_package(globex, export.data, name="Plant again")
    assert services.inspect(globex, export.data).already_imported
    assert AuditEvent.objects.filter(object_type="package", action="import").count() == 1


def test_an_untrusted_signer_needs_confirmation_and_stays_labelled(world):
    export = services.export_profile(world.access("owner"), world.plant.pk, "full")
    globex = world.other_access()
    with pytest.raises(InputRefused, match=r"not a trusted key"):
        services.import_package(globex, export.data)
    assert not ImportedPackage.objects.exists()
    row, pkg = services.import_package(globex, export.data, confirm_untrusted=True)
    assert not row.trusted and not pkg.trusted


def test_an_altered_package_never_imports(world):
    export = services.export_profile(world.access("owner"), world.plant.pk, "no-text")
    doc = json.loads(export.data)
    doc["members"]["profile.json"]["outcomes"]["GV.OC-01"]["current"] = "fully"
    globex = world.other_access()
    with pytest.raises(InputRefused, match=r"member 'profile.json' was altered"):
        services.import_package(globex, canonical(doc), confirm_untrusted=True)
    assert not Profile.objects.filter(organization=world.other, name="Plant").exists()


def test_a_scores_package_is_not_importable_as_a_profile(world):
    export = services.export_profile(world.access("owner"), world.plant.pk, "scores")
    seen = services.inspect(world.other_access(), export.data)
    assert not seen.importable and "scores only" in seen.reason


def test_rotation_keeps_old_packages_verifying_and_revocation_untrusts(world):
    owner = world.access("owner")
    old = services.export_profile(owner, world.plant.pk, "scores")
    new_key = services.rotate(owner)
    assert new_key.fingerprint != old.fingerprint
    states = {k.fingerprint: k.state for k in services.keys(world.org)}
    assert states == {old.fingerprint: "retired", new_key.fingerprint: "active"}
    assert services.inspect(owner, old.data).package.trusted  # its own earlier package
    services.revoke(owner, old.fingerprint)
    pkg = services.inspect(owner, old.data).package
    assert not pkg.trusted and "revoked" in pkg.problems[0]
    assert AuditEvent.objects.filter(object_type="package-key", action="revoke").exists()


def test_revoking_the_active_key_makes_a_new_one(world):
    owner = world.access("owner")
    first = services.active_key(owner)
    services.revoke(owner, first.fingerprint)
    assert services.active_key(owner).fingerprint != first.fingerprint


def test_trust_rules(world):
    owner = world.access("owner")
    fp = "ab12" * 10
    row = services.trust(owner, "AB12 " * 10, "  Globex   Taiwan ")
    assert row.fingerprint == fp and row.partner == "Globex Taiwan"
    with pytest.raises(ConflictError):
        services.trust(owner, fp, "Again")
    with pytest.raises(InputRefused, match=r"own keys"):
        services.trust(owner, services.active_key(owner).fingerprint, "Me")
    services.untrust(owner, fp)
    assert services.trusted(world.org) == []
    assert AuditEvent.objects.filter(object_type="trusted-key", action="delete").exists()


@pytest.mark.parametrize("role", ["viewer", "contributor", "auditor"])
def test_only_settings_editors_manage_keys_and_trust(world, role):
    with pytest.raises(PermissionMissing):
        services.trust(world.access(role), "ab12" * 10, "X")
    with pytest.raises(PermissionMissing):
        services.rotate(world.access(role))
