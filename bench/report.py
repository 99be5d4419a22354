"""Write docs/benchmarks.md from a results dictionary."""

from __future__ import annotations

import json
from pathlib import Path

from bench.comparison import client_section

RESULTS = Path(__file__).resolve().parent / "results"
AGGREGATES = RESULTS / "aggregates.json"
SCANNERS = RESULTS / "scanners.json"
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
EVIDENCE_UPLOAD = RESULTS / "evidence-upload.json"
PACKAGES = RESULTS / "packages.json"
QUESTIONNAIRE_PACKAGES = RESULTS / "questionnaire-packages.json"
REPORT_MEMORY = RESULTS / "report-memory.json"
STARTUP = RESULTS / "startup.json"
MAPPING_EVAL = RESULTS / "mapping-eval.json"
TRANSFERS = RESULTS / "transfers.json"
CLIENT = RESULTS / "client.json"
PEER = Path(__file__).resolve().parent / "peer-ciso-assistant.json"
# Profiles of the rows short of the aim, written by hand from the profiling runs.
WHERE = Path(__file__).resolve().parent / "where-the-time-goes.md"
SUPPLIERS = RESULTS / "suppliers.json"
DEFAULT_ORGS = 1000  # results without a recorded size are from the 1,000-organization bench

TARGETS = {
    "import": "full import under 2 s",
    "crosswalks": "a 5,000-row crosswalk imported (read, linked, stored) under 2 s",
    "pages": "catalog pages under 20 ms median server time, search under 50 ms",
    "profiles": "each under 30 ms median server time with 1,000 organizations",
    "aggregates": "sector aggregate over 10,000 organizations under 1 s on PostgreSQL, 3 s on "
    "SQLite",
    "evidence": "the evidence coverage panel under 30 ms median with 1,000 organizations of "
    "50 items each",
    "http": "read endpoints at least a third of the bare endpoint's requests/s; cold start "
    "under 2 s; each worker under 150 MB",
}

# The product's targets read at 10,000 organizations on PostgreSQL:
# (what, suite, row name, clients or None, statistic, limit in ms).
SCALE_TARGETS = [
    (
        "open a profile, median (read again: answer reused)",
        "profiles",
        "open a profile: all 106 outcomes (API)",
        None,
        "median_ms",
        15.0,
    ),
    (
        "open a profile, median (right after a change: answer built)",
        "profiles",
        "open a profile right after a rating changed (API)",
        None,
        "median_ms",
        15.0,
    ),
    ("save a rating, median", "profiles", "save one rating (API PATCH)", None, "median_ms", 15.0),
    (
        "open a profile with 8 concurrent HTTP clients, p95",
        "http",
        "open a profile: 106 outcomes (API)",
        8,
        "p95_ms",
        40.0,
    ),
]
SCALE_ORGS, SCALE_DATABASE = 10_000, "PostgreSQL"

