"""Real ``csfpilot serve`` processes (gunicorn, several workers) for the serving tests.

Servers come from the same ``running_server()`` the browser tests use. A test
that needs an API token asks the server's own database for one through
``csfpilot manage shell``, as an operator would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import prepared_data
from tests.e2e.conftest import running_server

ORG = "example-manufacturing"
WORKERS = 2


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def call(
    url: str,
    *,
    method: str = "GET",
    token: str | None = None,
    body: object | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    request = urllib.request.Request(url, method=method, headers=dict(headers or {}))
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers), exc.read())


def server_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment running_server() gives the server, for commands on its database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(CSFPILOT_DATA_DIR=str(data_dir), CSFPILOT_SECRET_KEY="e2e-only-not-a-secret")
    env.update(extra or {})
    return env


def prepare(data_dir: Path, extra: dict[str, str] | None = None) -> None:
    """What ``csfpilot serve`` does before it listens, done ahead without a start-up deadline.

    A first start migrates and imports NIST's catalogs, which takes minutes on a
    busy test machine; the servers then start in seconds.
    """
    code = (
        "import os\n"
        "os.environ['CSFPILOT_HASHED_STATIC'] = '1'\n"
        "from csfpilot.cli import database\n"
        "with database.one_at_a_time('prepare'):\n"
        "    database.ready()\n"
        "    database.ensure_demo()\n"
        "database.collect_static()\n"
    )
    env = server_env(data_dir, extra)
    if "CSFPILOT_DATABASE_URL" not in env:
        prepared_data.prepare(data_dir, env["CSFPILOT_SECRET_KEY"])
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=1800)


def issue_token(data_dir: Path, extra: dict[str, str] | None = None) -> str:
    """An owner token for the demo organization, issued in the server's database."""
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from csfpilot.webapp.accounts.services import issue_token\n"
        "user = get_user_model().objects.get(email='demo@example.com')\n"
        f"print(issue_token(user, {ORG!r}, 'owner', 'serving tests')[1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "csfpilot", "manage", "shell", "-c", code],
        env=server_env(data_dir, extra),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def current_profile(url: str, token: str) -> int:
    listed = call(f"{url}/api/organizations/{ORG}/profiles", token=token)
    assert listed.status == 200, listed.body
    return next(p["id"] for p in listed.json() if p["kind"] == "organizational")


@dataclass
class Server:
    url: str
    data_dir: Path
    token: str
    profile_id: int

    def api(self, path: str = "") -> str:
        return f"{self.url}/api/organizations/{ORG}/profiles/{self.profile_id}{path}"


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One production server on a fresh SQLite database, with two worker processes."""
    data_dir = tmp_path_factory.mktemp("serving-sqlite")
    prepare(data_dir)
    with running_server(data_dir, extra_env={"CSFPILOT_WORKERS": str(WORKERS)}) as url:
        token = issue_token(data_dir)
        yield Server(url, data_dir, token, current_profile(url, token))
