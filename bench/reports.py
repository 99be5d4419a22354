"""Report generation for a full profile, per format: median of N runs, in this process.

The profile holds all 106 CSF 2.0 outcomes, each rated on both sides with a
rationale, practices, references, evidence, an owner and notes; 40 actions;
and three earlier snapshots for the trend — a large real assessment. Each row
times what a download does: build the report model from the domain objects,
then render the format; the slowest run is reported as p95. Targets: HTML, XLSX
and Markdown under 1 s; PDF under 5 s (on a 2-core machine).

    python -m bench.reports            # prints the rows; writes bench/results/reports.json
    python -m bench.reports - --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from csfpilot.core.profiles import (
    STATUS,
    Action,
    ActionStatus,
    Implementation,
    OutcomeEntry,
    Priority,
    Profile,
    Tier,
    TierRating,
    Tiers,
)
from csfpilot.formats.native.reference import bundled_reference
from csfpilot.reports.model import Provenance, build_report
from csfpilot.reports.render import FORMATS, render

RESULTS = Path(__file__).resolve().parent / "results" / "reports.json"
TARGETS_S = {"html": 1.0, "xlsx": 1.0, "md": 1.0, "pdf": 5.0, "docx": 1.0}


def full_profile() -> tuple[Profile, list[Profile]]:
    ref = bundled_reference()
    rng = random.Random(7)
    applicable = [lv for lv in STATUS.levels if lv.applicable]
    entries = {}
    for i, code in enumerate(ref.framework.outcomes):
        cur = rng.randrange(len(applicable))
        tgt = min(len(applicable) - 1, cur + rng.randrange(3))
        entries[code] = OutcomeEntry(
            code,
            rationale=f"Why {code} matters here: regulated patient data and 24/7 operations.",
            priority=rng.choice(list(Priority)),
            current=applicable[cur],
            target=applicable[tgt],
            owner=rng.choice(["CISO", "IT operations", "Security analyst", "Facilities"]),
            notes=f"Reviewed with the process owner; follow-up {i % 7 + 1} weeks.",
            current_details=Implementation(
                policies="Information security policy v3, section 4",
                practices="Quarterly review by the security team; exceptions logged in the ITSM.",
                roles="CISO (accountable); IT operations (responsible)",
                references=("SP 800-53 Rev. 5: AC-2", "ISO/IEC 27001:2022: A.5.15"),
                evidence=(f"https://intranet.example/evidence/{code}", "Audit report 2025-Q3"),
            ),
            target_details=Implementation(practices="Automated monthly checks with alerts."),
        )
    actions = tuple(
        Action(
            id=f"A-{n:03d}",
            title=f"Close the gap on {code}",
            outcomes=(code,),
            owner="CISO",
            due=date(2026, 1, 1) + timedelta(days=15 * n),
            status=list(ActionStatus)[n % 4],
            controls=("AC-2", "AC-3"),
        )
        for n, code in enumerate(ref.framework.outcomes[:40], start=1)
    )
    tiers = Tiers(
        TierRating(Tier(2), Tier(3), "Approved by management.", "Board-approved policy."),
        TierRating(Tier(1), Tier(3), "Ad hoc.", "Organization-wide risk register."),
    )
    profile = Profile(name="Full assessment", outcomes=entries, actions=actions, tiers=tiers)
    history = []
    for q in range(3):
        lower = profile
        for code in ref.framework.outcomes[q * 20 : q * 20 + 30]:
            e = lower.outcomes[code]
            i = applicable.index(e.current)
            lower = lower.with_entry(replace(e, current=applicable[max(0, i - 1)]))
        history.append(lower.snapshot_of(datetime(2025, 3 + 3 * q, 1, tzinfo=UTC), f"Q{q + 1}"))
    return profile, history


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("url", nargs="?", default="-", help="unused: reports need no database")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ref = bundled_reference()
    info = ref.catalog.info
    provenance = Provenance(
        info.key, info.name, info.version, info.publisher, info.source_file, info.source_sha256
    )
    profile, history = full_profile()

    def make(kind: str, fmt: str) -> bytes:
        report = build_report(
            profile,
            ref.framework,
            kind=kind,
            provenance=provenance,
            history=history,
            today=date(2026, 6, 1),
            generated=datetime.now(UTC),
            organization="Bench Org",
        )
        return render(report, fmt)

    rows = []
    for kind in ("brief", "workpaper"):
        for fmt, spec in FORMATS.items():
            if kind not in spec.kinds:
                continue
            make(kind, fmt)  # warm-up: imports, fonts, template compilation
            samples, cpu = [], []
            size = 0
            for _ in range(args.runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                size = len(make(kind, fmt))
                samples.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
            median = statistics.median(samples)
            rows.append(
                {
                    "name": f"{kind} as {fmt.upper()}",
                    "median_ms": round(median * 1000, 1),
                    "p95_ms": round(max(samples) * 1000, 1),
                    "runs": args.runs,
                    # CPU time of this process: what the work costs when the machine is busy
                    # with other things (wall time then includes waiting for a core).
                    "cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
                    "bytes": size,
                    "target_ms": TARGETS_S[fmt] * 1000,
                    "within_target": median <= TARGETS_S[fmt],
                }
            )
            print(
                f"{rows[-1]['name']:<22} median {rows[-1]['median_ms']:>8} ms  "
                f"max {rows[-1]['p95_ms']:>8} ms  cpu {rows[-1]['cpu_median_ms']:>8} ms  "
                f"{size:>9,} bytes  "
                f"target {TARGETS_S[fmt]:g} s {'ok' if median <= TARGETS_S[fmt] else 'MISSED'}",
                flush=True,
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "profile": "106 outcomes with details, 40 actions, 3 snapshots",
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
