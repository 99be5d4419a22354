"""Reading and mapping large scanner outputs: a 10,000-result SARIF log and a 10,000-rule XCCDF.

Each measurement runs in a fresh process (so that its peak memory is its own):
generate the file in memory, then time what an import does with it, reading it
into findings (:func:`csfpilot.scanners.read_scan`, format recognised by content)
and mapping them to CSF 2.0 outcomes through NIST's shipped crosswalk with the
default rule table. Median of N runs; the peak resident set of the process
(interpreter and NIST data included) and the peak of Python allocations during
one read-and-map (tracemalloc; lxml's own buffers are not in it) are reported.
Targets: under 3 s and under 200 MB peak resident set each (on a 2-core machine).

    python -m bench.scanners              # both; writes bench/results/scanners.json
    python -m bench.scanners --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "scanners.json"
SIZE = 10_000
TARGET_S = 3.0
TARGET_MB = 200.0
CONTROLS = ["AC-2", "AC-2(5)", "AU-9 (3)", "CM-6(a)", "SI-2", "SC-7(4)", "IA-5(1)", "RA-5"]
CWES = ["CWE-79", "CWE-89", "CWE-78", "CWE-327", "CWE-295", "CWE-798"]


def sarif_log(size: int, seed: int = 11) -> bytes:
    """A SARIF 2.1.0 log of ``size`` results over 200 rules, a quarter citing SP 800-53."""
    rng = random.Random(seed)
    rules = []
    for n in range(200):
        tags = ["security", f"external/cwe/{rng.choice(CWES).lower()}"]
        if n % 4 == 0:
            tags.append(f"nist:{rng.choice(CONTROLS)}")
        rules.append(
            {
                "id": f"R{n:04d}",
                "shortDescription": {"text": f"Rule {n} found a weakness"},
                "properties": {"tags": tags, "security-severity": f"{rng.uniform(0, 10):.1f}"},
            }
        )
    results = [
        {
            "ruleId": f"R{(i * 7) % 200:04d}",
            "ruleIndex": (i * 7) % 200,
            "level": rng.choice(["error", "warning", "note"]),
            "message": {"text": f"Finding {i}: input reaches a sink without validation."},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f"src/module_{i % 500}.py"},
                        "region": {"startLine": 1 + i % 900, "startColumn": 5},
                    }
                }
            ],
        }
        for i in range(size)
    ]
    doc = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {"tool": {"driver": {"name": "BenchScanner", "rules": rules}}, "results": results}
        ],
    }
    return json.dumps(doc).encode()


def xccdf_results(size: int, seed: int = 12) -> bytes:
    """An XCCDF 1.2 Benchmark of ``size`` rules, each with SP 800-53 and CCI references, and
    a TestResult with one rule-result per rule (and as many notselected rows skipped)."""
    rng = random.Random(seed)
    nist = "http://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-53r4.pdf"
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_bench_benchmark_1">'
        "<title>Bench benchmark</title><version>1.0</version>"
    ]
    for n in range(size):
        parts.append(
            f'<Rule id="xccdf_bench_rule_{n}" severity="{rng.choice(["low", "medium", "high"])}">'
            f"<title>Rule {n} keeps the system configured</title>"
            f'<reference href="{nist}">{rng.choice(CONTROLS)}</reference>'
            f'<reference href="{nist}">{rng.choice(CONTROLS)}</reference>'
            f'<reference href="https://public.cyber.mil/stigs/cci/">CCI-000366</reference>'
            "</Rule>"
        )
    parts.append(
        '<TestResult id="xccdf_bench_testresult_1" start-time="2026-01-01T00:00:00+00:00" '
        'test-system="cpe:/a:redhat:openscap:1.3.7"><target>bench-host</target>'
    )
    for n in range(size):
        result = rng.choice(["pass", "pass", "fail", "notapplicable", "notchecked"])
        parts.append(
            f'<rule-result idref="xccdf_bench_rule_{n}" time="2026-01-01T00:00:01+00:00">'
            f"<result>{result}</result></rule-result>"
            f'<rule-result idref="xccdf_bench_unselected_{n}"><result>notselected</result>'
            "</rule-result>"
        )
    parts.append("</TestResult></Benchmark>")
    return "".join(parts).encode()


def _one(kind: str, runs: int) -> dict[str, object]:
    from csfpilot.core.evidence.scan_mapping import crosswalk_index, csf11_index, map_scan
    from csfpilot.core.profiles import WITHDRAWALS_DATASET
    from csfpilot.formats.native.reference import bundled_reference
    from csfpilot.scanners import default_rules, read_scan

    ref = bundled_reference()
    crosswalk = crosswalk_index(ref.mapping_sets["olir-sp800-53r5-5.2.0"].mappings)
    csf11 = csf11_index(ref.mapping_sets[WITHDRAWALS_DATASET].mappings)
    outcomes = frozenset(ref.framework.outcomes)
    rules = default_rules()
    data = sarif_log(SIZE) if kind == "sarif" else xccdf_results(SIZE)

    def read_and_map() -> int:
        report = read_scan(data, f"bench.{kind}")
        mapping = map_scan(report, crosswalk=crosswalk, outcomes=outcomes, csf11=csf11, rules=rules)
        return mapping.summary.mapped

    read_and_map()  # warm-up: imports and caches
    samples, cpu = [], []
    mapped = 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        mapped = read_and_map()
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    read_and_map()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    median = statistics.median(samples)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "name": "SARIF, 10,000 results" if kind == "sarif" else "XCCDF, 10,000 rule results",
        "bytes": len(data),
        "findings": SIZE,
        "mapped": mapped,
        "median_s": round(median, 3),
        "max_s": round(max(samples), 3),
        "cpu_median_s": round(statistics.median(cpu), 3),
        "runs": runs,
        "peak_rss_mb": round(peak_rss_mb, 1),
        "python_peak_mb": round(traced_peak / 1024 / 1024, 1),
        "within_target": median <= TARGET_S and peak_rss_mb <= TARGET_MB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scanners")
    parser.add_argument("url", nargs="?", default="-", help="unused: no database involved")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", choices=["sarif", "xccdf"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one, args.runs)))
        return
    rows = []
    for kind in ("sarif", "xccdf"):
        done = subprocess.run(
            [sys.executable, "-m", "bench.scanners", "--one", kind, "--runs", str(args.runs)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['name']:<28} median {row['median_s']:>6} s  max {row['max_s']:>6} s  "
            f"cpu {row['cpu_median_s']:>6} s  peak RSS {row['peak_rss_mb']:>6} MB  "
            f"Python peak {row['python_peak_mb']:>5} MB  "
            f"{'ok' if row['within_target'] else 'MISSED'}",
            flush=True,
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "target_s": TARGET_S,
                "target_mb": TARGET_MB,
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    from bench.report import DOC, write_doc

    write_doc(DOC)


if __name__ == "__main__":
    main()
