"""Server-side timing of requests, read from the app's Server-Timing header."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass

_DUR = re.compile(r"app;dur=([0-9.]+)")


@dataclass
class Timing:
    name: str
    median_ms: float
    p95_ms: float
    runs: int

    def row(self) -> dict[str, object]:
        return {
            "name": self.name,
            "median_ms": self.median_ms,
            "p95_ms": self.p95_ms,
            "runs": self.runs,
        }


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
    samples = sorted(reader(call()) for _ in range(runs))
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    return Timing(name, round(statistics.median(samples), 2), round(p95, 2), runs)
