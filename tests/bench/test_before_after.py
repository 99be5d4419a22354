"""The before/after report: each row's server and CPU time on both sides, and the load."""

from __future__ import annotations

import time

from bench.report import before_after_section
from bench.timing import measure


def test_the_section_shows_both_sides_the_gain_and_the_load():
    data = {
        "label": "the answer cache",
        "suite": "profiles",
        "when": "2026-12-06 12:30 UTC",
        "machine": "x86_64, 2 cores, Python 3.11.7",
        "database": "SQLite",
        "organizations": 1000,
        "seed": 6,
        "before": "534848a",
        "after": "1fc9275",
        "turns": 2,
        "load_averages": [[9.5, 8.0, 7.0], [12.25, 9.0, 8.0]],
        "rows": [
            {
                "name": "dashboard page",
                "before_median_ms": 40.0,
                "after_median_ms": 10.0,
                "before_cpu_median_ms": 20.0,
                "after_cpu_median_ms": 8.0,
            },
            {
                "name": "new row",
                "before_median_ms": None,
                "after_median_ms": 5.0,
                "before_cpu_median_ms": None,
                "after_cpu_median_ms": 4.0,
            },
        ],
    }
    text = "\n".join(before_after_section(data, "before-after-profiles.json"))
    assert text.startswith("## Before and after: the answer cache")
    assert "commit 534848a (before) and 1fc9275 (after)" in text
    assert "load average was 9.5 to 12.25" in text
    assert "| dashboard page | 40.0 ms | 10.0 ms | 4.0× | 20.0 ms | 8.0 ms | 2.5× |" in text
    assert "| new row | — | 5.0 ms | — | — | 4.0 ms | — |" in text


class _Answer:
    def get(self, name, default=""):
        return "app;dur=1.5"


def test_measure_notes_the_cpu_time_of_each_request():
    def busy():
        end = time.thread_time() + 0.002
        while time.thread_time() < end:
            pass
        return _Answer()

    row = measure("busy", busy, runs=5, warmup=1).row()
    assert row["median_ms"] == 1.5
    assert row["cpu_median_ms"] >= 2.0
