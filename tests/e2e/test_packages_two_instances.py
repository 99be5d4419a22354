"""Two csfpilot instances over real HTTP: a profile package signed on one, verified and
imported on the other, through the REST API of each.

Each instance is a real ``csfpilot serve`` on loopback with its own SQLite data folder;
accounts, organizations and API tokens are made with the CLI on that folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import running_server
from tests.prepared_data import prepare

SECRET = "e2e-only-not-a-secret"
NOTE = "two-instance-secret-note-8812"
RATIONALE = "two-instance-secret-rationale-3377"
PROFILE = f"""format_version: 1
framework: csf-2.0
name: Plant 2
scale: status
tiers:
  governance: {{current: 2, target: 3, current_rationale: "{RATIONALE}"}}
outcomes:
  GV.OC-01: {{current: partially, target: fully, priority: high, notes: "{NOTE}",
              rationale: "{RATIONALE}"}}
  PR.AA-03: {{current: not, target: largely, notes: "{NOTE} again"}}
"""


@dataclass
class Instance:
    url: str
    org: str
    token: str

    def api(self, path: str) -> str:
        return f"{self.url}/api/organizations/{self.org}{path}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _cli(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CSFPILOT_"))}
    env.update(CSFPILOT_DATA_DIR=str(data_dir), CSFPILOT_SECRET_KEY=SECRET, COLUMNS="200")
    prepare(data_dir, SECRET)
    proc = subprocess.run(
        [sys.executable, "-m", "csfpilot", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _prepare(data_dir: Path, slug: str, name: str) -> str:
    email = f"owner@{slug}.test"
    _cli(data_dir, "accounts", "create", email, "--password-stdin", stdin="long enough pass 123!\n")
    _cli(data_dir, "org", "create", name, "--owner", email, "--slug", slug)
    out = _cli(
        data_dir,
        "tokens",
        "create",
        "--user",
        email,
        "--org",
        slug,
        "--name",
        "exchange",
        "--role",
        "owner",
        "--json",
    )
    return json.loads(out)["token"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Instance]]:
    a_dir = tmp_path_factory.mktemp("instance-a")
    b_dir = tmp_path_factory.mktemp("instance-b")
    a_token = _prepare(a_dir, "acme-tw", "Acme Taiwan")
    b_token = _prepare(b_dir, "buyer-us", "Buyer US")
    source = a_dir / "plant2.yaml"
    source.write_text(PROFILE, encoding="utf-8")
    _cli(a_dir, "profile", "import", str(source), "--org", "acme-tw")
    with running_server(a_dir) as a_url, running_server(b_dir) as b_url:
        yield Instance(a_url, "acme-tw", a_token), Instance(b_url, "buyer-us", b_token)


def _profile_id(a: Instance) -> int:
    got = requests.get(a.api("/profiles"), headers=a.headers, timeout=30)
    got.raise_for_status()
    body = got.json()
    items = body["items"] if isinstance(body, dict) else body
    return next(p["id"] for p in items if p["name"] == "Plant 2")


def _export(a: Instance, level: str) -> bytes:
    got = requests.get(
        a.api(f"/profiles/{_profile_id(a)}/package"),
        params={"level": level},
        headers=a.headers,
        timeout=60,
    )
    assert got.status_code == 200, got.text
    return got.content


def _post(b: Instance, path: str, data: bytes, **form) -> requests.Response:
    return requests.post(
        b.api(path),
        files={"file": ("plant2.csfpkg.json", data, "application/json")},
        data=form,
        headers=b.headers,
        timeout=60,
    )


def test_at_scores_level_no_note_or_rationale_leaves(pair):
    a, _ = pair
    data = _export(a, "scores")
    for secret in (NOTE, RATIONALE, "Plant 2"):
        assert secret.encode() not in data


def test_unknown_signer_untrusted_then_trusted_import_then_replay_refused(pair):
    a, b = pair
    data = _export(a, "no-text")
    assert NOTE.encode() not in data and RATIONALE.encode() not in data
    seen = _post(b, "/packages/verify", data).json()
    assert seen["trusted"] is False and "not a trusted key" in seen["problems"][0]
    fingerprint = seen["fingerprint"]
    a_keys = requests.get(a.api("/keys"), headers=a.headers, timeout=30).json()
    assert a_keys["keys"][0]["fingerprint"] == fingerprint  # compared out of band
    trusted = requests.post(
        b.api("/trusted-keys"),
        json={"fingerprint": a_keys["keys"][0]["fingerprint_grouped"], "partner": "Acme Taiwan"},
        headers=b.headers,
        timeout=30,
    )
    assert trusted.status_code == 201, trusted.text
    assert _post(b, "/packages/verify", data).json()["trusted"] is True
    done = _post(b, "/packages/import", data)
    assert done.status_code == 201, done.text
    assert done.json()["trusted"] is True and done.json()["profile_name"] == "Plant 2"
    replay = _post(b, "/packages/import", data, name="Plant 2 again")
    assert replay.status_code == 400 and "replay" in replay.json()["detail"]


def test_a_changed_byte_is_refused_naming_the_member(pair):
    a, b = pair
    data = _export(a, "full")
    at = data.index(NOTE.encode())
    altered = data[:at] + b"X" + data[at + 1 :]
    refused = _post(b, "/packages/import", altered, accept_untrusted="true")
    assert refused.status_code == 400
    assert "member 'profile.json' was altered" in refused.json()["detail"]
    verify = _post(b, "/packages/verify", altered)
    assert verify.status_code == 400 and "profile.json" in verify.json()["detail"]
