"""The like-for-like comparison with the strongest open-source peer, and run against run.

The peer's figures (bench/peer-ciso-assistant.json, with their source) were taken with
the same client method as bench/client.py: client wall time over loopback, a new TCP
connection per request, sequential medians, 8 clients × 20 s for load. Ours come from
bench/results/client.json (``python -m bench --client``). Server time (``Server-Timing``)
is shown as a second column, labelled, and never divided into the peer's figure.
"""

from __future__ import annotations

from typing import Any

AIM = 10.0
ROWS = [
    "outcomes",
    "outcomes_after_change",
    "page_calls",
    "patch",
    "scores",
    "progress",
    "gaps",
    "create",
    "xlsx",
    "docx",
    "html",
    "pdf",
    "load",
    "cold_start",
    "memory_idle",
    "memory_reports",
]
NAMES = {
    "cold_start": "cold start to the first authenticated answer",
    "memory_idle": "memory after the interactive rows (all processes)",
    "memory_reports": "memory after one round of reports (all processes)",
}
HIGHER_IS_BETTER = {"load"}


def _ours(run: dict[str, Any]) -> dict[str, tuple[str, float | None, float | None, str]]:
    """key → (name, client figure, server figure, unit) for one client run."""
    out: dict[str, tuple[str, float | None, float | None, str]] = {}
    for r in run["rows"]:
        if r["unit"] == "req/s":
            out[r["key"]] = (r["name"], r["rps"], None, "req/s")
        else:
            out[r["key"]] = (r["name"], r["client_median_ms"], r["server_median_ms"], "ms")
    out["cold_start"] = (NAMES["cold_start"], run["cold_start_s"], None, "s")
    out["memory_idle"] = (NAMES["memory_idle"], run["memory_idle_mb"], None, "MB")
    out["memory_reports"] = (NAMES["memory_reports"], run["memory_reports_mb"], None, "MB")
    return out


def _ratio(key: str, peer: float, ours: float | None) -> float | None:
    if not ours:
        return None
    return ours / peer if key in HIGHER_IS_BETTER else peer / ours


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f} {unit}" if value >= 100 else f"{value:g} {unit}"


def run_heading(run: dict[str, Any], label: str, workers_name: str, entry: dict) -> str:
    before = entry.get("load_average_before")
    after = entry.get("load_average")
    return (
        f"**{label}, {workers_name}** ({entry['workers']} worker process"
        f"{'es' if entry['workers'] != 1 else ''} × {entry['threads']} threads): measured "
        f"{run['when']} on {run['machine']}, commit {run['commit']}; load average (1, 5, 15 "
        f"min) {', '.join(map(str, before or []))} before and {', '.join(map(str, after or []))}"
        " after the run.\n"
    )


def client_table(run: dict[str, Any], peer: dict[str, Any]) -> list[str]:
    """The like-for-like table of one client run, per database and worker count."""
    lines: list[str] = []
    for label, by_workers in run["databases"].items():
        for workers_name, entry in by_workers.items():
            ours = _ours(entry)
            lines.append(run_heading(run, label, workers_name, entry))
            lines.append(
                "| operation | peer | csfpilot (client) | ratio | 10× | "
                "csfpilot server time (Server-Timing) |"
            )
            lines.append("|---|---|---|---|---|---|")
            for key in ROWS:
                if key not in ours or key not in peer["rows"]:
                    continue
                name, client, server, unit = ours[key]
                theirs = peer["rows"][key]
                ratio = _ratio(key, theirs["value"], client)
                note = f" ({theirs['note']})" if theirs.get("note") else ""
                lines.append(
                    f"| {name}{note} | {_fmt(theirs['value'], theirs['unit'])} | "
                    f"{_fmt(client, unit)} | "
                    f"{'—' if ratio is None else f'{ratio:.1f}×'} | "
                    f"{'yes' if ratio is not None and ratio >= AIM else 'no'} | "
                    f"{_fmt(server, unit) if server is not None else ''} |"
                )
            lines.extend(_memory_note(entry))
            lines.append("")
    return lines


