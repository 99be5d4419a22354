"""Hostile evidence uploads: each is refused with a message naming the file, and nothing of it
is kept: no stored-file row, no item, no object in the evidence storage, no temporary file.

The requests go through the whole middleware stack (Django's test client) to an
evidence upload route; ``UPLOAD`` is the one place that names it. The same
refusals over real HTTP against ``csfpilot serve`` are in test_evidence_uploads_http.py.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from csfpilot.webapp.audit.models import AuditEvent
from csfpilot.webapp.evidence import blobs
from csfpilot.webapp.evidence import models as m
from tests.security import evidence_files as f
from tests.security.evidence_upload_urls import API_UPLOAD, DOWNLOAD, UPLOAD
from tests.webapp.profiles_world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.evidence_upload_urls")]
URL = UPLOAD.format(slug="acme")
MiB = f.MiB


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where uploads are spooled during the test, to show that none is left there."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(settings, "FILE_UPLOAD_TEMP_DIR", str(folder), raising=False)
    return folder


@pytest.fixture
def owner(client, world, temp_folder):
    client.force_login(world.users["owner"])
    return client


def post(client, body: bytes, **extra):
    return client.generic("POST", URL, body, content_type=f.CONTENT_TYPE, **extra)


def post_stream(client, body: f.LazyBody, url: str = URL):
    """POST a body made as the server reads it; ``body.consumed`` tells how much it read."""
    return client.generic(
        "POST",
        url,
        b"",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.size), "CONTENT_TYPE": f.CONTENT_TYPE},
    )


def stored_objects() -> list[str]:
    root = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_kept(temp_folder: Path) -> None:
    assert m.StoredFile.objects.count() == 0
    assert m.EvidenceItem.objects.count() == 0
    assert stored_objects() == []
    assert os.listdir(temp_folder) == []


def test_a_good_file_is_stored_under_its_hash_and_downloads_as_an_attachment(owner, temp_folder):
    answer = post(owner, f.multipart("policy.pdf", f.PDF))
    assert answer.status_code == 201, answer.content
    sha = hashlib.sha256(f.PDF).hexdigest()
    assert answer.json()["sha256"] == sha
    stored = m.StoredFile.objects.get()
    assert (stored.size, stored.media_type) == (len(f.PDF), "application/pdf")
    assert [Path(p).name for p in stored_objects()] == [sha]
    assert os.listdir(temp_folder) == []

    got = owner.get(DOWNLOAD.format(slug="acme", version=answer.json()["version"]))
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == f.PDF
    assert got["Content-Disposition"] == 'attachment; filename="policy.pdf"'
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert got["Content-Type"] == "application/pdf"
    assert got["Content-Length"] == str(len(f.PDF))
    assert AuditEvent.objects.filter(action="download", object_type="evidence").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("scan.xml", f.XCCDF, "application/xml"),
        ("policy.docx", f.docx(), None),
        ("export.csv", b"id,title,status\nAC-2,Accounts,pass\n", "text/csv"),
    ],
)
def test_plain_exports_and_office_documents_are_accepted(owner, name, data, media_type):
    answer = post(owner, f.multipart(name, data))
    assert answer.status_code == 201, answer.content
    stored = m.StoredFile.objects.get()
    expected = media_type or (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert stored.media_type == expected


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", f.POLYGLOT_HTML, "holds HTML or SVG markup"),
        ("diagram.pdf", f.POLYGLOT_SVG, "holds HTML or SVG markup"),
        ("policy.docx", f.bomb(64 * MiB), "unpacks to 200 times its size"),
        (
            "deck.docx",
            f.office({"word/embeddings/inner.zip": f.bomb(64 * MiB)}, stored=True),
            "unpacks to 200 times its size",
        ),
        ("results.xml", f.BILLION_LAUGHS, "declares entities"),
        ("results.xml", f.EXTERNAL_DTD, "external DTD"),
        ("empty.pdf", b"", "the file is empty"),
        ("tool.pdf", f.ELF, "application/x-executable are not accepted"),
        ("setup.pdf", f.PE, "are not accepted as evidence"),
        ("bundle.zip", f.plain_zip(), "archives are not accepted"),
        ("locked.docx", f.encrypted_office(), "a damaged or encrypted ZIP file"),
        ("broken.docx", f.corrupt_office(), "a damaged or encrypted ZIP file"),
    ],
)
def test_hostile_files_are_refused_naming_the_file(owner, temp_folder, name, data, message):
    answer = post(owner, f.multipart(name, data))
    assert answer.status_code == 400
    text = answer.content.decode()
    assert text.startswith(f"{name}: ") and message in text, text
    assert_nothing_kept(temp_folder)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "policy\x00.pdf", "..\\..\\boot.ini", "\x1b]0;owned\x07.pdf"]
)
def test_a_name_that_is_a_path_or_holds_control_characters_is_refused(owner, temp_folder, name):
    answer = post(owner, f.multipart(name, f.PDF))
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "must not hold a folder" in text and "\x00" not in text and "\n" not in text
    assert_nothing_kept(temp_folder)


def test_a_very_long_name_is_kept_short_and_never_becomes_a_path(owner):
    name = "q" * 600 + ".pdf"  # Django refuses a part header over 1 KiB
    answer = post(owner, f.multipart(name, f.PDF))
    assert answer.status_code == 201, answer.content[:300]
    version = m.EvidenceVersion.objects.get()
    assert len(version.filename) <= 255 and version.filename.endswith(".pdf")
    assert [Path(p).name for p in stored_objects()] == [hashlib.sha256(f.PDF).hexdigest()]


def test_a_file_over_the_quota_is_refused_as_it_arrives(owner, world, temp_folder, settings):
    settings.CSFPILOT_EVIDENCE_QUOTA_BYTES = 3 * MiB
    first = post(owner, f.multipart("first.pdf", f.PDF + bytes(2 * MiB)))
    assert first.status_code == 201
    body = f.LazyBody("second.pdf", 40 * MiB)
    answer = post_stream(owner, body)
    assert answer.status_code == 413, answer.content
    assert answer.content.decode().startswith("second.pdf: the organization's evidence storage")
    assert body.consumed < 3 * MiB, body.consumed
    assert m.StoredFile.objects.count() == 1
    assert len(stored_objects()) == 1
    assert os.listdir(temp_folder) == []


def test_a_2_gb_stream_is_refused_at_its_headers(owner, temp_folder):
    body = f.LazyBody("huge.pdf", 2 * 1024 * MiB)
    answer = post_stream(owner, body)
    assert answer.status_code == 413, answer.content
    assert "2,147,483,648 bytes" in answer.content.decode()
    assert "CSFPILOT_EVIDENCE_MAX_FILE_MB" in answer.content.decode()
    assert body.consumed == 0
    assert_nothing_kept(temp_folder)


def test_a_2_gb_stream_within_the_request_limit_is_stopped_as_it_arrives(
    owner, temp_folder, settings
):
    # A server that allows a 4 GB file: the per-file limit is not what stops this one,
    # the organization's 10 MB quota is, after about 10 MB were read.
    settings.CSFPILOT_EVIDENCE_MAX_FILE_BYTES = 4096 * MiB
    settings.CSFPILOT_EVIDENCE_QUOTA_BYTES = 10 * MiB
    body = f.LazyBody("huge.pdf", 2 * 1024 * MiB)
    answer = post_stream(owner, body)
    assert answer.status_code == 413, answer.content
    assert answer.content.decode().startswith("huge.pdf: the organization's evidence storage")
    assert body.consumed < 11 * MiB, body.consumed
    assert_nothing_kept(temp_folder)


def test_a_file_over_the_per_file_limit_is_stopped_as_it_arrives(owner, temp_folder, settings):
    settings.CSFPILOT_EVIDENCE_MAX_FILE_BYTES = 4 * MiB
    # Within what the route accepts (the limit and the form's fields), over the file limit.
    body = f.LazyBody("big.pdf", 6 * MiB)
    answer = post_stream(owner, body)
    assert answer.status_code == 413, answer.content
    assert (
        answer.content.decode()
        == "big.pdf: the file is larger than the limit of 4 MB per evidence file"
    )
    assert body.consumed < 5 * MiB, body.consumed
    assert_nothing_kept(temp_folder)


def test_a_viewer_cannot_upload_and_the_body_is_not_read(client, world, temp_folder):
    client.force_login(world.users["viewer"])
    body = f.LazyBody("policy.pdf", 20 * MiB)
    answer = post_stream(client, body)
    assert answer.status_code == 403
    assert body.consumed == 0
    assert_nothing_kept(temp_folder)


def test_another_tenant_cannot_upload_into_the_organization(client, world, temp_folder):
    client.force_login(world.outsider)
    answer = post(client, f.multipart("policy.pdf", f.PDF))
    assert answer.status_code == 404
    assert_nothing_kept(temp_folder)


def test_the_body_limit_of_other_routes_is_unchanged(owner, settings):
    body = f.LazyBody("profile.yaml", 30 * MiB)
    answer = post_stream(owner, body, "/orgs/acme/profiles/import/")
    assert answer.status_code == 413, answer.content
    assert "CSFPILOT_MAX_REQUEST_MB" in answer.content.decode()
    assert body.consumed == 0


def test_spool_outside_the_evidence_routes_applies_the_same_checks(world):
    with pytest.raises(blobs.FileTooLarge):
        blobs.spool(
            [b"%PDF-1.7\n", bytes(100)], filename="x.pdf", organization=world.org, max_bytes=50
        )


API_URL = API_UPLOAD.format(slug="acme")


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("report.pdf", f.POLYGLOT_HTML, 400, "report.pdf: the file holds HTML or SVG markup"),
        ("../x.pdf", f.PDF, 400, "../x.pdf: a file name must not hold a folder"),
        ("big.pdf", f.PDF + bytes(5 * MiB), 413, "big.pdf: the file is larger than the limit"),
    ],
)
def test_an_api_route_requiring_the_file_gets_the_refusal_not_a_missing_field(
    owner, temp_folder, settings, name, data, status, message
):
    settings.CSFPILOT_EVIDENCE_MAX_FILE_BYTES = 4 * MiB
    answer = owner.generic("POST", API_URL, f.multipart(name, data), content_type=f.CONTENT_TYPE)
    assert answer.status_code == status, answer.content[:300]
    assert answer.content.decode().startswith(message)
    assert_nothing_kept(temp_folder)
