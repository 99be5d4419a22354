"""What a user's client sees: wall time over loopback, like for like with the peer.

Measured the way the peer's figures were (bench/peer-ciso-assistant.json): against the
production server (``csfpilot serve``, here with ``--workers N``), each request on a new
TCP connection (connect, send, read the whole answer, close), one after another, the
median of a fixed number of repetitions after a few warm-up requests. The load row is 8
clients for 20 s on the score summary, each request again on a new connection. The
server's own time (its ``Server-Timing`` header, the whole middleware stack included) is
kept beside each figure as a second, labelled column: the gap between the two is the
network stack, the HTTP server and the client.

The data set is the bench's (bench/dataset.py); the demo organization's profile is the
one measured, through an owner's API token.

Usage: python -m bench.client DATABASE_URL|- [--workers N] [--quick] [--orgs N] [--seed S]
       [--data SAVED]  → JSON on stdout's last line.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.dataset import prepare, suite_arguments
from bench.environment import configure
from bench.http_load import HOST, _credentials, _free_port
from bench.timing import _DUR

LEVELS = ("partially", "largely")
# What the profile page asks the API for when it opens, one call after another.
PAGE_CALLS = ("", "/tiers", "/outcomes", "/progress", "/scores", "/gaps", "/actions")


@dataclass
class Answer:
    status: int
    body: bytes
    client_ms: float
    server_ms: float | None


def request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> Answer:
    """One request on a new connection, timed from connect to the last byte read."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        conn.request(method, path, body=body, headers={**headers, "Connection": "close"})
        response = conn.getresponse()
        payload = response.read()
    finally:
        conn.close()
    elapsed = (time.perf_counter() - started) * 1000
    found = _DUR.search(response.getheader("Server-Timing") or "")
    return Answer(response.status, payload, elapsed, float(found.group(1)) if found else None)


@dataclass
class Row:
    key: str
    name: str
    runs: int
    client: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)

    def out(self) -> dict[str, object]:
        def med(xs: list[float]) -> float | None:
            return round(statistics.median(xs), 2) if xs else None

        return {
            "key": self.key,
            "name": self.name,
            "unit": "ms",
            "runs": self.runs,
            "client_median_ms": med(self.client),
            "client_p95_ms": round(sorted(self.client)[int(0.95 * (len(self.client) - 1))], 2),
            "server_median_ms": med(self.server),
        }


def timed(key: str, name: str, runs: int, warmup: int, call: Callable[[], list[Answer]]) -> Row:
    """``call()`` ``warmup`` times, then ``runs`` times; each call's answers are summed."""
    row = Row(key, name, runs)
    for i in range(warmup + runs):
        answers = call()
        for a in answers:
            if a.status not in (200, 201):
                raise SystemExit(f"{name}: answered {a.status}: {a.body[:300]!r}")
        if i >= warmup:
            row.client.append(sum(a.client_ms for a in answers))
            if all(a.server_ms is not None for a in answers):
                row.server.append(sum(a.server_ms for a in answers))  # type: ignore[misc]
    return row


def load(port: int, path: str, headers: dict[str, str], clients: int, seconds: float) -> dict:
    """``clients`` closed-loop clients, a new connection per request, for ``seconds``."""
    counts = [0] * clients
    errors = [0] * clients
    latencies: list[list[float]] = [[] for _ in range(clients)]
    end = time.perf_counter() + seconds

    def work(i: int) -> None:
        while time.perf_counter() < end:
            try:
                a = request(port, "GET", path, headers)
            except OSError:
                errors[i] += 1
                continue
            counts[i] += 1
            errors[i] += a.status != 200
            latencies[i].append(a.client_ms)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = sorted(x for xs in latencies for x in xs)
    return {
        "key": "load",
        "name": f"{clients} clients × {seconds:g} s on the score summary",
        "unit": "req/s",
        "clients": clients,
        "seconds": seconds,
        "requests": sum(counts),
        "errors": sum(errors),
        "rps": round(sum(counts) / seconds, 1),
        "p50_ms": round(statistics.median(flat), 2) if flat else None,
        "p95_ms": round(flat[int(0.95 * (len(flat) - 1))], 2) if flat else None,
    }


def _rss_mb(pid: int) -> float:
    root = psutil.Process(pid)
    return round(sum(p.memory_info().rss for p in [root, *root.children(True)]) / 2**20, 1)


def _shared_once_mb(pid: int) -> dict[str, float]:
    """Each process's proportional set size (PSS): a page shared by the forked workers and
    their parent counted once across them, where the resident sizes count it in each."""
    root = psutil.Process(pid)
    out: dict[str, float] = {}
    for i, p in enumerate([root, *root.children(True)]):
        command = " ".join(p.cmdline())
        if i == 0:
            role = "main"
        elif "resource_tracker" in command:
            role = "multiprocessing's resource tracker"
        else:
            role = "worker" if p.ppid() == root.pid else "report process"
        name = role if role not in out else f"{role} {i}"
        out[name] = round(p.memory_full_info().pss / 2**20, 1)
    return out


