"""Importing a scanner's results as evidence, end to end, at 10,000 findings.

Each run imports one generated file through the same service as
``csfpilot evidence import-scan``: read and detect the format, map every finding
to CSF 2.0 outcomes through the loaded SP 800-53 crosswalk, keep the file by its
hash, store the findings and the per-outcome tallies, link the outcomes to the
profile and record one audit event. Two files, 10,000 findings each: a Prowler
OCSF file whose checks name SP 800-53 controls (every finding goes through the
crosswalk), and a SARIF file from a code scanner whose results carry CWE ids
only (every finding goes through the rule table). Repeated imports form a series,
as a weekly scan would. Peak memory is this process's resident set (all of
Django included) and its growth over the state before the first import.

Usage: python -m bench.evidence_scans DATABASE_URL|-  → JSON list of timings on stdout,
also written to bench/results/evidence-scans.json under the database's name (so a run on
one database keeps the other's figures). Target: under 3 s and 200 MB.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.environment import configure, fresh_schema
from bench.timing import measure

RESULTS = Path(__file__).resolve().parent / "results" / "evidence-scans.json"
TARGET_S, TARGET_MB = 3, 200
FINDINGS = 10_000
RUNS, WARMUP = 5, 1
CONTROLS = [
    "ac_2",
    "ac_3",
    "ac_6",
    "au_2",
    "au_9_3",
    "cm_6",
    "cm_7",
    "ia_2_1",
    "ia_5_1",
    "sc_7",
    "sc_8",
    "sc_8_1",
    "sc_13",
    "sc_28",
    "si_2",
    "si_4",
    "ra_5",
    "cp_9",
]
CWES = ["CWE-78", "CWE-79", "CWE-89", "CWE-259", "CWE-295", "CWE-327", "CWE-502", "CWE-703"]


def ocsf(n: int) -> bytes:
    rng = random.Random(7)
    rows = []
    for i in range(n):
        status = rng.choice(["PASS", "PASS", "FAIL"])
        rows.append(
            {
                "message": f"check {i}",
                "metadata": {
                    "event_code": f"check_{i % 400}",
                    "product": {"name": "Prowler", "version": "5.4.1"},
                    "version": "1.4.0",
                },
                "severity": rng.choice(["Low", "Medium", "High", "Critical"]),
                "status_code": status,
                "unmapped": {"compliance": {"NIST-800-53-Revision-5": rng.sample(CONTROLS, 2)}},
                "finding_info": {"title": f"Check {i % 400}", "uid": f"f-{i}"},
                "resources": [{"uid": f"arn:aws:s3:::bucket-{i}", "type": "AwsS3Bucket"}],
                "class_uid": 2004,
                "cloud": {"account": {"uid": "123456789012"}, "provider": "aws"},
                "time": 1767225600,
            }
        )
    return json.dumps(rows).encode()


def sarif(n: int) -> bytes:
    rng = random.Random(11)
    rules = [
        {"id": f"B{100 + k}", "name": f"rule{k}", "properties": {"tags": [CWES[k % len(CWES)]]}}
        for k in range(60)
    ]
    results = [
        {
            "ruleId": f"B{100 + (i % 60)}",
            "level": rng.choice(["error", "warning", "note"]),
            "message": {"text": f"issue {i}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f"src/m{i % 500}.py"},
                        "region": {"startLine": i % 300 + 1},
                    }
                }
            ],
        }
        for i in range(n)
    ]
    doc = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {"driver": {"name": "Bandit", "version": "1.9.4", "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(doc).encode()


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else None
    configure(url)
    fresh_schema(url)
    from csfpilot.webapp.catalog.services import ensure_bundled_catalogs
    from csfpilot.webapp.demo import ensure_demo
    from csfpilot.webapp.evidence import scans
    from csfpilot.webapp.organizations.permissions import require
    from csfpilot.webapp.organizations.roles import Permission
    from csfpilot.webapp.profiles.models import Profile

    ensure_bundled_catalogs()
    org = ensure_demo()
    access = require(org.memberships.get().user, org.slug, Permission.VIEW)
    profile = Profile.objects.filter(organization=org, kind="organizational").first()
    files = {"Prowler OCSF, SP 800-53 ids": ocsf(FINDINGS), "SARIF, CWE ids only": sarif(FINDINGS)}
    me = psutil.Process()
    before = me.memory_info().rss
    timings = []
    for label, data in files.items():

        def run(data: bytes = data, label: str = label) -> float:
            start = time.perf_counter()
            result = scans.import_scan(access, [data], "bench.json", profile_id=profile.pk)
            assert result.mapping.summary.findings == FINDINGS, label
            return (time.perf_counter() - start) * 1000

        t = measure(
            f"import {FINDINGS:,} findings ({label})", run, runs=RUNS, warmup=WARMUP, reader=float
        )
        timings.append(t.row())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    memory = {
        "name": "peak memory of the process (MB), and above the state before the first import",
        "peak_mb": round(peak / 2**20, 1),
        "above_start_mb": round((peak - before) / 2**20, 1),
    }
    database = "PostgreSQL" if url else "SQLite"
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    kept[database] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "timings": timings,
        "memory": memory,
    }
    RESULTS.write_text(json.dumps(kept, indent=1) + "\n")
    summary_row = {
        "name": f"{memory['name']}: {memory['peak_mb']} / {memory['above_start_mb']}",
        "median_ms": 0,
        "p95_ms": 0,
        "runs": 1,
    }
    print(json.dumps([*timings, summary_row]))


if __name__ == "__main__":
    main()


def section(data: dict) -> list[str]:
    """The "Scanner results imported" section of docs/benchmarks.md."""
    lines = [
        "## Scanner results imported as evidence (standalone runs)\n",
        "`python -m bench.evidence_scans DATABASE_URL|-` (bench/results/evidence-scans.json): "
        f"a {FINDINGS:,}-finding file imported end to end through the service behind "
        "`csfpilot evidence import-scan` (read, map every finding, keep the file by its hash, "
        "store findings and tallies, link the profile's outcomes, one audit event), into the "
        f"demo organization; median of {RUNS} runs after {WARMUP} warm-up. Peak memory is "
        "the whole process's resident set (Django, NIST's catalogs and the demo included) and "
        f"its growth over the state before the first import. Target: under {TARGET_S} s and "
        f"{TARGET_MB} MB.\n",
        "| database | file | median | p95 | CPU median | peak memory | above start | measured |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for db, run in data.items():
        for t in run["timings"]:
            lines.append(
                f"| {db} | {t['name']} | {t['median_ms']} ms | {t['p95_ms']} ms | "
                f"{t.get('cpu_median_ms', '—')} ms | {run['memory']['peak_mb']} MB | "
                f"{run['memory']['above_start_mb']} MB | {run['when']}, {run['machine']}, "
                f"load {', '.join(str(x) for x in run['load_average'])} |"
            )
    return [*lines, ""]
