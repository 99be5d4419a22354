"""``csfpilot profile``: Organizational and Community Profiles as files.

Everything here works on YAML/JSON profile files alone — no server, no
database. NIST's texts, the CSF 1.1 withdrawals and the informative
references come from the NIST files shipped with csfpilot.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from csfpilot.core.errors import CsfpilotError, InputRefused
from csfpilot.core.gaps import (
    add_candidates,
    analyse_gaps,
    candidate_actions,
    references_from_mapping_set,
)
from csfpilot.core.profiles import (
    BUILTIN_SCALES,
    OutcomeEntry,
    OutcomeFramework,
    Profile,
    ProfileKind,
    Scope,
    ScopeType,
    derive_target,
)
from csfpilot.core.scoring import compare_profiles, percent, score_profile, trend
from csfpilot.formats.native import (
    MAX_PROFILE_BYTES,
    LoadedProfile,
    format_of,
    read_profile,
    write_profile,
)
from csfpilot.formats.native.files import framework_key_of
from csfpilot.formats.native.problems import profile_problems
from csfpilot.formats.native.reference import (
    DEFAULT_CONTROLS_DATASET,
    ProfileReference,
    bundled_reference,
)
from csfpilot.formats.native.summaries import (
    comparison_summary,
    gaps_summary,
    plan_summary,
    scores_summary,
    trend_summary,
)
from csfpilot.formats.safe_json import read_limited

app = typer.Typer(
    help="Create, check, score and compare profiles kept as YAML or JSON files.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class ScaleChoice(StrEnum):
    STATUS = "status"
    MATURITY = "maturity"


class KindChoice(StrEnum):
    ORGANIZATIONAL = "organizational"
    COMMUNITY = "community"


class ScopeChoice(StrEnum):
    ORGANIZATION = "organization"
    BUSINESS_UNIT = "business-unit"
    SYSTEM = "system"
    PRODUCT = "product"


def fail(exc: BaseException | str) -> NoReturn:
    """Print a refusal on stderr and exit 1 (nothing was written)."""
    err.print(f"[bold red]error:[/] {exc}", markup=True)
    raise typer.Exit(1)


def reference_for(key: str) -> ProfileReference:
    try:
        return bundled_reference(key)
    except CsfpilotError as exc:
        fail(exc)


def reference_of_file(path: Path) -> ProfileReference:
    """The shipped framework a profile file names (CSF 2.0 when it names none)."""
    try:
        data = read_limited(path, name=str(path), max_bytes=MAX_PROFILE_BYTES)
        key = framework_key_of(data, name=str(path), fmt=format_of(path))
    except InputRefused as exc:
        fail(exc)
    return reference_for(key)


def load(path: Path) -> tuple[LoadedProfile, ProfileReference]:
    """Read a profile file and the reference of the framework it names, or exit 1."""
    ref = reference_of_file(path)
    try:
        loaded = read_profile(path, framework=ref.framework, withdrawals=ref.withdrawals)
    except InputRefused as exc:
        fail(exc)
    if loaded.profile.framework != ref.framework.key:
        fail(f"{path}: csfpilot ships no framework {loaded.profile.framework!r}")
    return loaded, ref


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        fail(f"{path} exists; pass --force to replace it")


def save(path: Path, profile: Profile, framework: OutcomeFramework) -> None:
    try:
        write_profile(path, profile, framework=framework)
    except InputRefused as exc:
        fail(exc)
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")


def pct(value: float | None) -> str:
    """A 0–100 score for a table; an em dash when nothing is assessed (never 0)."""
    return "—" if value is None else f"{value:.1f}"


@app.command()
def new(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write (.yaml, .yml, .json).")
    ],
    scale: Annotated[
        ScaleChoice, typer.Option(help="Rating scale for outcomes.")
    ] = ScaleChoice.STATUS,
    name: Annotated[str, typer.Option(help="Profile name.")] = "",
    kind: Annotated[
        KindChoice, typer.Option(help="organizational, or community (targets only).")
    ] = KindChoice.ORGANIZATIONAL,
    scope: Annotated[
        ScopeChoice, typer.Option(help="What the profile covers.")
    ] = ScopeChoice.ORGANIZATION,
    scope_name: Annotated[str, typer.Option(help="Which business unit, system or product.")] = "",
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Write a complete profile template with every CSF 2.0 outcome, ready to fill in."""
    refuse_overwrite(output, force)
    ref = reference_for("csf-2.0")
    profile_kind = ProfileKind(kind.value)
    default_name = (
        "Community Profile" if profile_kind is ProfileKind.COMMUNITY else "Organizational Profile"
    )
    profile = Profile(
        name=name or default_name,
        framework=ref.framework.key,
        kind=profile_kind,
        scope=Scope(ScopeType(scope.value), scope_name),
        scale=BUILTIN_SCALES[scale.value],
        outcomes={code: OutcomeEntry(code) for code in ref.framework.outcomes},
    )
    save(output, profile, ref.framework)
    out.print(
        f"Wrote {output}: {profile.kind.value} profile, {len(profile.outcomes)} outcomes, "
        f"scale {profile.scale.key}"
    )


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Profile files to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check profile files: structure, levels, Tiers, outcome ids (exit 1 if any is refused).

    Every problem in a file is listed, each with its line, outcome and field; a YAML
    syntax error names the line where the problem starts.
    """
    results = []
    for path in files:
        try:
            data = read_limited(path, name=str(path), max_bytes=MAX_PROFILE_BYTES)
            try:
                ref = bundled_reference(framework_key_of(data, name=str(path), fmt=format_of(path)))
            except CsfpilotError as exc:
                raise InputRefused(str(exc), file=str(path), field="framework") from None
            loaded, problems = profile_problems(
                data,
                name=str(path),
                fmt=format_of(path),
                framework=ref.framework,
                withdrawals=ref.withdrawals,
            )
        except InputRefused as exc:
            loaded, problems = None, [exc]
        if loaded is None:
            results.append(
                {
                    "file": str(path),
                    "valid": False,
                    "error": str(problems[0]),
                    "errors": [_problem(p) for p in problems],
                    "warnings": [],
                }
            )
            continue
        p = loaded.profile
        results.append(
            {
                "file": str(path),
                "valid": True,
                "name": p.name,
                "kind": p.kind.value,
                "scale": p.scale.key,
                "outcomes": len(p.outcomes),
                "included": sum(1 for _ in p.included()),
                "snapshot": p.snapshot.taken.isoformat() if p.snapshot else None,
                "errors": [],
                "warnings": list(loaded.warnings),
            }
        )
    if as_json:
        emit_json(results)
    else:
        for r in results:
            if r["valid"]:
                out.print(
                    f"{r['file']}: valid — {r['kind']} profile {r['name']!r}, "
                    f"{r['included']} of {r['outcomes']} outcomes included, scale {r['scale']}"
                )
                for w in r["warnings"]:
                    out.print(f"  warning: {w}")
            else:
                count = len(r["errors"])
                if count > 1:
                    err.print(f"[bold red]{escape(r['file'])}: {count} problems[/]")
                for problem in r["errors"]:
                    err.print(f"[bold red]error:[/] {escape(problem['message'])}")
    if not all(r["valid"] for r in results):
        raise typer.Exit(1)


def _problem(exc: InputRefused) -> dict[str, Any]:
    return {
        "message": str(exc),
        "line": exc.line,
        "element": exc.element,
        "field": exc.field,
    }


@app.command()
def score(
    file: Annotated[Path, typer.Argument(help="Profile file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Profile, Function and Category scores (0–100), current and target."""
    loaded, ref = load(file)
    profile, fw = loaded.profile, ref.framework
    scores = score_profile(profile, fw)
    if as_json:
        emit_json(scores_summary(profile, scores, fw))
        return
    table = Table(title=f"{profile.name} — scale {profile.scale.key}, roll-up {profile.rollup}")
    numbers = ("Current", "Target", "Rated", "Unrated", "N/A")
    # The titles take what the five number columns and the borders leave of the terminal.
    room = out.width - sum(len(c) + 3 for c in numbers) - 4
    table.add_column("", no_wrap=True, max_width=max(16, min(room, 48)), overflow="ellipsis")
    for col in numbers:
        table.add_column(col, justify="right", no_wrap=True, min_width=len(col))
    rows = [(scores.profile, "Profile")]
    for g in fw.groups:
        node = scores.group(g.code)
        indent = "  " * fw.group_levels.index(g.level)
        rows.append((node, f"{indent}{g.code} {node.title}"))
    for node, label in rows:
        table.add_row(
            label,
            pct(node.current.percent),
            pct(node.target.percent),
            str(node.current.assessed),
            str(node.current.not_assessed),
            str(node.current.not_applicable),
        )
    out.print(table, soft_wrap=False)
    out.print(
        "Scores 0–100; — means nothing beneath is assessed yet. "
        "Rated / Unrated / N/A count included outcomes on the current side.",
        soft_wrap=False,
    )


