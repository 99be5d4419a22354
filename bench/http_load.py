"""Requests per second over real HTTP against the production server (``csfpilot serve``).

The bench's data set (bench/dataset.py: 1,000 organizations by default) is
written into a fresh database, or copied from the one the runner generated for
this size and seed; ``csfpilot serve`` is then started on it in a subprocess
(gunicorn, its default workers and threads) and loaded from this process over
loopback by 8 and then 32 closed-loop clients for a fixed time per operation.
The bare endpoint (``/healthz``: the same middleware, no work) runs in the same
server, so each operation's throughput reads as a share of the framework's own
limit here. The load generator shares the machine's cores with the server, as
any loopback measurement does.

Usage: python -m bench.http_load DATABASE_URL|- [--quick] [--orgs N] [--seed S] [--data SAVED]
       → JSON on stdout's last line.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.dataset import prepare, suite_arguments
from bench.environment import configure
from bench.load import Client, LoadResult, run_load

HOST = "127.0.0.1"
CONCURRENCY = (8, 32)
LEVELS = ("partially", "largely")
BARE, BARE_NAME = "/healthz", "bare endpoint (/healthz)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class _Memory:
    """Peak resident memory of the server's processes (main process and workers), summed."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def processes(self) -> list[psutil.Process]:
        return [self.root, *self.root.children(recursive=True)]

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            try:
                total = sum(p.memory_info().rss for p in self.processes())
            except psutil.Error:
                continue
            self.peak_mb = max(self.peak_mb, total / 2**20)

    def per_worker(self) -> list[dict[str, float]]:
        """Each worker's resident and proportional memory (PSS splits shared pages fairly)."""
        rows = []
        for p in self.root.children(recursive=True):
            info = p.memory_full_info()
            rows.append(
                {
                    "rss_mb": round(info.rss / 2**20, 1),
                    "pss_mb": round(info.pss / 2**20, 1),
                    "uss_mb": round(info.uss / 2**20, 1),
                }
            )
        return rows

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class _Start:
    seconds: float  # wall clock, Popen to the first answer: depends on the machine's load
    cpu_seconds: float  # the server's processes' CPU time by then: what the start costs


def _cpu_seconds(pid: int) -> float:
    root = psutil.Process(pid)
    total = 0.0
    for p in [root, *root.children(recursive=True)]:
        times = p.cpu_times()
        total += times.user + times.system
    return total


