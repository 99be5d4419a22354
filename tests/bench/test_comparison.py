"""The like-for-like comparison with the peer, and a run printed against a published one."""

from __future__ import annotations

import json
from pathlib import Path

from bench.comparison import client_section, client_table, compare_lines

PEER = json.loads((Path(__file__).parents[2] / "bench" / "peer-ciso-assistant.json").read_text())


def _entry(scores_ms: float = 2.5, rps: float = 300.0) -> dict:
    def row(key: str, client: float, server: float) -> dict:
        return {
            "key": key,
            "name": key,
            "unit": "ms",
            "runs": 200,
            "client_median_ms": client,
            "client_p95_ms": client * 2,
            "server_median_ms": server,
        }

    return {
        "workers": 1,
        "threads": 4,
        "cold_start_s": 0.9,
        "memory_idle_mb": 180.0,
        "memory_reports_mb": 400.0,
        "load_average": [0.5, 0.4, 0.3],
        "load_average_before": [0.2, 0.3, 0.3],
        "rows": [
            row("patch", 6.0, 4.0),
            row("scores", scores_ms, 1.5),
            {
                "key": "load",
                "name": "8 clients × 20 s on the score summary",
                "unit": "req/s",
                "rps": rps,
            },
        ],
    }


def _run(**kw: float) -> dict:
    return {
        "when": "2026-12-06 18:00 UTC",
        "machine": "x86_64, 2 cores",
        "commit": "abc1234",
        "organizations": 1000,
        "seed": 6,
        "databases": {"SQLite": {"1 worker": _entry(**kw)}},
    }


def _rows(lines: list[str]) -> dict[str, str]:
    return {line.split(" | ")[0].lstrip("| "): line for line in lines if line.startswith("| ")}


def test_client_figures_are_divided_into_the_peers_and_server_time_stays_apart():
    rows = _rows(client_table(_run(), PEER))
    # 28.3 ms over 2.5 ms: 11.3×; server time is its own column, not in the ratio.
    assert rows["scores"] == "| scores | 28.3 ms | 2.5 ms | 11.3× | yes | 1.5 ms |"
    assert rows["patch"] == "| patch | 57.4 ms | 6 ms | 9.6× | no | 4 ms |"
    # Requests/s: ours over the peer's.
    assert rows["8 clients × 20 s on the score summary"].endswith(
        "| 27.1 req/s | 300.0 req/s | 11.1× | yes |  |"
    )
    assert rows["cold start to the first authenticated answer"].endswith(
        "| 3.1 s | 0.9 s | 3.4× | no |  |"
    )


def test_every_published_figure_names_machine_date_commit_and_load():
    text = "\n".join(client_section(_run(), PEER))
    for needed in ("2026-12-06 18:00 UTC", "x86_64, 2 cores", "abc1234", "0.2, 0.3, 0.3"):
        assert needed in text
    assert "f990d7b" in text and "issue #17" in text


def test_a_run_is_printed_against_a_published_one_with_regressions_marked():
    lines = compare_lines(_run(scores_ms=4.0, rps=200.0), _run())
    scores = next(line for line in lines if line.strip().startswith("scores"))
    assert "2.5 ms" in scores and "4 ms" in scores and "1.60× !" in scores
    load = next(line for line in lines if line.strip().startswith("8 clients"))
    assert "0.67× !" in load
    patch = next(line for line in lines if line.strip().startswith("patch"))
    assert patch.endswith("1.00×")


def test_memory_is_also_shown_with_shared_pages_counted_once():
    run = _run()
    entry = run["databases"]["SQLite"]["1 worker"]
    assert not any("proportional" in line for line in client_table(run, PEER))
    entry["memory_idle_pss_mb"] = {"main": 40.0, "worker": 60.5, "report process": 80.0}
    entry["memory_reports_pss_mb"] = {"main": 40.0, "worker": 70.0, "report process": 120.0}
    (note,) = [line for line in client_table(run, PEER) if "proportional" in line]
    assert "180.5 MB after the interactive rows (main 40, worker 60.5, report process 80)" in note
    assert "230.0 MB after the reports" in note
