"""Sign-in throttling through a reverse proxy, against a live ``csfpilot serve`` with two
worker processes (issue #14, item 4).

The test plays nginx: every request comes from 127.0.0.1 (``CSFPILOT_TRUSTED_PROXIES``)
with the client's address appended to ``X-Forwarded-For`` as ``$proxy_add_x_forwarded_for``
does, after whatever the client itself sent. The failures are counted once for both
worker processes (the database cache ``csfpilot serve`` picks for more than one worker),
per real client, and one attacker locks out nobody else.
"""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest

from tests.e2e.conftest import running_server
from tests.serving.conftest import server_env

PASSWORD = "correct horse battery staple 9"
PEOPLE = [f"person{n}@example.com" for n in range(10)]
ENV = {
    "CSFPILOT_TRUSTED_PROXIES": "127.0.0.1",
    "CSFPILOT_WORKERS": "2",
    # Accounts only: NIST's catalogs play no part here and take minutes to load.
    "CSFPILOT_AUTOLOAD_CATALOGS": "0",
}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Site:
    host: str
    port: int
    log: Path


def _manage(data_dir: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "csfpilot", "manage", *args],
        env=server_env(data_dir, ENV),
        check=True,
        capture_output=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("throttling")
    _manage(data_dir, "migrate", "--verbosity", "0")
    # The accounts exist before the start, so no demo account is made.
    emails = ["ana@example.com", *PEOPLE]
    code = (
        "from django.contrib.auth import get_user_model\n"
        f"for email in {emails!r}:\n"
        "    get_user_model().objects.create_user(\n"
        f"        username=email.split('@')[0], email=email, password={PASSWORD!r})\n"
    )
    _manage(data_dir, "shell", "-c", code)
    with running_server(data_dir, extra_env=ENV) as url:
        parsed = urlparse(url)
        yield Site(parsed.hostname or "127.0.0.1", parsed.port or 80, data_dir / "server.log")


def sign_in(site: Site, email: str, password: str, client: str, forged: str = "") -> str:
    """One sign-in from ``client`` through "nginx": "in", "wrong" or "throttled"."""
    forwarded = f"{forged}, {client}" if forged else client
    conn = http.client.HTTPConnection(site.host, site.port, timeout=120)
    try:
        conn.request("GET", "/accounts/login/", headers={"X-Forwarded-For": forwarded})
        page = conn.getresponse()
        body = page.read().decode()
        cookie = next(
            c.split(";", 1)[0]
            for c in page.headers.get_all("Set-Cookie") or []
            if c.startswith("csrftoken=")
        )
        form = {"csrfmiddlewaretoken": TOKEN.search(body).group(1), "login": email}
        form["password"] = password
        conn.request(
            "POST",
            "/accounts/login/",
            body=urlencode(form),
            headers={
                "X-Forwarded-For": forwarded,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
            },
        )
        answer = conn.getresponse()
        text = answer.read().decode()
    finally:
        conn.close()
    cookies = " ".join(answer.headers.get_all("Set-Cookie") or [])
    if answer.status == 302 and "sessionid=" in cookies:
        return "in"
    if answer.status == 429 or "Too many failed login attempts" in text:
        return "throttled"
    assert answer.status == 200, (answer.status, text[:500])
    return "wrong"


def test_failures_are_counted_once_for_both_worker_processes(site: Site):
    # Each request on a new connection, so the two workers share them; each worker
    # counting on its own would allow up to 10 wrong passwords here instead of 5.
    tries = [sign_in(site, "ana@example.com", f"guess {n}", "198.51.100.1") for n in range(12)]
    assert tries == ["wrong"] * 5 + ["throttled"] * 7
    assert sign_in(site, "ana@example.com", PASSWORD, "198.51.100.1") == "throttled"
    assert sign_in(site, "ana@example.com", PASSWORD, "203.0.113.1") == "in"


def test_under_load_one_attacker_locks_out_nobody_else(site: Site):
    attacker = "198.51.100.2"

    def attack(n: int) -> str:
        # A new forged address each time: nginx appends the real one after it.
        return sign_in(site, "person0@example.com", f"guess {n}", attacker, forged=f"192.0.2.{n}")

    def person(n: int) -> str:
        return sign_in(site, PEOPLE[n], PASSWORD, f"203.0.113.{10 + n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        attacks = [pool.submit(attack, n) for n in range(30)]
        people = [pool.submit(person, n) for n in range(10)]
        owner = pool.submit(sign_in, site, "person0@example.com", PASSWORD, "203.0.113.50")
    outcomes = Counter(f.result() for f in attacks)
    # At most 5 guesses at person0's password counted, whatever the forged addresses.
    assert outcomes["wrong"] <= 5 and outcomes["throttled"] >= 25, outcomes
    assert "in" not in outcomes
    # Everybody else, and person0 from their own address, signed in meanwhile.
    assert [f.result() for f in people] == ["in"] * 10
    assert owner.result() == "in"
    assert sign_in(site, "person0@example.com", PASSWORD, "203.0.113.51") == "in"


def test_an_attacker_spraying_accounts_is_stopped_per_client(site: Site):
    attacker = "198.51.100.3"
    tries = [sign_in(site, email, "Summer2024!", attacker) for email in PEOPLE + PEOPLE[:4]]
    # 10 failures a minute per client, over all accounts.
    assert tries == ["wrong"] * 10 + ["throttled"] * 4
    assert [sign_in(site, e, PASSWORD, "203.0.113.60") for e in PEOPLE[:3]] == ["in"] * 3
