"""Keeping evidence bytes: the quota checked again when storing, and sweeping what nothing uses."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.evidence import models as m
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n" + bytes(1000) + b"\n%%EOF\n"


@pytest.fixture
def world():
    return build_world()


def spool(world, data: bytes, name: str):
    return blobs.spool([data], filename=name, organization=world.org)


def test_two_uploads_received_together_cannot_pass_the_quota(world, settings):
    settings.CSFPILOT_EVIDENCE_QUOTA_BYTES = 3000
    # Both were received while the organization still had room for each of them.
    first = spool(world, PDF + b"1" * 900, "first.pdf")
    second = spool(world, PDF + b"2" * 900, "second.pdf")
    kept = blobs.keep(world.org, first)
    with pytest.raises(blobs.QuotaExceeded, match=r"^second\.pdf: the organization's evidence"):
        blobs.keep(world.org, second)
    assert list(m.StoredFile.objects.values_list("sha256", flat=True)) == [kept.sha256]
    assert not blobs.storage().exists(blobs.storage_name(world.org.pk, second.sha256))
    assert blobs.storage().exists(kept.storage_name)


def test_the_same_bytes_received_twice_are_kept_once_and_counted_once(world, settings):
    settings.CSFPILOT_EVIDENCE_QUOTA_BYTES = 1500
    first = spool(world, PDF, "a.pdf")
    second = spool(world, PDF, "b.pdf")
    kept = blobs.keep(world.org, first)
    assert blobs.keep(world.org, second).pk == kept.pk
    assert blobs.used_bytes(world.org) == len(PDF)


def test_sweep_removes_bytes_without_a_row_once_they_are_old(world):
    store = blobs.storage()
    orphan = blobs.storage_name(world.org.pk, hashlib.sha256(b"orphan").hexdigest())
    store.save(orphan, ContentFile(b"orphan"))
    kept = blobs.keep(world.org, spool(world, PDF, "policy.pdf"))
    m.EvidenceVersion.objects.create(
        item=m.EvidenceItem.objects.create(organization=world.org, title="Policy", form="file"),
        number=1,
        stored_file=kept,
        filename="policy.pdf",
    )
    # Young: it may belong to an upload whose transaction is still running.
    assert blobs.sweep(world.org) == 0
    assert store.exists(orphan)
    later = timezone.now() + blobs.ORPHAN_AGE + timedelta(minutes=1)
    assert blobs.sweep(world.org, now=later) == 1
    assert not store.exists(orphan)
    assert store.exists(kept.storage_name)
    assert blobs.sweep(world.other, now=later) == 0
