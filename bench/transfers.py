"""A full assessment transferred across crosswalks, in this process, no database.

    python -m bench.transfers              # writes bench/results/transfers.json and the doc
    python -m bench.transfers --runs 10

The profile is bench/reports.py's: all 106 CSF 2.0 outcomes rated on both sides.
Each row times :func:`csfpilot.core.crosswalks.transfer_profile` (route already
found, datasets already read, as a server holds them): CSF 2.0 → SP 800-53 Rev. 5
through NIST's crosswalk; the resulting 800-53 draft back to CSF 2.0; and CSF 2.0
→ SP 800-53 through a chain of two datasets (CSF 1.1 withdrawals, then NIST's
CSF 1.1 → SP 800-53 mappings). Also timed: finding the route among the shipped
datasets, and building the draft profile (``apply_transfer``). Median and slowest
of N runs (CPU time of this process beside wall time, since the machine is
shared). Target: a full transfer under 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.reports import full_profile
from csfpilot.core.crosswalks import (
    apply_transfer,
    find_route,
    route_through,
    transfer_profile,
)
from csfpilot.core.profiles import Profile
from csfpilot.formats.native.reference import (
    bundled_crosswalks,
    bundled_framework_keys,
    bundled_reference,
)

RESULTS = Path(__file__).resolve().parent / "results" / "transfers.json"
TARGET_MS = 200


def _time(name: str, call: Callable[[], object], runs: int) -> dict[str, object]:
    call()  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        call()
        cpus.append((time.process_time() - c) * 1000)
        walls.append((time.perf_counter() - w) * 1000)
    return {
        "name": name,
        "median_ms": round(statistics.median(walls), 1),
        "max_ms": round(max(walls), 1),
        "cpu_median_ms": round(statistics.median(cpus), 1),
        "runs": runs,
    }


def measure(runs: int) -> dict[str, object]:
    profile, _ = full_profile()
    sets = bundled_crosswalks()
    outcomes = {
        k: frozenset(bundled_reference(k).framework.outcomes)
        for k in bundled_framework_keys()
        if k in ("csf-2.0", "csf-1.1", "sp800-53r5", "cis-v8.1", "iso27001-2022")
    }
    controls = bundled_reference("sp800-53r5").framework
    csf = bundled_reference("csf-2.0").framework
    forward = find_route(sets, "csf-2.0", "sp800-53r5", outcomes=outcomes)
    back = find_route(sets, "sp800-53r5", "csf-2.0", outcomes=outcomes)
    chain = route_through(
        sets, "csf-2.0", "sp800-53r5", ["csf-1.1-to-csf-2.0-withdrawals", "csf-1.1-sp800-53r5"]
    )
    there = transfer_profile(profile, forward, target_framework=controls)
    draft = apply_transfer(there, Profile(name="Draft", framework="sp800-53r5"))
    rows = [
        _time(
            "route found among the shipped datasets (CSF 2.0 → SP 800-53)",
            lambda: find_route(sets, "csf-2.0", "sp800-53r5", outcomes=outcomes),
            runs,
        ),
        _time(
            f"CSF 2.0 → SP 800-53 ({len(profile.outcomes)} outcomes, {forward.dataset_keys[0]})",
            lambda: transfer_profile(profile, forward, target_framework=controls),
            runs,
        ),
        _time(
            f"draft built from {len(there.proposals)} proposals (apply_transfer)",
            lambda: apply_transfer(there, Profile(name="Draft", framework="sp800-53r5")),
            runs,
        ),
        _time(
            f"SP 800-53 draft ({len(draft.outcomes)} controls) → CSF 2.0",
            lambda: transfer_profile(draft, back, target_framework=csf),
            runs,
        ),
        _time(
            "CSF 2.0 → SP 800-53 through two datasets (via CSF 1.1)",
            lambda: transfer_profile(profile, chain, target_framework=controls),
            runs,
        ),
    ]
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load_average": round(os.getloadavg()[0], 2),
        "proposals": {"to_sp800_53": len(there.proposals)},
        "rows": rows,
    }


def section(data: dict) -> list[str]:
    """The "Transfers across frameworks" section of docs/benchmarks.md."""
    lines = [
        "## Transfers across frameworks (standalone runs)\n",
        "`python -m bench.transfers` (bench/results/transfers.json): a full CSF 2.0 "
        "assessment (106 outcomes rated on both sides) transferred to SP 800-53 Rev. 5 and "
        "back, and through a chain of two datasets, in one process without a database (the "
        "datasets already read, as a server keeps them). Median and slowest of "
        f"{data['rows'][0]['runs']} runs; CPU time beside wall time. Target: a full transfer "
        f"under {TARGET_MS} ms. Measured {data['when']} on {data['machine']}, load average "
        f"{data['load_average']} at the start.\n",
        "| what | median | slowest | CPU median | target met |",
        "|---|---|---|---|---|",
    ]
    for r in data["rows"]:
        met = "yes" if r["median_ms"] < TARGET_MS else "no"
        lines.append(
            f"| {r['name']} | {r['median_ms']} ms | {r['max_ms']} ms | "
            f"{r['cpu_median_ms']} ms | {met} |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    data = measure(args.runs)
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
    from bench.__main__ import DOC
    from bench.report import write_doc

    write_doc(DOC)
    print("\n".join(section(data)))


if __name__ == "__main__":
    main()