HEAD = """# Benchmarks

Run them with `make bench` (or `.venv/bin/python -m bench`; `make bench-client` runs the
like-for-like table alone; `--sqlite` skips PostgreSQL, `--only http` reruns one suite and
keeps the others' last results, `--quick` shortens the HTTP load runs, `--orgs 10000
--seed 6` runs the suites that depend on the data set's size at 10,000 organizations).

The data set (`python -m bench.dataset DATABASE_URL|- --orgs N --seed S`, bench/dataset.py)
is generated once per database and run, deterministically from the seed: the demo
organization exactly as a newcomer gets it (the one measured), and N − 1 more organizations
of one sector, each with an Organizational Profile over all 106 CSF 2.0 outcomes on the
implementation-status or (about 30 %) the maturity scale, ratings spread around the
organization's maturity with some outcomes not assessed and a few excluded, priorities,
owners and the template's texts, Tiers, an action plan of 3–8 actions in the product's order
(priority weight × gap) and two earlier snapshots (ratings only). The suites that use it
(profiles, HTTP, sector aggregates) start from a copy of that generation.

`python -m bench --client` measures as a user's client does, like for like with the peer
(the first section below); `python -m bench --compare FILE` runs that again and prints it
beside a published run. The other suites time the server.

Each suite runs in a fresh process on a fresh database. Times for pages and API calls are
**server time** (the app's `Server-Timing` header, which covers the whole middleware stack),
median and 95th percentile over 50 requests after 5 warm-up requests. The import is NIST's
shipped files (CSF 2.0 Core and examples, CSF 1.1, SP 800-53 Rev. 5 with four baselines,
nine crosswalk datasets) read and stored into an empty database, median of three cold runs;
memory is the process's peak resident set.

Opening a profile reads all its outcomes. The built answer (and that of the scores, progress and the
gap analysis, in the API and on the overview and dashboard pages) is kept and reused while
the profile's rows stay as they are (checked with one query on every request, so a change
on any server is seen at once: profiles/answer_cache.py, profiles/figures.py), so opening a
profile and its scores are measured both ways: read again, as the HTTP load does, and right
after a rating changed, when the answer is built anew.

`python -m bench.before_after --before COMMIT` runs one suite on the code before a change
and after it, in turns on the same data set, with each request's CPU time beside its server
time: on a shared machine the load of others lengthens server times, not CPU time.

Targets on a 2-core machine: {targets}. At 10,000 organizations on PostgreSQL: {scale}.

These are the latest results, written by the benchmark itself: a section per size of the
data set (bench/results/latest.json holds 1,000 organizations, orgs-N.json any other size).
"""


def runs() -> list[dict]:
    """Every stored run, smallest data set first."""
    found = []
    for path in [RESULTS / "latest.json", *sorted(RESULTS.glob("orgs-*.json"))]:
        if path.exists():
            found.append(json.loads(path.read_text()))
    return sorted(found, key=lambda r: r.get("organizations", DEFAULT_ORGS))


def write_doc(path: Path, results: list[dict] | None = None) -> None:
    scale = "; ".join(f"{what} under {limit:g} ms" for what, *_, limit in SCALE_TARGETS)
    lines = [HEAD.format(targets="; ".join(TARGETS.values()), scale=scale)]
    chosen = runs() if results is None else results
    if CLIENT.exists():
        # The like-for-like comparison (client wall time on both sides) replaces the one that
        # set the peer's client times against our server times.
        lines.extend(client_section(json.loads(CLIENT.read_text()), json.loads(PEER.read_text())))
        lines.append(WHERE.read_text())
    for before_after in sorted(RESULTS.glob("before-after-*.json")):
        data = json.loads(before_after.read_text())
        lines.extend(before_after_section(data, before_after.name))
    for run in chosen:
        lines.extend(run_section(run))
    if AGGREGATES.exists():
        lines.extend(aggregates_section(json.loads(AGGREGATES.read_text())))
    if EXCHANGE.exists():
        lines.extend(template_section(json.loads(EXCHANGE.read_text())))
    if SCANNERS.exists():
        lines.extend(scanners_section(json.loads(SCANNERS.read_text())))
    if EVIDENCE_SCANS.exists():
        from bench.evidence_scans import section as scans_section

        lines.extend(scans_section(json.loads(EVIDENCE_SCANS.read_text())))
    if EVIDENCE_UPLOAD.exists():
        from bench.evidence_upload import section

        lines.extend(section(json.loads(EVIDENCE_UPLOAD.read_text())))
    if PACKAGES.exists():
        from bench.packages import section as packages_section

        lines.extend(packages_section(json.loads(PACKAGES.read_text())))
    if QUESTIONNAIRE_PACKAGES.exists():
        from bench.questionnaire_packages import section as questionnaire_section

        lines.extend(questionnaire_section(json.loads(QUESTIONNAIRE_PACKAGES.read_text())))
    if REPORT_MEMORY.exists():
        from bench.report_memory import section as report_memory_section

        lines.extend(report_memory_section(json.loads(REPORT_MEMORY.read_text())))
    if STARTUP.exists():
        from bench.startup import section as startup_section

        lines.extend(startup_section(json.loads(STARTUP.read_text())))
    if MAPPING_EVAL.exists():
        from bench.mapping_eval import section as mapping_section

        lines.extend(mapping_section(json.loads(MAPPING_EVAL.read_text())))
    if TRANSFERS.exists():
        from bench.transfers import section as transfers_section

        lines.extend(transfers_section(json.loads(TRANSFERS.read_text())))
    if SUPPLIERS.exists():
        from bench.suppliers import section as suppliers_section

        lines.extend(suppliers_section(json.loads(SUPPLIERS.read_text())))
    path.write_text("\n".join(lines))


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value} ms"


