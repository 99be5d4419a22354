"""No lost updates: several clients edit the same outcome at once over real HTTP.

The real ``csfpilot serve`` (waitress, a pool of worker threads, the SQLite file
database) runs in a subprocess; each client is a thread with its own API token
and its own connection. Every client reads the outcome, appends its own mark
to the notes and writes back with the version it read. A save based on a stale
version must be refused with 409 and the stored value; an accepted save must
never be overwritten by a later one (every accepted mark is in the final
notes). No request may fail with a 500 or "database is locked".

tests/webapp/test_profiles_concurrency.py proves the same rule at the service
level and on PostgreSQL; this is the end-to-end proof on SQLite, where locking
is the server's and the database file's, not Django's test transaction.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from csfpilot.webapp.demo import DEMO_LOGIN, DEMO_ORGANIZATION
from tests.e2e.conftest import running_server

pytestmark = pytest.mark.sqlite_file

CLIENTS = 8
ROUNDS = 6  # accepted writes each client makes on the shared outcome
SHARED = "ID.RA-05"
_, SLUG = DEMO_ORGANIZATION


@dataclass
class Server:
    url: str
    log: Path
    tokens: list[str]
    profile: int


def _sign_in(url: str) -> requests.Session:
    s = requests.Session()
    s.get(f"{url}/accounts/login/", timeout=30).raise_for_status()
    email, password = DEMO_LOGIN
    r = s.post(
        f"{url}/accounts/login/",
        data={
            "login": email,
            "password": password,
            "csrfmiddlewaretoken": s.cookies["csrftoken"],
        },
        timeout=30,
        allow_redirects=False,
    )
    assert r.status_code == 302, r.text[:500]
    return s


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("lost-updates")
    with running_server(data) as url:
        owner = _sign_in(url)
        tokens = []
        for i in range(CLIENTS):
            r = owner.post(
                f"{url}/api/tokens",
                json={"name": f"client {i}", "organization": SLUG, "role": "owner", "days": 1},
                headers={"X-CSRFToken": owner.cookies["csrftoken"]},
                timeout=30,
            )
            assert r.status_code == 201, r.text
            tokens.append(r.json()["token"])
        headers = {"Authorization": f"Bearer {tokens[0]}"}
        profiles = requests.get(
            f"{url}/api/organizations/{SLUG}/profiles", headers=headers, timeout=30
        ).json()
        profile = next(p["id"] for p in profiles if p["kind"] == "organizational")
        yield Server(url, data / "server.log", tokens, profile)


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    accepted: list[str] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, response: requests.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if "database is locked" in response.text:
                self.locked.append(response.text[:300])


def _outcome_url(server: Server, code: str) -> str:
    return f"{server.url}/api/organizations/{SLUG}/profiles/{server.profile}/outcomes/{code}"


def _run(clients: list) -> None:
    threads = [threading.Thread(target=c) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not any(t.is_alive() for t in threads)


def test_concurrent_edits_of_one_outcome_lose_nothing(server: Server, figure):
    url = _outcome_url(server, SHARED)
    tally = Tally()
    barrier = threading.Barrier(CLIENTS)
    errors: list[BaseException] = []

    def client(i: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {server.tokens[i]}"
        try:
            barrier.wait(60)
            for round_ in range(ROUNDS):
                mark = f"[c{i}r{round_}]"
                while True:  # read, modify, write; on 409 read again and retry
                    got = http.get(url, timeout=60)
                    tally.note(got)
                    got.raise_for_status()
                    seen = got.json()
                    body = {"version": seen["version"], "notes": (seen["notes"] or "") + mark}
                    put = http.patch(url, json=body, timeout=60)
                    tally.note(put)
                    if put.status_code == 200:
                        with tally.lock:
                            tally.accepted.append(mark)
                        break
                    assert put.status_code == 409, put.text[:500]
                    with tally.lock:
                        tally.conflicts.append({"sent": body, "answer": put.json()})
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    _run([lambda i=i: client(i) for i in range(CLIENTS)])
    assert not errors, errors[0]

    final = requests.get(
        url, headers={"Authorization": f"Bearer {server.tokens[0]}"}, timeout=30
    ).json()
    lost = [mark for mark in tally.accepted if mark not in (final["notes"] or "")]
    server_log = server.log.read_text()
    locked = len(tally.locked) + server_log.count("database is locked")
    figure(
        "lost_updates",
        {
            "clients": CLIENTS,
            "accepted_writes": len(tally.accepted),
            "stale_writes_refused_409": len(tally.conflicts),
            "lost_updates": len(lost),
            "database_is_locked_errors": locked,
            "server_errors_5xx": sum(n for s, n in tally.statuses.items() if s >= 500),
        },
    )
    assert len(tally.accepted) == CLIENTS * ROUNDS
    assert lost == []
    # Every accepted write made exactly one step: the version counts them.
    assert final["notes"].count("[c") == CLIENTS * ROUNDS
    assert locked == 0
    assert not [s for s in tally.statuses if s >= 500], tally.statuses
    assert "Traceback" not in server_log
    # Eight clients racing from the same reads: some writes must have been stale.
    assert tally.conflicts, "the race never produced a stale write; the test proves nothing"
    for c in tally.conflicts:
        answer, sent = c["answer"], c["sent"]
        assert answer["status"] == 409
        assert answer["element"] == SHARED
        assert answer["version"] > sent["version"]  # the version it is at now
        # The answer names the value stored now, which is not what this client sent.
        assert answer["current"]["notes"] != sent["notes"]
        assert answer["yours"]["notes"] == sent["notes"]
        assert "notes is now" in answer["detail"]
        assert "nothing was saved" in answer["detail"]


def test_concurrent_edits_of_different_outcomes_all_succeed(server: Server, figure):
    codes = ["GV.OC-01", "GV.OC-02", "GV.OC-03", "GV.OC-04", "GV.OC-05", "GV.RM-01"]
    codes += ["GV.RM-02", "GV.RM-03"]
    tally = Tally()
    barrier = threading.Barrier(CLIENTS)
    errors: list[BaseException] = []
    start: dict[str, int] = {}
    for code in codes:
        got = requests.get(
            _outcome_url(server, code),
            headers={"Authorization": f"Bearer {server.tokens[0]}"},
            timeout=30,
        ).json()
        start[code] = got["version"]

    def client(i: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {server.tokens[i]}"
        url = _outcome_url(server, codes[i])
        try:
            barrier.wait(60)
            for round_ in range(ROUNDS):
                seen = http.get(url, timeout=60)
                tally.note(seen)
                body = {"version": seen.json()["version"], "notes": f"count {round_ + 1}"}
                put = http.patch(url, json=body, timeout=60)
                tally.note(put)
                assert put.status_code == 200, put.text[:500]
        except BaseException as exc:
            errors.append(exc)

    _run([lambda i=i: client(i) for i in range(CLIENTS)])
    assert not errors, errors[0]
    for code in codes:
        got = requests.get(
            _outcome_url(server, code),
            headers={"Authorization": f"Bearer {server.tokens[0]}"},
            timeout=30,
        ).json()
        assert (got["notes"], got["version"]) == (f"count {ROUNDS}", start[code] + ROUNDS)
    figure(
        "independent_outcome_edits",
        {
            "clients": CLIENTS,
            "writes": sum(tally.statuses.values()) // 2,
            "refused_or_failed": sum(n for s, n in tally.statuses.items() if s != 200),
            "database_is_locked_errors": len(tally.locked),
        },
    )
    assert tally.locked == []
    assert set(tally.statuses) == {200}
