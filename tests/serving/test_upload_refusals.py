"""Uploads refused early by a live ``csfpilot serve`` (two workers), with a real streaming
client (issue #14, item 9): the answer comes while the client is still sending, so the
body was neither read nor written anywhere, and the server then drops the connection
instead of receiving the rest."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import running_server
from tests.serving.conftest import server_env

MiB = 1024 * 1024
PASSWORD = "correct horse battery staple 9"
# No report processes: only the upload handling should write to the temporary folder these
# tests watch for spooled uploads.
ENV = {
    "CSFPILOT_WORKERS": "2",
    "CSFPILOT_AUTOLOAD_CATALOGS": "0",
    "CSFPILOT_REPORT_PROCESSES": "0",
}


@dataclass
class Site:
    host: str
    port: int
    tmp: Path  # the server's temporary folder, where Django spools uploads over 2.5 MB
    viewer_token: str


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
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("uploads")
    tmp = data_dir / "tmp"
    tmp.mkdir()
    env = {**ENV, "TMPDIR": str(tmp)}
    _manage(data_dir, env, "migrate", "--verbosity", "0")
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from csfpilot.webapp.organizations.models import Membership, Organization\n"
        "from csfpilot.webapp.accounts.services import issue_token\n"
        "org = Organization.objects.create(name='Acme', slug='acme')\n"
        "for role in ('owner', 'viewer'):\n"
        "    user = get_user_model().objects.create_user(\n"
        f"        username=role, email=role + '@acme.test', password={PASSWORD!r})\n"
        "    Membership.objects.create(user=user, organization=org, role=role)\n"
        "print(issue_token(user, 'acme', 'viewer', 'uploads')[1])\n"
    )
    token = _manage(data_dir, env, "shell", "-c", code).strip().splitlines()[-1]
    with running_server(data_dir, extra_env=env) as url:
        parsed = urlparse(url)
        yield Site(parsed.hostname or "127.0.0.1", parsed.port or 80, tmp, token)


def _complete(answer: bytes) -> bool:
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    return length is not None and len(body) >= int(length.group(1))


@dataclass
class Outcome:
    status: int
    body: str
    sent: int  # body bytes the client had sent when the answer came
    spooled: list[str]  # files in the server's temporary folder at that moment


def stream_upload(site: Site, path: str, size: int, headers: dict[str, str]) -> Outcome:
    """POST a multipart body of ``size`` bytes, 256 KiB at a time, reading any answer
    as soon as it comes."""
    boundary = "csfpilot-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.yaml"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {site.host}:{site.port}",
        f"Content-Type: multipart/form-data; boundary={boundary}",
        f"Content-Length: {size}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    sock = socket.create_connection((site.host, site.port), timeout=60)
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def pieces() -> Iterator[bytes]:
        yield head
        left = size - len(head) - len(tail)
        while left:
            n = min(left, 256 * 1024)
            yield bytes(n)
            left -= n
        yield tail

    source = pieces()
    pending = next(source)
    sent = 0
    answer = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock] if pending else [], [], 5)
            if readable:
                break
            if writable:
                try:
                    n = sock.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += n
                pending = pending[n:] or next(source, b"")
        spooled = sorted(os.listdir(site.tmp))
        sock.settimeout(30)
        try:
            # The whole answer: headers, then as many bytes as Content-Length says (the
            # server may send the body in a packet of its own).
            while not _complete(answer):
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    finally:
        sock.close()
    status = int(re.match(rb"HTTP/1\.1 (\d{3})", answer).group(1)) if answer else 0
    return Outcome(status, answer.decode(errors="replace"), sent, spooled)


def _session(site: Site, email: str) -> dict[str, str]:
    import http.client
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection(site.host, site.port, timeout=60)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    html = page.read().decode()
    csrf = next(
        c.split(";", 1)[0].split("=", 1)[1]
        for c in page.headers.get_all("Set-Cookie") or []
        if c.startswith("csrftoken=")
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    conn.request(
        "POST",
        "/accounts/login/",
        body=urlencode({"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
        },
    )
    answer = conn.getresponse()
    answer.read()
    cookies = {
        c.split(";", 1)[0].split("=", 1)[0]: c.split(";", 1)[0].split("=", 1)[1]
        for c in answer.headers.get_all("Set-Cookie") or []
    }
    conn.close()
    assert "sessionid" in cookies, answer.status
    csrf = cookies.get("csrftoken", csrf)
    return {"Cookie": f"csrftoken={csrf}; sessionid={cookies['sessionid']}", "X-CSRFToken": csrf}


def test_a_300_mb_upload_is_refused_before_it_is_received(site: Site):
    viewer = _session(site, "viewer@acme.test")
    outcome = stream_upload(site, "/orgs/acme/profiles/import/", 300 * MiB, viewer)
    assert outcome.status == 413, outcome.body[:300]
    assert "314,572,800 bytes" in outcome.body
    # Answered at the headers: what was sent by then is what the sockets buffer.
    assert outcome.sent < 30 * MiB, outcome.sent
    assert outcome.spooled == []


@pytest.mark.parametrize(
    "path", ["/orgs/acme/profiles/import/", "/api/organizations/acme/profiles/import"]
)
def test_a_viewer_s_upload_under_the_limit_is_refused_before_it_is_read(site: Site, path: str):
    viewer = _session(site, "viewer@acme.test")
    outcome = stream_upload(site, path, 20 * MiB, viewer)
    assert outcome.status == 403, outcome.body[:300]
    assert outcome.sent < 20 * MiB, "the answer came only after the whole body"
    assert outcome.spooled == []


def test_a_viewer_token_s_upload_is_refused_before_it_is_read(site: Site):
    bearer = {"Authorization": f"Bearer {site.viewer_token}"}
    for path in [
        "/api/organizations/acme/profiles/import",
        "/api/organizations/acme/jobs/profile-import",
        "/api/organizations/acme/profiles/exchange/import",
    ]:
        outcome = stream_upload(site, path, 20 * MiB, bearer)
        assert outcome.status == 403, (path, outcome.body[:300])
        assert outcome.sent < 20 * MiB, path
        assert outcome.spooled == []