def _ratio(before: float | None, after: float | None) -> str:
    if not before or not after:
        return "—"
    return f"{before / after:.1f}×"


def before_after_section(data: dict, name: str) -> list[str]:
    """A suite's last ``python -m bench.before_after`` run: before and after a change."""
    loads = data["load_averages"]
    ones = [one for one, *_ in loads]
    lines = [
        f"## Before and after: {data['label'] or data['before'] + ' → ' + data['after']}\n",
        f"`python -m bench.before_after` (bench/results/{name}): the {data['suite']} "
        f"suite on {data['database']} with {data['organizations']:,} organizations (seed "
        f"{data['seed']}), run {data['turns']} times for each side in turns on one data set: "
        f"commit {data['before']} (before) and {data['after']} (after). Measured "
        f"{data['when']} on {data['machine']}. The machine was shared: its 1-minute load "
        f"average was {min(ones)} to {max(ones)} during the runs, so server times are "
        "longer than on a quiet machine (compare the tables below, measured alone); CPU time, "
        "the work each request did, is far less affected (contention for the processor's "
        "caches still lengthens it). Medians over the turns of each run's median.\n",
        *([data["note"] + "\n"] if data.get("note") else []),
        "| | server time before | after | faster by | CPU time before | after | less by |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in data["rows"]:
        lines.append(
            f"| {r['name']} | {_ms(r['before_median_ms'])} | {_ms(r['after_median_ms'])} | "
            f"{_ratio(r['before_median_ms'], r['after_median_ms'])} | "
            f"{_ms(r['before_cpu_median_ms'])} | {_ms(r['after_cpu_median_ms'])} | "
            f"{_ratio(r['before_cpu_median_ms'], r['after_cpu_median_ms'])} |"
        )
    lines.append("")
    return lines


def _size(run: dict) -> int:
    return run.get("organizations", DEFAULT_ORGS)


def run_section(run: dict) -> list[str]:
    orgs = _size(run)
    seed = (
        f"seed {run['seed']}"
        if "seed" in run
        else "before bench/dataset.py: the demo's profile copied to every organization"
    )
    lines = [
        f"## {orgs:,} organizations\n",
        f"Measured {run['when']} on {run['machine']}; data set of {orgs:,} organizations, "
        f"{seed}.\n",
    ]
    if orgs == SCALE_ORGS and SCALE_DATABASE in run["databases"]:
        lines.extend(scale_targets(run["databases"][SCALE_DATABASE]))
    sector = {}
    for db, entry in run["databases"].items():
        lines.append(f"### {db}\n")
        if "dataset" in entry:
            d = entry["dataset"]
            lines.append(
                f"Data set generated in {d['seconds']} s: {d['organizations']:,} organizations, "
                f"{d['profiles']:,} profiles, {d['outcomes']:,} outcome rows, "
                f"{d['actions']:,} actions, {d['snapshots']:,} snapshots.\n"
            )
        if "import" in entry:
            imp = entry["import"]
            lines.append("| full import | read files | store | total | peak memory |")
            lines.append("|---|---|---|---|---|")
            lines.append(
                f"| NIST's shipped files | {imp['read_s']} s | {imp['store_s']} s | "
                f"{imp['total_s']} s | {imp['peak_rss_mb']} MB |\n"
            )
        for suite, rows in entry.items():
            if suite in {"import", "http", "aggregates", "dataset"}:
                continue
            # CPU time beside server time where the suite recorded it: on a shared machine
            # the first grows with the others' load, the second stays the work done.
            cpu = any("cpu_median_ms" in r for r in rows)
            lines.append(f"| {suite} | median | p95 |" + (" CPU median |" if cpu else ""))
            lines.append("|---|---|---|" + ("---|" if cpu else ""))
            for r in rows:
                extra = ""
                if cpu:
                    extra = f" {r['cpu_median_ms']} ms |" if "cpu_median_ms" in r else " — |"
                lines.append(f"| {r['name']} | {r['median_ms']} ms | {r['p95_ms']} ms |{extra}")
            lines.append("")
        if "http" in entry:
            lines.extend(http_section(entry["http"]))
        if "aggregates" in entry:
            sector[db] = entry["aggregates"]
    if sector:
        lines.extend(
            aggregates_table(sector, f"### Sector aggregates over {orgs:,} organizations\n")
        )
    return lines


def scale_targets(entry: dict) -> list[str]:
    """The product's targets at this size, against what was measured."""
    lines = ["| target (PostgreSQL) | limit | measured | met |", "|---|---|---|---|"]
    for what, suite, name, clients, stat, limit in SCALE_TARGETS:
        rows = entry.get(suite, {})
        rows = rows.get("rows", []) if isinstance(rows, dict) else rows
        found = next(
            (
                r
                for r in rows
                if r["name"] == name and (clients is None or r.get("clients") == clients)
            ),
            None,
        )
        if found is None:
            lines.append(f"| {what} | {limit:g} ms | not measured | |")
            continue
        value = found[stat]
        lines.append(f"| {what} | {limit:g} ms | {value} ms | {'yes' if value < limit else 'no'} |")
    lines.append("")
    return lines


def aggregates_section(data: dict) -> list[str]:
    lines = [
        "## Sector aggregates (standalone runs)\n",
        "`python -m bench.aggregates` (10,000 organizations unless `--orgs` says otherwise; "
        "bench/results/aggregates.json): the data set, all of whose organizations are in one "
        "sector and each with a counted profile, then the sector's "
        "mean, median and quartiles of every Function score computed by the database, median "
        f"and p95 over repeated runs. Measured {data.get('when', 'at an unknown time')}.\n",
    ]
    return lines + aggregates_table(data["databases"])


EXCHANGE = RESULTS / "exchange.json"
EVIDENCE_SCANS = RESULTS / "evidence-scans.json"
TEMPLATE_NOTE = (
    "`python -m bench.exchange DATABASE_URL|-` (bench/results/exchange.json) also measures "
    "NIST's shipped blank Organizational Profile Template filled as a consultant fills it: all "
    '106 Subcategory rows with free-text statuses and priorities ("In progress", "1", '
    '"H", "x"…) and every Function and Category row with Included and a Target CSF Tier. '
    "*Read* is the workbook alone; *import* is reading it against the stored profile, the "
    "preview's comparison and the apply in one transaction (every outcome changed, two versions "
    "in turn). Median and p95 over 10 runs after 2 warm-up runs, with the median CPU time of the "
    "measuring process; measured on 2026-12-06 on x86_64, 2 cores shared with other work (load "
    "average 9–11, which lengthens wall-clock times). Target: under 1 s.\n"
)


def template_section(data: dict) -> list[str]:
    """The filled-template rows of the exchange suite, both databases."""
    lines = [
        "## NIST's template as people fill it (standalone runs)\n",
        TEMPLATE_NOTE,
        "| database | step | median | p95 | CPU median |",
        "|---|---|---|---|---|",
    ]
    found = False
    for db in ("SQLite", "PostgreSQL"):
        for r in data.get(db, []):
            if "NIST template" in r["name"]:
                found = True
                lines.append(
                    f"| {db} | {r['name']} | {r['median_ms']} ms | {r['p95_ms']} ms | "
                    f"{r.get('cpu_median_ms', '—')} ms |"
                )
    lines.append("")
    return lines if found else []


def scanners_section(data: dict) -> list[str]:
    lines = [
        "## Scanner files: read and map (standalone runs)\n",
        "`python -m bench.scanners` (bench/results/scanners.json): a generated file read into "
        "findings (format recognised by content) and mapped to CSF 2.0 outcomes through the "
        "shipped SP 800-53 crosswalk and the default rule table, each in a fresh process; median "
        f"of {data['rows'][0]['runs']} runs. Peak RSS is the whole process's (interpreter and "
        "NIST data included); Python peak is tracemalloc's during one read and map. "
        f"Measured {data['when']} on {data['machine']} (load average "
        f"{', '.join(str(x) for x in data['load_average'])}). Target: under "
        f"{data['target_s']:g} s and {data['target_mb']:g} MB each.\n",
        "| file | size | median | max | CPU (median) | peak RSS | Python peak | target met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in data["rows"]:
        lines.append(
            f"| {r['name']} | {r['bytes'] / 1024 / 1024:.1f} MB | {r['median_s']} s | "
            f"{r['max_s']} s | {r['cpu_median_s']} s | {r['peak_rss_mb']} MB | "
            f"{r['python_peak_mb']} MB | {'yes' if r['within_target'] else 'no'} |"
        )
    lines.append("")
    return lines


def aggregates_table(databases: dict, heading: str | None = None) -> list[str]:
    lines = [heading] if heading else []
    lines += [
        "| database | organizations | outcome rows | aggregate median | p95 | whole benchmark "
        "request | staleness check | recompute all scores | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for db, r in databases.items():
        lines.append(
            f"| {db} | {r['organizations']:,} | {r['outcome_rows']:,} | "
            f"{r['aggregate']['median_ms']} ms | {r['aggregate']['p95_ms']} ms | "
            f"{r['benchmark']['median_ms']} ms | {r['stale_check']['median_ms']} ms | "
            f"{r['recompute_s']} s | {r['target_s']} s |"
        )
    lines.append("")
    return lines


HTTP_HEAD = """#### Over HTTP: `csfpilot serve` under load

{workers} gunicorn worker processes × {threads} threads, loaded over loopback by closed-loop
clients on keep-alive connections, {seconds_per_run:g} s per row after 1 s of warm-up; the load
generator runs on the same cores. The bare endpoint (`/healthz`: the same middleware, no
work) runs for half as long right before each operation, at the same concurrency; *vs bare*
is the operation's requests/s over that run's, and the bare row sums all its runs. Latency
is the client's, so it includes queueing.

Start: {first_start_s} s to the first answer on a new installation (collects and compresses
the static files), **{cold_start_s} s** on every later start{cpu}.

Memory: {memory}; peak {peak_rss_mb} MB for the whole server (main process and
workers) under load. The machine's load average (1, 5, 15 min) when the runs ended: {load}.
"""


def http_section(http: dict) -> list[str]:
    loaded = http["loaded_workers"]
    memory = "each worker " + ", ".join(
        f"{w['rss_mb']} MB resident ({w['pss_mb']} MB its own share)" for w in loaded
    )
    load = ", ".join(str(x) for x in http.get("load_average", [])) or "not recorded"
    cpu = (
        f" ({http['cold_start_cpu_s']} s of CPU time in the server's processes by then: the "
        "start's own cost, whatever else the machine runs)"
        if "cold_start_cpu_s" in http
        else ""
    )
    lines = [HTTP_HEAD.format(memory=memory, load=load, cpu=cpu, **http)]
    lines.append(
        "| operation | clients | req/s | bare req/s | vs bare | p50 | p95 | p99 | errors |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for r in http["rows"]:
        lines.append(
            f"| {r['name']} | {r['clients']} | {r['rps']} | {r.get('bare_rps', '')} | "
            f"{r['vs_bare']} | "
            f"{r['p50_ms']} ms | {r['p95_ms']} ms | {r['p99_ms']} ms | {r['errors']} |"
        )
    lines.append("")
    return lines