def _memory_note(entry: dict[str, Any]) -> list[str]:
    """Resident sizes summed count the pages the forked processes share once per process;
    the proportional sizes count them once, which is what the processes use together."""
    idle, reports = entry.get("memory_idle_pss_mb"), entry.get("memory_reports_pss_mb")
    if not idle or not reports:
        return []

    def each(sizes: dict[str, float]) -> str:
        return ", ".join(f"{name} {mb:g}" for name, mb in sizes.items())

    return [
        "",
        "Memory with pages shared between the processes counted once (proportional set "
        f"size): {sum(idle.values()):.1f} MB after the interactive rows ({each(idle)}), "
        f"{sum(reports.values()):.1f} MB after the reports ({each(reports)}). The table's "
        "memory rows add up each process's resident size, as the peer's figure was taken.",
    ]


def compare_lines(today: dict[str, Any], published: dict[str, Any]) -> list[str]:
    """Today's run against a published one, figure by figure (client wall time)."""
    lines = [
        "",
        f"today:     {today['when']}, {today['machine']}, commit {today['commit']}",
        f"published: {published['when']}, {published['machine']}, commit {published['commit']}",
        "",
    ]
    for label, by_workers in today["databases"].items():
        for workers_name, entry in by_workers.items():
            then = published.get("databases", {}).get(label, {}).get(workers_name)
            lines.append(
                f"{label}, {workers_name}: load average today {entry.get('load_average')}, "
                f"published {then.get('load_average') if then else '—'}"
            )
            if then is None:
                lines.append("  (not in the published run)")
                continue
            now_rows, then_rows = _ours(entry), _ours(then)
            lines.append(f"  {'operation':<62} {'published':>14} {'today':>14} {'change':>8}")
            for key in ROWS:
                if key not in now_rows:
                    continue
                name, value, _, unit = now_rows[key]
                old = then_rows.get(key, (name, None, None, unit))[1]
                change = "—"
                if value and old:
                    factor = value / old
                    change = f"{factor:.2f}×"
                    worse = factor < 0.9 if key in HIGHER_IS_BETTER else factor > 1.1
                    change += " !" if worse else ""
                lines.append(
                    f"  {name[:62]:<62} {_fmt(old, unit):>14} {_fmt(value, unit):>14} {change:>8}"
                )
            lines.append("")
    lines.append("'!': more than 10 % worse than the published figure.")
    return lines


def client_section(run: dict[str, Any], peer: dict[str, Any]) -> list[str]:
    """docs/benchmarks.md's comparison: the like-for-like table, replacing the old one."""
    return [
        "## Compared with the strongest open-source peer, like for like\n",
        f"`python -m bench --client` (bench/client.py, bench/results/client.json). The peer is "
        f"{peer['name']} at commit {peer['commit']}; its figures are data in "
        f"bench/peer-ciso-assistant.json, from {peer['source']}. Ours are taken the same way "
        "against `csfpilot serve` on the bench's data set "
        f"({run['organizations']:,} organizations, seed {run['seed']}), through an owner's API "
        "token: client wall time over loopback, each request on a new TCP connection, "
        "sequential, the median of 200 repetitions (50 for the page's calls and 100 for "
        "creating a profile, 20 for each report) after warm-up; load is 8 clients for 20 s, "
        "each request on a new connection. The ratio is the peer's figure over ours "
        "(ours over the peer's for requests/s); the aim is ten times on every row. The last "
        "column is the server's own time (its `Server-Timing` header, the whole middleware "
        "stack), for reading where the time goes; it is never divided into the peer's figure."
        + (
            " **This run used `--quick`** (fewer repetitions, 5 s of load): read it as a rough "
            "look."
            if run.get("quick")
            else ""
        )
        + "\n",
        "`python -m bench --compare bench/results/client.json` runs the same now and prints "
        "it beside these figures, so a regression or a different machine shows at once.\n",
        *client_table(run, peer),
    ]