@contextmanager
def server(
    data_dir: Path, workers: int | None, probe: tuple[str, dict[str, str]]
) -> Iterator[tuple[int, float, subprocess.Popen]]:
    """``csfpilot serve``; yields its port and the seconds to the first authenticated answer."""
    port = _free_port()
    args = [sys.executable, "-m", "csfpilot", "serve", "--no-demo", "--no-worker"]
    args += ["--port", str(port)] + (["--workers", str(workers)] if workers else [])
    log = (data_dir / f"client-{workers or 'default'}.log").open("w")
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    path, headers = probe
    try:
        while True:
            try:
                if request(port, "GET", path, headers).status == 200:
                    break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(f"csfpilot serve did not start: see {log.name}") from None
                time.sleep(0.005)
        yield port, time.perf_counter() - started, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def main() -> None:
    parser = suite_arguments("python -m bench.client")
    parser.add_argument("--workers", type=int, default=1, help="0: serve's default")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, 5 s of load")
    args = parser.parse_args()
    url = None if args.database_url == "-" else args.database_url
    data_dir = configure(url)
    from django.db import connections

    data = prepare(url, args.orgs, args.seed, args.data)
    token, _session = _credentials(data.user)
    slug, pid = data.profile.organization.slug, data.profile.pk
    framework = data.profile.framework.key
    connections.close_all()

    api = f"/api/organizations/{slug}/profiles"
    auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    send = {**auth, "Content-Type": "application/json"}
    runs, report_runs = (50, 5) if args.quick else (200, 20)
    seconds = 5.0 if args.quick else 20.0
    code = "PR.AA-01"
    version = {"v": 0}

    def get(path: str) -> Callable[[], list[Answer]]:
        return lambda: [request(port, "GET", path, auth)]

    def patch() -> list[Answer]:
        body = {"version": version["v"], "current": LEVELS[version["v"] % 2]}
        a = request(port, "PATCH", f"{api}/{pid}/outcomes/{code}", send, json.dumps(body).encode())
        if a.status == 200:
            version["v"] = json.loads(a.body)["version"]
        return [a]

    def after_change() -> list[Answer]:
        patch()  # not timed: only the read that follows it
        return [request(port, "GET", f"{api}/{pid}/outcomes", auth)]

    made = iter(range(10**6))

    def create() -> list[Answer]:
        body = {"name": f"Bench profile {next(made)}", "framework": framework}
        return [request(port, "POST", api, send, json.dumps(body).encode())]

    def page_calls() -> list[Answer]:
        return [request(port, "GET", f"{api}/{pid}{suffix}", auth) for suffix in PAGE_CALLS]

    def report(fmt: str) -> Callable[[], list[Answer]]:
        return get(f"{api}/{pid}/reports/brief?format={fmt}")

    # The first start collects the static files: not what a restart costs.
    with server(data_dir, args.workers or None, (f"{api}/{pid}/scores", auth)):
        pass
    with server(data_dir, args.workers or None, (f"{api}/{pid}/scores", auth)) as (
        port,
        cold,
        proc,
    ):
        version["v"] = json.loads(request(port, "GET", f"{api}/{pid}/outcomes/{code}", auth).body)[
            "version"
        ]
        workers = len(psutil.Process(proc.pid).children(recursive=True))
        rows = [
            timed("outcomes", "all 106 outcome results", runs, 10, get(f"{api}/{pid}/outcomes")),
            timed("outcomes_after_change", "the same right after a change", runs, 5, after_change),
            timed(
                "page_calls",
                "the profile page's API calls, in sequence (" + ", ".join(PAGE_CALLS[1:]) + ")",
                runs // 4,
                3,
                page_calls,
            ),
            timed("patch", "save one rating (PATCH)", runs, 10, patch),
            timed("scores", "score summary", runs, 10, get(f"{api}/{pid}/scores")),
            timed("progress", "progress counts", runs, 10, get(f"{api}/{pid}/progress")),
            timed("gaps", "gap analysis", runs, 10, get(f"{api}/{pid}/gaps")),
            timed("create", "create a profile", runs // 2, 5, create),
        ]
        idle_mb, idle_pss = _rss_mb(proc.pid), _shared_once_mb(proc.pid)
        rows += [
            timed("xlsx", "XLSX export (brief)", report_runs, 2, report("xlsx")),
            timed("docx", "DOCX (brief)", report_runs, 2, report("docx")),
            timed("html", "HTML report (brief)", report_runs, 2, report("html")),
            timed("pdf", "PDF (brief)", report_runs, 2, report("pdf")),
        ]
        after_reports_mb, reports_pss = _rss_mb(proc.pid), _shared_once_mb(proc.pid)
        load_row = load(port, f"{api}/{pid}/scores", auth, 8, seconds)
    print(
        json.dumps(
            {
                "workers": workers,
                "threads": int(os.environ.get("CSFPILOT_THREADS", "4")),
                "cold_start_s": round(cold, 2),
                "memory_idle_mb": idle_mb,
                "memory_reports_mb": after_reports_mb,
                "memory_idle_pss_mb": idle_pss,
                "memory_reports_pss_mb": reports_pss,
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "rows": [r.out() for r in rows] + [load_row],
            }
        )
    )


if __name__ == "__main__":
    main()
