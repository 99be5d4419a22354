"""A bounded HTTP load generator: N clients on keep-alive connections for a fixed time.

Each client is a thread with its own ``http.client`` connection, sending its next
request as soon as the previous answer is read (a closed loop, so the load is
bounded by the number of clients). Latency is measured around each request by
the client, so it includes the network stack and the server's queueing.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# A client's next request: (method, path, headers, body) from its own state.
Request = tuple[str, str, dict[str, str], bytes | None]


class Client:
    """One simulated user: builds requests and reads answers (subclass for state)."""

    def __init__(self, method: str, path: str, headers: dict[str, str]) -> None:
        self.method, self.path, self.headers = method, path, headers

    def prepare(self, conn: http.client.HTTPConnection) -> None:
        """Set-up before the timed loop (e.g. read a version to send)."""

    def next_request(self) -> Request:
        return self.method, self.path, self.headers, None

    def answered(self, status: int, body: bytes) -> bool:
        """Whether the answer is a success; may update the client's state."""
        return status == 200


@dataclass
class LoadResult:
    clients: int
    seconds: float
    requests: int
    errors: int
    latencies_ms: list[float] = field(repr=False)

    def summary(self) -> dict[str, float | int]:
        ordered = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            if not ordered:
                return 0.0
            return round(ordered[min(len(ordered) - 1, round(p * len(ordered)) - 1)], 2)

        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "errors": self.errors,
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(ordered), 2) if ordered else 0.0,
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
        }


def run_load(
    host: str,
    port: int,
    make_client: Callable[[int], Client],
    *,
    clients: int,
    seconds: float,
    warmup: float = 1.0,
) -> LoadResult:
    """Run ``clients`` closed-loop clients for ``seconds`` after ``warmup`` seconds."""
    ready = threading.Barrier(clients + 1)
    go = threading.Event()
    lock = threading.Lock()
    latencies: list[float] = []
    counts = {"requests": 0, "errors": 0}
    window: dict[str, float] = {}

    def worker(index: int) -> None:
        client = make_client(index)
        conn = http.client.HTTPConnection(host, port, timeout=30)
        client.prepare(conn)
        mine: list[float] = []
        errors = 0
        ready.wait()
        go.wait()
        begin, end = window["begin"], window["end"]
        while True:
            method, path, headers, body = client.next_request()
            sent = time.perf_counter()
            if sent >= end:
                break
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                ok = client.answered(response.status, payload)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                ok = False
            done = time.perf_counter()
            if sent >= begin:
                mine.append((done - sent) * 1000)
                errors += not ok
        conn.close()
        with lock:
            latencies.extend(mine)
            counts["requests"] += len(mine)
            counts["errors"] += errors

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    ready.wait()  # every client has connected and prepared
    now = time.perf_counter()
    window["begin"] = now + warmup
    window["end"] = now + warmup + seconds
    go.set()
    for t in threads:
        t.join()
    return LoadResult(clients, seconds, counts["requests"], counts["errors"], latencies)
