"""Signing and verifying supplier questionnaire and answer packages.

A questionnaire asking every one of CSF 2.0's 106 outcomes, with guidance, and the
supplier's answer to it at the ``full`` level with a comment and the evidence offered
(400 characters each) for every outcome, and its scores. Timed in process, median of N
runs: building and signing each package, and verifying it and reading its member with the
hostile-input checks (:func:`~csfpilot.formats.packages.questionnaires.read_request`,
:func:`~csfpilot.formats.packages.questionnaires.read_answer`). Target: each under 200 ms,
as for profile packages.

    python -m bench.questionnaire_packages      # writes bench/results/questionnaire-packages.json
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import date
from pathlib import Path

from bench.environment import median_ms, publish, run_stamp
from csfpilot.core.profiles import STATUS, csf_2_0
from csfpilot.formats.packages import Signer, build_package, read_package
from csfpilot.formats.packages.questionnaires import (
    Answer,
    Answered,
    Item,
    Request,
    answer_members,
    questionnaire_member,
    read_answer,
    read_request,
)

RESULTS = Path(__file__).resolve().parent / "results" / "questionnaire-packages.json"
TARGET_MS = 200.0


def _timed(fn, samples_wall: list[float], samples_cpu: list[float]):  # type: ignore[no-untyped-def]
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    samples_wall.append(time.perf_counter() - t)
    samples_cpu.append(time.process_time() - c)
    return out


def run(runs: int) -> dict:
    framework = csf_2_0()
    codes = list(framework.outcomes)
    levels = STATUS.levels
    text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, 資訊安全 " * 6
    request = Request(
        reference=str(uuid.uuid4()),
        buyer="Bench buyer",
        supplier="Bench supplier",
        cycle=1,
        due=date(2027, 1, 31),
        language="en",
        guidance=text * 10,
        framework="csf-2.0",
        scale=STATUS,
        items=tuple(Item(code, levels[-1]) for code in codes),
    )
    answers = [
        Answer(code, levels[i % len(levels)], comment=text[:400], evidence=text[:400])
        for i, code in enumerate(codes)
    ]
    buyer, supplier = Signer.generate("Bench buyer"), Signer.generate("Bench supplier")
    trusted = {buyer.fingerprint: "buyer", supplier.fingerprint: "supplier"}
    known = set(codes)
    times: dict[str, list[float]] = {
        k: [] for k in ("qs", "qsc", "qv", "qvc", "as", "asc", "av", "avc")
    }
    q_data = a_data = b""
    for _ in range(runs):
        q_data = _timed(
            lambda: build_package(
                "questionnaire",
                {"questionnaire.json": questionnaire_member(request)},
                "full",
                buyer,
            ),
            times["qs"],
            times["qsc"],
        )
        got = _timed(
            lambda q_data=q_data: read_request(
                read_package(q_data, trusted).members["questionnaire.json"],
                known=known,
                framework="csf-2.0",
            ),
            times["qv"],
            times["qvc"],
        )
        answered = Answered(got.reference, str(uuid.uuid4()), buyer.fingerprint, 1)
        a_data = _timed(
            lambda answered=answered: build_package(
                "questionnaire-answer",
                answer_members(answered, request, answers, "full", framework),
                "full",
                supplier,
            ),
            times["as"],
            times["asc"],
        )
        sheet = _timed(
            lambda a_data=a_data: read_answer(
                read_package(a_data, trusted).members["answer.json"], "full", known=known
            ),
            times["av"],
            times["avc"],
        )
        assert sheet.answers is not None and len(sheet.answers) == len(codes)
    return {
        **run_stamp(),
        "runs": runs,
        "outcomes": len(codes),
        "questionnaire_bytes": len(q_data),
        "answer_bytes": len(a_data),
        **{f"{k}_median_ms": median_ms(v) for k, v in times.items()},
        "target_ms": TARGET_MS,
    }


def section(data: dict) -> list[str]:
    """The docs/benchmarks.md section of the last run."""
    load = ", ".join(f"{x:.2f}" for x in data["load_average"])
    return [
        "## Supplier questionnaire packages\n",
        f"`python -m bench.questionnaire_packages` (bench/results/questionnaire-packages.json): "
        f"a questionnaire asking all {data['outcomes']} outcomes "
        f"({data['questionnaire_bytes']:,} bytes) and a full-level answer with a comment and the "
        f"evidence offered for each ({data['answer_bytes']:,} bytes); median of {data['runs']} "
        f"runs, measured {data['when']} on {data['machine']} (load average {load}). "
        f"Target: under {data['target_ms']:g} ms each.\n",
        "| | wall time | CPU time |",
        "|---|---|---|",
        f"| questionnaire: build and sign | {data['qs_median_ms']} ms | "
        f"{data['qsc_median_ms']} ms |",
        f"| questionnaire: verify and read the member | {data['qv_median_ms']} ms | "
        f"{data['qvc_median_ms']} ms |",
        f"| answer: members with scores, build and sign | {data['as_median_ms']} ms | "
        f"{data['asc_median_ms']} ms |",
        f"| answer: verify and read the member | {data['av_median_ms']} ms | "
        f"{data['avc_median_ms']} ms |",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    data = run(args.runs)
    publish(RESULTS, data)


if __name__ == "__main__":
    main()
