"""The comparison with the strongest open-source peer, read off a run's SQLite results.

The peer's figures are the ones reported for it on a machine like this one
(2 cores, SQLite, its own production server, one worker); they are not
measured here. Ours are this bench's, on SQLite with 1,000 organizations.
The product aims to be at least ten times better on each.
"""

from __future__ import annotations

from typing import Any

AIM = 10.0

# (what, the peer's figure, unit, where ours comes from: (suite, row name), or a key of
# the HTTP results; "lower" when less is better).
PEER: list[tuple[str, float, str, tuple[str, str] | str, bool]] = [
    (
        "open an assessment's outcome list (ours: right after a change)",
        273.0,
        "ms",
        ("profiles", "open a profile right after a rating changed (API)"),
        True,
    ),
    (
        "open an assessment's outcome list (ours: read again)",
        273.0,
        "ms",
        ("profiles", "open a profile: all 106 outcomes (API)"),
        True,
    ),
    (
        "a whole assessment page (theirs: its API calls; ours: the questionnaire page)",
        1250.0,
        "ms",
        ("profiles", "questionnaire page (one outcome)"),
        True,
    ),
    ("save one rating", 46.0, "ms", ("profiles", "save one rating (API PATCH)"), True),
    (
        "score summary (ours: right after a change)",
        27.0,
        "ms",
        ("profiles", "scores right after a rating changed (API)"),
        True,
    ),
    ("score summary (ours: read again)", 27.0, "ms", ("profiles", "scores (API)"), True),
    ("DOCX report", 1800.0, "ms", ("reports", "brief as DOCX"), True),
    ("start to the first answer", 2.4, "s", "cold_start_s", True),
    ("memory per worker (resident)", 360.0, "MB", "worker_rss_mb", True),
    (
        "requests/s per worker, opening a profile (8 clients)",
        34.0,
        "req/s",
        "open_rps_per_worker",
        False,
    ),
    (
        "requests/s per worker, the profile page (8 clients)",
        34.0,
        "req/s",
        "page_rps_per_worker",
        False,
    ),
]


def _row(rows: list[dict], name: str, clients: int | None = None) -> dict | None:
    for r in rows:
        if r["name"] == name and (clients is None or r.get("clients") == clients):
            return r
    return None


def _http_figures(http: dict) -> dict[str, float]:
    workers = max(1, http.get("workers", 1))
    out = {"cold_start_s": http["cold_start_s"]}
    out["worker_rss_mb"] = max(w["rss_mb"] for w in http["loaded_workers"])
    for key, name in (
        ("open_rps_per_worker", "open a profile: 106 outcomes (API)"),
        ("page_rps_per_worker", "profile page"),
    ):
        found = _row(http["rows"], name, 8)
        if found is not None:
            out[key] = round(found["rps"] / workers, 1)
    return out


def _ours(entry: dict, source: tuple[str, str] | str) -> float | None:
    if isinstance(source, str):
        return _http_figures(entry["http"]).get(source) if "http" in entry else None
    suite, name = source
    rows = entry.get(suite)
    found = _row(rows, name) if isinstance(rows, list) else None
    return None if found is None else found["median_ms"]


def comparison_section(run: dict[str, Any]) -> list[str]:
    entry = run["databases"].get("SQLite")
    if entry is None:
        return []
    lines = [
        "## Compared with the strongest open-source peer\n",
        "The peer's figures were measured on a machine like this one (2 cores, SQLite, its own "
        "production server, one worker) and are not re-measured here; ours are the SQLite "
        f"results below with {run.get('organizations', 1000):,} organizations (server time, "
        "median; requests/s per gunicorn worker process). The aim is ten times better on "
        "each.\n",
        "| | peer | csfpilot | better by | aim (10×) met |",
        "|---|---|---|---|---|",
    ]
    for what, peer, unit, source, lower in PEER:
        ours = _ours(entry, source)
        if ours is None:
            lines.append(f"| {what} | {peer:g} {unit} | not measured | | |")
            continue
        factor = (peer / ours if lower else ours / peer) if ours else float("inf")
        lines.append(
            f"| {what} | {peer:g} {unit} | {ours:g} {unit} | {factor:.1f}× | "
            f"{'yes' if factor >= AIM else 'no'} |"
        )
    lines.append("")
    return lines