@app.command()
def gap(
    file: Annotated[Path, typer.Argument(help="Profile file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the gaps as JSON.")] = False,
) -> None:
    """Outcomes below target, in action-plan order (priority weight × gap)."""
    loaded, ref = load(file)
    profile, fw = loaded.profile, ref.framework
    gaps = analyse_gaps(profile, fw)
    if as_json:
        emit_json(gaps_summary(profile, gaps, fw))
        return
    with_gap = gaps.with_gap()
    rows = [
        (
            str(i),
            g.outcome,
            g.priority.value if g.priority else "-",
            str(g.current.key),
            str(g.target.key),
            f"{percent(g.gap):.1f}",
            f"{percent(g.rank):.1f}",
            g.owner,
        )
        for i, g in enumerate(with_gap, 1)
    ]
    table = Table(title=f"{profile.name}: {len(with_gap)} outcomes below target")
    headers = ("#", "Outcome", "Priority", "Current", "Target", "Gap", "Rank")
    used = 1
    for n, col in enumerate(headers):
        width = max([len(col), *(len(r[n]) for r in rows)])
        used += width + 3
        table.add_column(
            col,
            no_wrap=True,
            min_width=width,
            justify="right" if col in ("#", "Gap", "Rank") else "left",
        )
    # The owner takes what is left of the terminal (shortened with "…"), up to 20 characters.
    owner_width = max(5, min(20, out.width - used - 3))
    table.add_column("Owner", no_wrap=True, overflow="ellipsis", max_width=owner_width)
    for row in rows:
        table.add_row(*row)
    out.print(table, soft_wrap=False)
    if gaps.not_comparable:
        out.print(
            f"{len(gaps.not_comparable)} included outcomes are not rated on both sides "
            "(or not applicable) and have no gap yet.",
            soft_wrap=False,
        )


