"""Write docs/benchmarks.md from a results dictionary."""

from __future__ import annotations

from pathlib import Path

TARGETS = {
    "import": "full import under 2 s",
    "pages": "catalog pages under 20 ms median server time, search under 50 ms",
    "profiles": "each under 30 ms median server time with 1,000 organizations",
}

HEAD = """# Benchmarks

Run them with `make bench` (or `.venv/bin/python -m bench`; `--sqlite` skips PostgreSQL).
Each suite runs in a fresh process on a fresh database. Times for pages and API calls are
**server time** (the app's `Server-Timing` header), median and 95th percentile over 50
requests after 5 warm-up requests. The import is NIST's shipped files (CSF 2.0 Core and
examples, CSF 1.1, SP 800-53 Rev. 5 with four baselines, nine crosswalk datasets) read and
stored into an empty database, median of three cold runs; memory is the process's peak
resident set.

Targets on a 2-core machine: {targets}.

These are the latest results, written by the benchmark itself.
"""


def write_doc(results: dict, path: Path) -> None:
    lines = [HEAD.format(targets="; ".join(TARGETS.values()))]
    lines.append(f"Measured {results['when']} on {results['machine']}.\n")
    for db, entry in results["databases"].items():
        lines.append(f"## {db}\n")
        imp = entry["import"]
        lines.append("| full import | read files | store | total | peak memory |")
        lines.append("|---|---|---|---|---|")
        lines.append(
            f"| NIST's shipped files | {imp['read_s']} s | {imp['store_s']} s | "
            f"{imp['total_s']} s | {imp['peak_rss_mb']} MB |\n"
        )
        for suite, rows in entry.items():
            if suite == "import":
                continue
            lines.append(f"| {suite} | median | p95 |")
            lines.append("|---|---|---|")
            for r in rows:
                lines.append(f"| {r['name']} | {r['median_ms']} ms | {r['p95_ms']} ms |")
            lines.append("")
    path.write_text("\n".join(lines))