@contextmanager
def _server(data_dir: Path, log_name: str) -> Iterator[tuple[int, _Start, subprocess.Popen]]:
    """``csfpilot serve`` on the bench database; yields its port and seconds to first answer."""
    port = _free_port()
    log = (data_dir / log_name).open("w")
    started = time.perf_counter()
    proc = subprocess.Popen(
        # No job worker: only the web server's work is measured.
        [
            sys.executable,
            "-m",
            "csfpilot",
            "serve",
            "--no-demo",
            "--no-worker",
            "--port",
            str(port),
        ],
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(
                        "csfpilot serve did not start:\n" + (data_dir / log_name).read_text()
                    ) from None
                time.sleep(0.01)
        elapsed = time.perf_counter() - started
        yield port, _Start(elapsed, _cpu_seconds(proc.pid)), proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class _RateOne(Client):
    """Saves one rating after another on its own outcome, sending the version it last read."""

    def __init__(self, path: str, headers: dict[str, str]) -> None:
        super().__init__("PATCH", path, headers)
        self.version = 0
        self.turn = 0

    def prepare(self, conn) -> None:
        conn.request("GET", self.path, headers=self.headers)
        response = conn.getresponse()
        self.version = json.loads(response.read())["version"]

    def next_request(self):
        self.turn += 1
        body = {"version": self.version, "current": LEVELS[self.turn % 2]}
        return self.method, self.path, self.headers, json.dumps(body).encode()

    def answered(self, status: int, body: bytes) -> bool:
        if status == 200:
            self.version = json.loads(body)["version"]
            return True
        return False


def _getter(path: str, headers: dict[str, str]):
    return lambda _index: Client("GET", path, headers)


def _rater(paths: list[str], headers: dict[str, str]):
    # Each client rates its own outcome: concurrent saves of one outcome would conflict.
    return lambda index: _RateOne(paths[index], headers)


def _merged(runs: list[LoadResult]) -> LoadResult:
    return LoadResult(
        runs[0].clients,
        sum(r.seconds for r in runs),
        sum(r.requests for r in runs),
        sum(r.errors for r in runs),
        [ms for r in runs for ms in r.latencies_ms],
    )


def _credentials(user) -> tuple[str, str]:
    """An API token (owner) and a signed-in session cookie for ``user``."""
    from django.test import Client as DjangoClient

    from csfpilot.webapp.accounts.services import issue_token
    from csfpilot.webapp.organizations.models import Membership

    slug = Membership.objects.filter(user=user).order_by("id").first().organization.slug
    _, token = issue_token(user, slug, "owner", "bench")
    browser = DjangoClient()
    browser.force_login(user)
    return token, browser.cookies["sessionid"].value


def main() -> None:
    parser = suite_arguments("python -m bench.http_load")
    parser.add_argument("--quick", action="store_true", help="2 s per measurement instead of 5")
    args = parser.parse_args()
    url = None if args.database_url == "-" else args.database_url
    # Five seconds hold a few hundred requests of the slowest operation at 8 clients and keep
    # the whole bench at 1,000 organizations within ten minutes on two cores.
    seconds = 2.0 if args.quick else 5.0
    data_dir = configure(url)

    from django.db import connections

    from csfpilot.webapp.profiles.models import ProfileOutcome

    data = prepare(url, args.orgs, args.seed, args.data)
    user, profile = data.user, data.profile
    token, session = _credentials(user)
    slug, pid = profile.organization.slug, profile.pk
    codes = list(
        ProfileOutcome.objects.filter(profile_id=pid).order_by("id").values_list("code", flat=True)
    )
    connections.close_all()

    api = f"/api/organizations/{slug}/profiles"
    page = f"/orgs/{slug}/profiles/{pid}"
    bearer = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    browser = {"Cookie": f"sessionid={session}", "Accept": "text/html"}
    reads = [
        (BARE_NAME, BARE, {}),
        ("open a profile: 106 outcomes (API)", f"{api}/{pid}/outcomes", bearer),
        ("score summary (API)", f"{api}/{pid}/scores", bearer),
        ("profile page", f"{page}/", browser),
        ("dashboard page", f"{page}/dashboard/", browser),
        ("questionnaire page", f"{page}/assess/", browser),
        ("catalog page (CSF 2.0 Core)", "/frameworks/csf-2.0/", browser),
        ("profile list (API)", api, bearer),
    ]
    write_name = "save one rating (API PATCH)"
    patch_headers = {**bearer, "Content-Type": "application/json"}

    # The first start also collects the static files; the second is the everyday cold start.
    with _server(data_dir, "first-start.log") as (_, first_start, _proc):
        pass
    with _server(data_dir, "server.log") as (port, cold_start, proc):
        base = f"http://{HOST}:{port}"
        for name, path, headers in reads:
            request = urllib.request.Request(base + path, headers=headers)
            with urllib.request.urlopen(request, timeout=30) as r:
                if r.status != 200 or r.url != base + path:
                    raise SystemExit(f"{name}: {path} answered {r.status} at {r.url}")
        memory = _Memory(proc.pid)
        idle = memory.per_worker()
        rows = []
        for clients in CONCURRENCY:
            # The bare endpoint runs right before each operation and the ratio is to that
            # run, so other work on the machine weighs on both sides of it alike.
            bare_runs, group = [], []
            for name, path, headers in [*reads[1:], (write_name, None, patch_headers)]:
                bare = run_load(HOST, port, _getter(BARE, {}), clients=clients, seconds=seconds / 2)
                bare_runs.append(bare)
                if path is None:
                    make = _rater([f"{api}/{pid}/outcomes/{code}" for code in codes], headers)
                else:
                    make = _getter(path, headers)
                result = run_load(HOST, port, make, clients=clients, seconds=seconds)
                bare_rps = bare.summary()["rps"]
                row = {"name": name, **result.summary(), "bare_rps": bare_rps}
                row["vs_bare"] = round(row["rps"] / bare_rps, 3) if bare_rps else 0.0
                group.append(row)
                print(
                    f"  {clients:>2} clients  {name}: {row['rps']} req/s (bare {bare_rps})",
                    file=sys.stderr,
                )
            rows.append({"name": BARE_NAME, **_merged(bare_runs).summary(), "vs_bare": 1.0})
            rows.extend(group)
        loaded = memory.per_worker()
        memory.stop()
        workers = len(loaded)
        log = (data_dir / "server.log").read_text()
    print(
        json.dumps(
            {
                "workers": workers,
                "threads": int(os.environ.get("CSFPILOT_THREADS", "4")),
                "seconds_per_run": seconds,
                "first_start_s": round(first_start.seconds, 2),
                "cold_start_s": round(cold_start.seconds, 2),
                "cold_start_cpu_s": round(cold_start.cpu_seconds, 2),
                "idle_workers": idle,
                "loaded_workers": loaded,
                "peak_rss_mb": round(memory.peak_mb, 1),
                "database_locked": log.count("database is locked"),
                # Other work on the machine skews every figure; it is recorded beside them.
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "rows": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
