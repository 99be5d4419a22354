"""Signing and verifying a full-level profile package.

A CSF 2.0 profile with every one of the 106 outcomes rated and written out in
full (rationale, notes, considerations, owner, policies, practices, roles,
references and evidence descriptions on both sides, a hundred actions), packed
at the ``full`` level with its scores, plus evidence files (by default three of
1 MiB). Timed in process, median of N runs: building and signing the package
(:func:`csfpilot.formats.packages.build_package`, canonical JSON and SHA-256 of
every member, Ed25519 signature) and verifying it
(:func:`csfpilot.formats.packages.read_package`: parse with the hostile-input
checks, check the signature, every member's and file's hash, canonical form).
Target: each under 200 ms.

    python -m bench.packages                # writes bench/results/packages.json
    python -m bench.packages --runs 21 --files 0
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bench.environment import median_ms, publish, run_stamp
from csfpilot.core.profiles import (
    STATUS,
    Action,
    Implementation,
    OutcomeEntry,
    Priority,
    Profile,
    csf_2_0,
)
from csfpilot.formats.packages import (
    FileMember,
    Signer,
    build_package,
    profile_members,
    read_package,
)

RESULTS = Path(__file__).resolve().parent / "results" / "packages.json"
TARGET_MS = 200.0


def full_profile() -> Profile:
    framework = csf_2_0()
    levels = STATUS.levels
    text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, 資訊安全 " * 4
    details = Implementation(
        policies=text, practices=text, roles=text, references=(text,) * 3, evidence=(text,) * 3
    )
    outcomes = {
        code: OutcomeEntry(
            code,
            rationale=text,
            priority=Priority.HIGH,
            current=levels[i % len(levels)],
            target=levels[-1],
            owner="CISO",
            notes=text,
            considerations=text,
            current_details=details,
            target_details=details,
        )
        for i, code in enumerate(framework.outcomes)
    }
    codes = list(framework.outcomes)
    actions = tuple(
        Action(f"A-{n:03d}", f"Action {n}: {text}", outcomes=(codes[n % len(codes)],), notes=text)
        for n in range(100)
    )
    return Profile(name="Bench plant", outcomes=outcomes, actions=actions)


def run(runs: int, files: int, file_mib: int) -> dict:
    framework = csf_2_0()
    profile = full_profile()
    signer = Signer.generate("Bench organization")
    evidence = {
        str(n): FileMember(f"evidence-{n}.pdf", "application/pdf", os.urandom(file_mib << 20))
        for n in range(files)
    }
    trusted = {signer.fingerprint: "bench"}
    build_s, build_cpu, read_s, read_cpu = [], [], [], []
    data = b""
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        members = profile_members(profile, framework, "full")
        data = build_package("profile", members, "full", signer, files=evidence)
        build_s.append(time.perf_counter() - t)
        build_cpu.append(time.process_time() - c)
        t, c = time.perf_counter(), time.process_time()
        pkg = read_package(data, trusted)
        read_s.append(time.perf_counter() - t)
        read_cpu.append(time.process_time() - c)
        assert pkg.trusted
    return {
        **run_stamp(),
        "runs": runs,
        "outcomes": len(profile.outcomes),
        "files": files,
        "file_mib": file_mib,
        "package_bytes": len(data),
        "sign_median_ms": median_ms(build_s),
        "sign_cpu_median_ms": median_ms(build_cpu),
        "verify_median_ms": median_ms(read_s),
        "verify_cpu_median_ms": median_ms(read_cpu),
        "target_ms": TARGET_MS,
    }


def section(data: dict) -> list[str]:
    """The docs/benchmarks.md section of the last run."""
    load = ", ".join(f"{x:.2f}" for x in data["load_average"])
    return [
        "## Signed packages\n",
        f"`python -m bench.packages` (bench/results/packages.json): a full-level package of a "
        f"profile with all {data['outcomes']} outcomes and every text field filled, its scores "
        f"and {data['files']} evidence file(s) of {data['file_mib']} MiB "
        f"({data['package_bytes']:,} bytes); median of {data['runs']} runs, measured "
        f"{data['when']} on {data['machine']} (load average {load}). "
        f"Target: under {data['target_ms']:g} ms each.\n",
        "| | wall time | CPU time |",
        "|---|---|---|",
        f"| build and sign (members, canonical JSON, hashes, Ed25519) | "
        f"{data['sign_median_ms']} ms | {data['sign_cpu_median_ms']} ms |",
        f"| verify (parse with limits, signature, hashes, canonical form) | "
        f"{data['verify_median_ms']} ms | {data['verify_cpu_median_ms']} ms |",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--file-mib", type=int, default=1)
    args = parser.parse_args()
    data = run(args.runs, args.files, args.file_mib)
    publish(RESULTS, data)


if __name__ == "__main__":
    main()
