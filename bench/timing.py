"""Server-side timing of requests, read from the app's Server-Timing header.

Beside it, each request's CPU time in the measuring thread (the app and, on SQLite,
the database work in it; not PostgreSQL's server process): on a machine that others
share, server time grows with their load while CPU time stays the work done.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

_DUR = re.compile(r"app;dur=([0-9.]+)")


@dataclass
class Timing:
    name: str
    median_ms: float
    p95_ms: float
    runs: int
    cpu_median_ms: float | None = None

    def row(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "median_ms": self.median_ms,
            "p95_ms": self.p95_ms,
            "runs": self.runs,
        }
        if self.cpu_median_ms is not None:
            out["cpu_median_ms"] = self.cpu_median_ms
        return out


def server_ms(response) -> float:
    m = _DUR.search(response.get("Server-Timing", ""))
    if not m:
        raise RuntimeError("response has no Server-Timing header")
    return float(m.group(1))


def measure(
    name: str,
    call: Callable[[], object],
    *,
    runs: int = 50,
    warmup: int = 5,
    reader: Callable[[object], float] = server_ms,
) -> Timing:
    for _ in range(warmup):
        call()
    samples, cpu = [], []
    for _ in range(runs):
        started = time.thread_time()
        response = call()
        cpu.append((time.thread_time() - started) * 1000)
        samples.append(reader(response))
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    return Timing(
        name,
        round(statistics.median(samples), 2),
        round(p95, 2),
        runs,
        round(statistics.median(cpu), 2),
    )