@app.command()
def plan(
    file: Annotated[Path, typer.Argument(help="Profile file.")],
    controls: Annotated[
        str, typer.Option(help="Crosswalk that suggests controls for each outcome.")
    ] = DEFAULT_CONTROLS_DATASET,
    write: Annotated[
        bool, typer.Option(help="Add an action to the file for every uncovered gap.")
    ] = False,
    due: Annotated[
        str, typer.Option(help="Due date (YYYY-MM-DD) for actions added with --write.")
    ] = "",
    milestone: Annotated[str, typer.Option(help="Milestone for actions added with --write.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """The action plan (POA&M): candidate actions from gaps, with suggested controls."""
    loaded, ref = load(file)
    profile, fw = loaded.profile, ref.framework
    if profile.is_snapshot and write:
        fail(f"{file} is a snapshot; snapshots never change")
    try:
        refs = references_from_mapping_set(ref.mapping_set(controls))
    except CsfpilotError as exc:
        fail(exc)
    due_date = None
    if due:
        try:
            due_date = date.fromisoformat(due)
        except ValueError:
            fail(f"--due {due!r} is not a date as YYYY-MM-DD")
    candidates = candidate_actions(profile, analyse_gaps(profile, fw), refs)
    added = []
    if write:
        profile, added = add_candidates(profile, candidates, due=due_date, milestone=milestone)
        save(file, profile, fw)
        candidates = candidate_actions(profile, analyse_gaps(profile, fw), refs)
    if as_json:
        emit_json(plan_summary(profile, candidates))
        return
    table = Table(title=f"{profile.name}: action plan candidates")
    for col in ("#", "Outcome", "Action", "Rank", "Suggested controls", "Covered by"):
        table.add_column(col)
    for i, c in enumerate(candidates, 1):
        table.add_row(
            str(i),
            c.outcome,
            c.title,
            f"{percent(c.gap.rank):.1f}",
            ", ".join(c.suggested_controls[:8]) + (" …" if len(c.suggested_controls) > 8 else ""),
            ", ".join(c.covered_by) or "-",
        )
    out.print(table, soft_wrap=False)
    if write:
        out.print(f"Added {len(added)} actions to {file}.")


@app.command()
def diff(
    before: Annotated[Path, typer.Argument(help="The earlier profile or snapshot.")],
    after: Annotated[Path, typer.Argument(help="The later profile or snapshot.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """What changed between two profiles or snapshots, and how the scores moved."""
    a, ref = load(before)
    b, _ = load(after)
    comparison = compare_profiles(a.profile, b.profile, ref.framework)
    summary = comparison_summary(comparison)
    if as_json:
        emit_json(summary)
        return
    changes = Table(
        title=f"{len(comparison.changes)} changes: {summary['before']} → {summary['after']}"
    )
    for col in ("Element", "Field", "Before", "After"):
        changes.add_column(col)
    for c in comparison.changes:
        changes.add_row(c.element or "(profile)", c.field, _show(c.before), _show(c.after))
    out.print(changes, soft_wrap=False)
    moved = Table(title="Scores")
    for col in ("", "Current", "Δ", "Target", "Δ"):
        moved.add_column(col, justify="left" if not col else "right")
    for row in summary["scores"]:
        moved.add_row(
            row["id"] or "Profile",
            f"{pct(row['current_before'])} → {pct(row['current_after'])}",
            _delta(row["current_delta"]),
            f"{pct(row['target_before'])} → {pct(row['target_after'])}",
            _delta(row["target_delta"]),
        )
    out.print(moved, soft_wrap=False)


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "[]"
    if value == "":
        return '""'
    return str(value)


def _delta(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}"


@app.command("derive-target")
def derive_target_cmd(
    community: Annotated[Path, typer.Argument(help="The Community Profile (kind: community).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write the result to.")],
    base: Annotated[
        Path | None,
        typer.Option("--from", help="The organization's profile to take the targets onto."),
    ] = None,
    name: Annotated[str, typer.Option(help="Name of the derived profile.")] = "",
    keep_higher: Annotated[
        bool, typer.Option(help="Keep your own targets where they are above the community's.")
    ] = False,
    force: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON.")] = False,
) -> None:
    """Derive a Target Profile from a Community Profile, showing what it changes."""
    refuse_overwrite(output, force)
    c, ref = load(community)
    b = load(base)[0].profile if base is not None else None
    try:
        derived, changes = derive_target(
            c.profile, b, name=name or None, framework=ref.framework, keep_higher=keep_higher
        )
    except InputRefused as exc:
        fail(exc)
    save(output, derived, ref.framework)
    if as_json:
        emit_json(
            {
                "output": str(output),
                "based_on": derived.based_on,
                "changes": [
                    {
                        "element": ch.element,
                        "field": ch.field,
                        "before": ch.before,
                        "after": ch.after,
                    }
                    for ch in changes
                ],
            }
        )
        return
    table = Table(title=f"Targets from {c.profile.name!r}: {len(changes)} differences")
    for col in ("Element", "Field", "Before", "After"):
        table.add_column(col)
    for ch in changes:
        table.add_row(ch.element or "(profile)", ch.field, _show(ch.before), _show(ch.after))
    out.print(table, soft_wrap=False)
    out.print(f"Wrote {output}.")


@app.command()
def snapshot(
    file: Annotated[Path, typer.Argument(help="Profile file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Snapshot file to write.")],
    label: Annotated[str, typer.Option(help="What the snapshot is, e.g. 'Q1 2025 review'.")] = "",
    taken: Annotated[
        str, typer.Option(help="When it was taken (ISO 8601 with a time zone); default: now.")
    ] = "",
    force: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
) -> None:
    """Save an immutable, dated copy of a profile for history and trends."""
    refuse_overwrite(output, force)
    loaded, ref = load(file)
    when = datetime.now(UTC).replace(microsecond=0)
    if taken:
        try:
            when = datetime.fromisoformat(taken)
        except ValueError:
            fail(f"--taken {taken!r} is not an ISO 8601 date and time")
        if when.tzinfo is None:
            fail("--taken needs a time zone (e.g. 2025-03-31T17:00:00+00:00)")
    snap = loaded.profile.snapshot_of(when, label)
    save(output, snap, ref.framework)
    out.print(f"Wrote snapshot {output} ({when.isoformat()}).")


@app.command("trend")
def trend_cmd(
    files: Annotated[
        list[Path], typer.Argument(help="Snapshots (and optionally the live profile).")
    ],
    level: Annotated[
        str, typer.Option(help="Group level to chart: function or category.")
    ] = "function",
    as_json: Annotated[bool, typer.Option("--json", help="Print the series as JSON.")] = False,
) -> None:
    """Scores over time across snapshots, oldest first."""
    loaded = [load(f) for f in files]
    ref = loaded[0][1]
    if level not in ref.framework.group_levels:
        fail(f"--level must be one of {', '.join(ref.framework.group_levels)}")
    points = trend([lp.profile for lp, _ in loaded], ref.framework)
    summary = trend_summary(points, ref.framework, level)
    if as_json:
        emit_json(summary)
        return
    table = Table(title="Current score over time (target in brackets)")
    table.add_column("")
    for p in summary["points"]:
        table.add_column(p["label"] or "now", justify="right")
    for s in summary["series"]:
        table.add_row(
            s["id"] or "Profile",
            *(f"{pct(c)} ({pct(t)})" for c, t in zip(s["current"], s["target"], strict=True)),
        )
    out.print(table, soft_wrap=False)
