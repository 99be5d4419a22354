"""The comparison with the peer: our figures read from a run, the aim checked for each."""

from __future__ import annotations

from bench.comparison import comparison_section


def _run() -> dict:
    profiles = [
        {"name": "open a profile right after a rating changed (API)", "median_ms": 7.0},
        {"name": "open a profile: all 106 outcomes (API)", "median_ms": 2.0},
        {"name": "questionnaire page (one outcome)", "median_ms": 20.0},
        {"name": "save one rating (API PATCH)", "median_ms": 5.0},
        {"name": "scores right after a rating changed (API)", "median_ms": 6.0},
        {"name": "scores (API)", "median_ms": 2.5},
    ]
    http = {
        "workers": 2,
        "cold_start_s": 1.2,
        "loaded_workers": [{"rss_mb": 120.0}, {"rss_mb": 131.5}],
        "rows": [
            {"name": "open a profile: 106 outcomes (API)", "clients": 8, "rps": 500.0},
            {"name": "open a profile: 106 outcomes (API)", "clients": 32, "rps": 900.0},
            {"name": "profile page", "clients": 8, "rps": 90.0},
        ],
    }
    return {"organizations": 1000, "databases": {"SQLite": {"profiles": profiles, "http": http}}}


def test_each_figure_is_compared_with_the_peers_and_the_aim_is_checked():
    lines = comparison_section(_run())
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines if line.startswith("| ")}
    assert rows["save one rating"] == "| save one rating | 46 ms | 5 ms | 9.2× | no |"
    assert rows["score summary (ours: read again)"].endswith("| 2.5 ms | 10.8× | yes |")
    # Throughput is per worker, at 8 clients: 500 req/s over 2 workers.
    assert rows["requests/s per worker, opening a profile (8 clients)"].endswith(
        "| 34 req/s | 250 req/s | 7.4× | no |"
    )
    assert rows["memory per worker (resident)"].endswith("| 131.5 MB | 2.7× | no |")
    assert rows["DOCX report"] == "| DOCX report | 1800 ms | not measured | | |"


def test_a_run_without_sqlite_has_no_comparison():
    assert comparison_section({"databases": {"PostgreSQL": {}}}) == []
