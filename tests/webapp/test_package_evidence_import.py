"""Evidence files in an imported ``full`` package become evidence items of the importing
organization: stored by SHA-256 through the evidence library, linked to the imported
profile's outcomes where the package names them, with the package and its signer recorded
as their source; a refused file stores nothing at all."""

from __future__ import annotations

import hashlib

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats.packages.container import FileMember, build_package, read_package
from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.evidence import models as em
from csfpilot.webapp.evidence import services as evidence
from csfpilot.webapp.packages import services as packages
from csfpilot.webapp.packages.models import ImportedPackage
from csfpilot.webapp.profiles import models as pm
from csfpilot.webapp.profiles.operator import operator_access
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


@pytest.fixture
def world():
    w = build_world()
    acme = operator_access("acme")
    w.plant = w.profile("Plant")
    spooled = blobs.spool([PDF], filename="mfa-policy.pdf", organization=w.org)
    w.item = evidence.add_item(
        acme,
        evidence.ItemFields(title="MFA policy", kind="policy"),
        evidence.Content(spooled=spooled, filename="mfa-policy.pdf"),
    )
    evidence.link(acme, w.item.pk, w.plant.pk, "PR.AA-03")
    evidence.link(acme, w.item.pk, w.plant.pk, "GV.OC-01", side="target")
    globex = operator_access("globex")
    packages.trust(globex, packages.active_key(acme).fingerprint, "Acme")
    return w


def _globex_items():
    return em.EvidenceItem.objects.filter(organization__slug="globex")


def test_the_files_of_a_full_package_are_stored_and_linked_where_the_package_says(world):
    exported = packages.export_profile(
        operator_access("acme"), world.plant.pk, "full", [world.item.pk]
    )
    pkg = read_package(exported.data, {})
    assert [f.sha256 for f in pkg.files.values()] == [hashlib.sha256(PDF).hexdigest()]
    row, _ = packages.import_package(operator_access("globex"), exported.data)

    item = _globex_items().get()
    version = item.versions.select_related("stored_file").get()
    assert version.stored_file.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.filename == "mfa-policy.pdf" and item.title == "mfa-policy.pdf"
    assert str(pkg.package_id) in item.source and "trusted as Acme" in item.source
    assert pkg.fingerprint in item.source
    with blobs.open_stored(version.stored_file) as handle:
        assert handle.read() == PDF
    links = set(em.EvidenceLink.objects.filter(item=item).values_list("profile_id", "code", "side"))
    assert links == {
        (row.profile_id, "PR.AA-03", "current"),
        (row.profile_id, "GV.OC-01", "target"),
    }
    # Imported again under another name (a new package id): the library keeps one item.
    again = packages.export_profile(
        operator_access("acme"), world.plant.pk, "full", [world.item.pk]
    )
    packages.import_package(operator_access("globex"), again.data, name="Plant again")
    assert _globex_items().count() == 1
    assert em.EvidenceLink.objects.filter(item=item).count() == 4


def test_a_refused_file_stores_nothing(world):
    acme = operator_access("acme")
    good = packages.export_profile(acme, world.plant.pk, "full", [world.item.pk])
    members = read_package(good.data, {}).members
    page = FileMember("report.pdf", "application/pdf", b"<html><script>alert(1)</script></html>")
    files = {"1": FileMember("mfa-policy.pdf", "application/pdf", PDF), "2": page}
    data = build_package(
        "profile", members, "full", packages.signer_for(acme), files=files, title="Plant"
    )
    profiles_before = pm.Profile.objects.filter(organization__slug="globex").count()
    with pytest.raises(InputRefused, match=r"files/[0-9a-f]{64} \(report\.pdf\)"):
        packages.import_package(operator_access("globex"), data, filename="hostile.json")
    assert _globex_items().count() == 0
    assert pm.Profile.objects.filter(organization__slug="globex").count() == profiles_before
    assert not ImportedPackage.objects.filter(organization__slug="globex").exists()


def test_no_text_and_scores_packages_carry_no_evidence_lines(world):
    acme = operator_access("acme")
    for level in ("no-text", "scores"):
        data = packages.export_profile(acme, world.plant.pk, level).data
        assert b"sha256:" not in data and b"MFA policy" not in data
