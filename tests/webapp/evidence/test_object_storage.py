"""Evidence files in S3-compatible object storage, against a real S3 server on loopback.

Several app servers share one bucket: a file stored through one storage
instance (one server) is read back, byte for byte, by another with its own
connection, and by a separate process that has only its environment
(CSFPILOT_EVIDENCE_*) to go by.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from csfpilot.webapp.config import settings as app_settings
from csfpilot.webapp.evidence import blobs, downloads, services
from csfpilot.webapp.evidence import models as m
from csfpilot.webapp.evidence.object_storage import EvidenceS3Storage
from tests.webapp.evidence.s3_server import S3Server, s3_server_fixture  # noqa: F401 - fixture
from tests.webapp.profiles_world import build_world

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40_000 + b"\n%%EOF\n"  # about 10 MB: several parts
PREFIX = "tenant-files/evidence"


@pytest.fixture
def bucket(s3_server: S3Server, settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket, and the app's evidence storage in it, configured from the environment."""
    name = s3_server.new_bucket()
    for key, value in s3_server.environment(name, PREFIX).items():
        monkeypatch.setenv(key, value)
    stores = dict(settings.STORAGES)
    stores["evidence"] = app_settings.evidence_storage()
    settings.STORAGES = stores
    return name


@pytest.fixture
def world():
    return build_world()


def add_file(world, data: bytes = PDF, name: str = "policy.pdf") -> m.EvidenceVersion:
    spooled = blobs.spool([data], filename=name, organization=world.org)
    row = services.add_item(
        world.access("owner"),
        services.ItemFields(title="Access control policy", kind="policy"),
        services.Content(spooled=spooled, filename=name),
    )
    return row.versions.get()


def test_the_environment_selects_a_private_bucket_without_urls(bucket, s3_server: S3Server):
    store = storages["evidence"]
    assert isinstance(store, EvidenceS3Storage)
    assert (store.bucket_name, store.location, store.endpoint_url) == (
        bucket,
        PREFIX,
        s3_server.endpoint,
    )
    assert store.file_overwrite is False and store.default_acl == "private"
    with pytest.raises(NotImplementedError):
        store.url("1/ab/abcd")


def test_a_file_stored_by_one_server_is_read_by_another(bucket, world, s3_server: S3Server):
    version = add_file(world)
    stored = version.stored_file
    sha = hashlib.sha256(PDF).hexdigest()
    key = f"{PREFIX}/{world.org.pk}/{sha[:2]}/{sha}"
    client = s3_server.client()
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == len(PDF)
    acl = client.get_object_acl(Bucket=bucket, Key=key)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]  # the owner only

    # Another app server: its own storage instance, its own connection.
    other = EvidenceS3Storage(**app_settings.evidence_storage()["OPTIONS"])
    assert other is not storages["evidence"]
    digest = hashlib.sha256()
    with other.open_stream(stored.storage_name) as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    assert digest.hexdigest() == sha
    assert blobs.verify(stored)


def test_a_separate_process_reads_the_file_from_its_environment(bucket, world, s3_server: S3Server):
    stored = add_file(world).stored_file
    code = (
        "import hashlib, sys, django\n"
        "django.setup()\n"
        "from csfpilot.webapp.evidence import blobs\n"
        "from csfpilot.webapp.evidence.models import StoredFile\n"
        "f = StoredFile(sha256='', size=0, media_type='', storage_name=sys.argv[1])\n"
        "d = hashlib.sha256()\n"
        "with blobs.open_stored(f) as s:\n"
        "    for c in blobs.chunks_of(s): d.update(c)\n"
        "print(type(blobs.storage()).__name__, d.hexdigest())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSFPILOT_EVIDENCE")}
    env.update(s3_server.environment(bucket, PREFIX), DJANGO_SETTINGS_MODULE="tests.settings")
    done = subprocess.run(
        [sys.executable, "-c", code, stored.storage_name],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["EvidenceS3Storage", stored.sha256]


def test_a_download_streams_from_the_bucket(bucket, world):
    version = add_file(world)
    response = downloads.file_response(world.access("viewer"), version)
    assert response.streaming
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == 'attachment; filename="policy.pdf"'
    body = b"".join(response.streaming_content)
    response.close()
    assert hashlib.sha256(body).hexdigest() == version.stored_file.sha256


def test_the_same_bytes_are_one_object_and_a_removed_item_leaves_none(
    bucket, world, s3_server: S3Server
):
    first = add_file(world)
    second = add_file(world, name="copy.pdf")
    assert first.stored_file_id == second.stored_file_id
    client = s3_server.client()
    listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    assert len(listed) == 1
    services.remove(world.access("owner"), first.item_id)
    services.remove(world.access("owner"), second.item_id)
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_server_side_encryption_when_asked(
    s3_server: S3Server, settings, monkeypatch: pytest.MonkeyPatch, world
):
    name = s3_server.new_bucket()
    for key, value in s3_server.environment(name).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CSFPILOT_EVIDENCE_S3_ENCRYPTION", "AES256")
    stores = dict(settings.STORAGES)
    stores["evidence"] = app_settings.evidence_storage()
    settings.STORAGES = stores
    stored = add_file(world, PDF[:1000] + b"\n%%EOF\n").stored_file
    head = s3_server.client().head_object(Bucket=name, Key=stored.storage_name)
    assert head["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"CSFPILOT_EVIDENCE_STORAGE": "ftp"}, "must be 'folder' or 's3'"),
        ({"CSFPILOT_EVIDENCE_STORAGE": "s3"}, "needs CSFPILOT_EVIDENCE_S3_BUCKET"),
        (
            {"CSFPILOT_EVIDENCE_STORAGE": "s3", "CSFPILOT_EVIDENCE_S3_BUCKET": "ev"},
            "a bucket name has 3 to 63 characters",
        ),
        (
            {
                "CSFPILOT_EVIDENCE_STORAGE": "s3",
                "CSFPILOT_EVIDENCE_S3_BUCKET": "evidence",
                "CSFPILOT_EVIDENCE_S3_ADDRESSING_STYLE": "dns",
            },
            "must be 'path', 'virtual' or 'auto'",
        ),
        (
            {
                "CSFPILOT_EVIDENCE_STORAGE": "s3",
                "CSFPILOT_EVIDENCE_S3_BUCKET": "evidence",
                "CSFPILOT_EVIDENCE_S3_ENCRYPTION": "rot13",
            },
            "must be AES256 or aws:kms",
        ),
    ],
)
def test_a_wrong_storage_setting_stops_the_start(monkeypatch, environment, message):
    for name in ("BUCKET", "ADDRESSING_STYLE", "ENCRYPTION"):
        monkeypatch.delenv(f"CSFPILOT_EVIDENCE_S3_{name}", raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        app_settings.evidence_storage()


def test_sweep_finds_bytes_without_a_row_in_the_bucket(bucket, world, s3_server: S3Server):
    version = add_file(world, PDF[:1000] + b"\n%%EOF\n")
    orphan = f"{world.org.pk}/ab/{'ab' * 32}"
    storages["evidence"].save(orphan, ContentFile(b"left by a failed transaction"))
    later = timezone.now() + blobs.ORPHAN_AGE + timedelta(minutes=1)
    assert blobs.sweep(world.org) == 0
    assert blobs.sweep(world.org, now=later) == 1
    keys = [o["Key"] for o in s3_server.client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"{PREFIX}/{version.stored_file.storage_name}"]
