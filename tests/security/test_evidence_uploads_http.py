"""Evidence uploads over real HTTP: two ``csfpilot serve`` servers sharing one database and
one S3-compatible bucket (a real S3 server on loopback), as several app servers would.

A file uploaded through one server downloads, byte for byte, from the other. A
2 GB stream is answered while the client is still sending: the server read
about what the organization's quota allows and no more. Hostile files are
refused with a message naming them, and nothing reaches the bucket or the
servers' temporary folders. ``UPLOAD`` is the one place that names the route.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest

from tests.e2e.conftest import running_server
from tests.security import evidence_files as f
from tests.security.evidence_upload_urls import DOWNLOAD, UPLOAD
from tests.serving.conftest import server_env
from tests.webapp.evidence.s3_server import S3Server, s3_server_fixture  # noqa: F401 - fixture

MiB = f.MiB
GiB = 1024 * MiB
PASSWORD = "correct horse battery staple 9"
QUOTA_MB = 32
URL = UPLOAD.format(slug="acme")


@dataclass
class Site:
    servers: list[tuple[str, int]]  # (host, port) of each server
    temp_folders: list[Path]
    bucket: str
    s3: S3Server

    def objects(self) -> list[str]:
        listed = self.s3.client().list_objects_v2(Bucket=self.bucket)
        return [o["Key"] for o in listed.get("Contents", [])]

    def temp_files(self) -> list[str]:
        return [name for folder in self.temp_folders for name in os.listdir(folder)]


def _manage(data_dir: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "csfpilot", "manage", *args],
        env=server_env(data_dir, env),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, s3_server: S3Server) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("evidence-http")
    bucket = s3_server.new_bucket()
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.security.evidence_server_settings",
        "CSFPILOT_WORKERS": "1",
        "CSFPILOT_AUTOLOAD_CATALOGS": "0",
        # A server that takes files of up to 4 GB: what stops a 2 GB stream is the quota.
        "CSFPILOT_EVIDENCE_MAX_FILE_MB": "4096",
        "CSFPILOT_EVIDENCE_QUOTA_MB": str(QUOTA_MB),
        **s3_server.environment(bucket, "evidence"),
    }
    _manage(data_dir, env, "migrate", "--verbosity", "0")
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from csfpilot.webapp.organizations.models import Membership, Organization\n"
        "org = Organization.objects.create(name='Acme', slug='acme')\n"
        "for role in ('owner', 'viewer'):\n"
        "    user = get_user_model().objects.create_user(\n"
        f"        username=role, email=role + '@acme.test', password={PASSWORD!r})\n"
        "    Membership.objects.create(user=user, organization=org, role=role)\n"
    )
    _manage(data_dir, env, "shell", "-c", code)
    temp_folders = [data_dir / "tmp-a", data_dir / "tmp-b"]
    with ExitStack() as stack:
        servers = []
        for folder in temp_folders:
            folder.mkdir()
            url = stack.enter_context(
                running_server(data_dir, extra_env={**env, "TMPDIR": str(folder)})
            )
            parsed = urlparse(url)
            servers.append((parsed.hostname or "127.0.0.1", parsed.port or 80))
        yield Site(servers, temp_folders, bucket, s3_server)


def sign_in(server: tuple[str, int], email: str) -> dict[str, str]:
    """Headers of a signed-in session (cookie and CSRF token) on ``server``."""
    conn = http.client.HTTPConnection(*server, timeout=60)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    html = page.read().decode()
    cookies = {
        c.split(";", 1)[0].split("=", 1)[0]: c.split(";", 1)[0].split("=", 1)[1]
        for c in page.headers.get_all("Set-Cookie") or []
    }
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    conn.request(
        "POST",
        "/accounts/login/",
        body=urlencode({"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    answer = conn.getresponse()
    answer.read()
    for c in answer.headers.get_all("Set-Cookie") or []:
        name, value = c.split(";", 1)[0].split("=", 1)
        cookies[name] = value
    conn.close()
    assert "sessionid" in cookies, answer.status
    return {
        "Cookie": f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}",
        "X-CSRFToken": cookies["csrftoken"],
    }


def send(server, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    conn = http.client.HTTPConnection(*server, timeout=120)
    conn.request(method, path, body=body or None, headers=headers)
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    return answer, data


def upload(server, session: dict[str, str], name: str, data: bytes):
    headers = {**session, "Content-Type": f.CONTENT_TYPE}
    return send(server, "POST", URL, headers, f.multipart(name, data))


@dataclass
class Streamed:
    status: int
    body: str
    sent: int  # body bytes the client had sent when the answer came


def stream(server, session: dict[str, str], body: f.LazyBody) -> Streamed:
    """Send ``body`` as fast as the server takes it, reading the answer as soon as it comes."""
    head = [
        f"POST {URL} HTTP/1.1",
        f"Host: {server[0]}:{server[1]}",
        f"Content-Type: {f.CONTENT_TYPE}",
        f"Content-Length: {body.size}",
        *(f"{k}: {v}" for k, v in session.items()),
    ]
    sock = socket.create_connection(server, timeout=60)
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    pending = body.read(256 * 1024)
    sent = 0
    answer = b""
    deadline = time.monotonic() + 300
    try:
        while pending and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 5)
            if readable:
                break
            if writable:
                try:
                    n = sock.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += n
                pending = pending[n:] or body.read(256 * 1024)
        sock.settimeout(30)
        try:
            while not _complete(answer):
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    finally:
        sock.close()
    found = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    head_end = answer.find(b"\r\n\r\n")
    return Streamed(
        int(found.group(1)) if found else 0, answer[head_end + 4 :].decode(errors="replace"), sent
    )


def _complete(answer: bytes) -> bool:
    head, found, rest = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)content-length: (\d+)", head)
    return bool(found and length and len(rest) >= int(length.group(1)))


def test_a_file_uploaded_through_one_server_downloads_from_the_other(site: Site):
    first, second = site.servers
    data = f.PDF + bytes(range(256)) * 20_000  # about 5 MB
    answer, body = upload(first, sign_in(first, "owner@acme.test"), "policy 2026.pdf", data)
    assert answer.status == 201, body[:500]
    created = json.loads(body)
    sha = hashlib.sha256(data).hexdigest()
    assert created["sha256"] == sha
    assert [key.rsplit("/", 1)[1] for key in site.objects()] == [sha]

    viewer = sign_in(second, "viewer@acme.test")
    path = DOWNLOAD.format(slug="acme", version=created["version"])
    got, content = send(second, "GET", path, viewer)
    assert got.status == 200
    assert hashlib.sha256(content).hexdigest() == sha
    assert got.headers["Content-Disposition"] == 'attachment; filename="policy 2026.pdf"'
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert got.headers["Content-Type"] == "application/pdf"
    assert site.temp_files() == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", f.POLYGLOT_HTML, "holds HTML or SVG markup"),
        ("policy.docx", f.bomb(64 * MiB), "unpacks to 200 times its size"),
        ("results.xml", f.BILLION_LAUGHS, "declares entities"),
        ("tool.pdf", f.ELF, "are not accepted as evidence"),
        ("../../etc/cron.d/x.pdf", f.PDF, "must not hold a folder"),
    ],
)
def test_hostile_files_are_refused_and_nothing_reaches_the_bucket(site: Site, name, data, message):
    server = site.servers[1]
    before = site.objects()
    answer, body = upload(server, sign_in(server, "owner@acme.test"), name, data)
    assert answer.status == 400
    assert message in body.decode() and name.rsplit("/", 1)[-1] in body.decode()
    assert site.objects() == before
    assert site.temp_files() == []


def test_a_2_gb_stream_is_stopped_as_it_arrives(site: Site):
    server = site.servers[0]
    before = site.objects()
    body = f.LazyBody("huge.pdf", 2 * GiB)
    outcome = stream(server, sign_in(server, "owner@acme.test"), body)
    assert outcome.status == 413, outcome.body[:300]
    assert outcome.body.startswith("huge.pdf: the organization's evidence storage quota")
    # The answer came after about the quota's worth, not the 2 GB: what was sent by then is
    # what the quota allowed plus what the sockets buffer.
    assert outcome.sent < (QUOTA_MB + 32) * MiB, outcome.sent
    assert site.objects() == before
    assert site.temp_files() == []
