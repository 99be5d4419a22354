"""Browse the loaded frameworks from the terminal: list, show, search, crosswalk.

Element ids are accepted in any common spelling (``AC-02``, ``ac-2.1``,
``gv.oc-1``) and shown canonical (``AC-2``, ``AC-2(1)``, ``GV.OC-01``). The
framework defaults to CSF 2.0 (``csf-2.0``); others are ``csf-1.1``,
``sp800-53r5``, ``cis-v8.0``, ``cis-v8.1`` and ``iso27001-2022`` when loaded.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from csfpilot.cli import database
from csfpilot.cli.output import announce, console, emit_json, reported_errors, short_digest
from csfpilot.core.ids import DEFAULT_FRAMEWORK

app = typer.Typer(
    name="catalog",
    help="Browse a framework's elements: list, show one, search.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

FrameworkOption = Annotated[
    str,
    typer.Option(
        "--framework", "-f", help="Framework key: csf-2.0, csf-1.1, sp800-53r5, cis-v8.1, ..."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print exact JSON instead of a table.")]


def _open() -> None:
    database.ready(announce)


def _label(node: dict[str, Any]) -> str:
    """What a person reads for an element: its title, or its statement when it has none."""
    return node["title"] or node["text"]


def frameworks(
    json_output: JsonOption = False,
    full: Annotated[
        bool, typer.Option("--full", help="Show whole sha256 digests, not their first digits.")
    ] = False,
) -> None:
    """List the loaded frameworks with their element counts, source file and sha256.

    The table shows the first 12 digits of each file's sha256 (enough to tell files
    apart); --full shows all 64, and --json always gives them whole.
    """
    with reported_errors():
        _open()
        rows = database.frameworks()
    if json_output:
        emit_json(rows)
        return
    table = Table(title="Loaded frameworks", title_justify="left")
    table.add_column("Framework", ratio=1)
    table.add_column("Elements", no_wrap=True)
    table.add_column("Source file, sha256", ratio=1, overflow="fold")
    for fw in rows:
        counts = "\n".join(
            f"{c['level']}: {c['active']}"
            + (f"\n  +{c['withdrawn']} withdrawn" if c["withdrawn"] else "")
            for c in fw["level_counts"]
        )
        digest = fw["source_sha256"] if full else short_digest(fw["source_sha256"])
        title = Text(fw["key"], style="bold")
        title.append(f"\n{fw['name']} {fw['version']}", style="")
        table.add_row(title, counts, Text(f"{fw['source_file']}\n{digest}", overflow="fold"))
    console.print(table)


@app.command("list")
def list_nodes(
    framework: FrameworkOption = DEFAULT_FRAMEWORK,
    level: Annotated[
        str | None,
        typer.Option("--level", "-l", help="Only this level, e.g. function, category, control."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """List a framework's active elements in NIST's order."""
    with reported_errors():
        _open()
        rows = database.nodes(framework, level=level)
    if json_output:
        emit_json(rows)
        return
    table = Table(show_header=True, box=None, pad_edge=False)
    table.add_column("Id", no_wrap=True, style="bold")
    table.add_column("Level", style="dim", no_wrap=True)
    table.add_column("Title or outcome")
    base = min((n["depth"] for n in rows), default=0)
    for n in rows:
        indent = "  " * (n["depth"] - base)
        table.add_row(Text(indent + n["id"]), n["level"], Text(_label(n)))
    console.print(table)
    console.print(f"[dim]{len(rows)} element(s) of {framework}[/]")


@app.command("show")
def show(
    element: Annotated[str, typer.Argument(help="Element id, e.g. GV.OC-01, AC-2, ac-2.1.")],
    framework: FrameworkOption = DEFAULT_FRAMEWORK,
    json_output: JsonOption = False,
) -> None:
    """Show one element with its Implementation Examples and Informative References."""
    with reported_errors():
        _open()
        node = database.node(framework, element)
    if json_output:
        emit_json(node)
        return
    heading = Text.assemble((node["id"], "bold"), "  ", (node["level"], "dim"))
    if node["title"]:
        heading.append(f"  {node['title']}", style="bold")
    console.print(heading)
    if node["withdrawn"]:
        console.print(Text(f"Withdrawn. {node['withdrawal_note']}".strip(), style="yellow"))
        for w in node["withdrawn_to"]:
            console.print(Text(f"  {w['relation'].replace('_', ' ')} {w['target']}"))
    if node["text"]:
        console.print(Text(node["text"]))
    if node["parent"]:
        console.print(Text(f"Part of {node['parent']}", style="dim"))
    if node["children"]:
        console.print(Text("Contains " + ", ".join(node["children"]), style="dim"))
    if node["baselines"]:
        console.print(Text("Baselines: " + ", ".join(node["baselines"]), style="dim"))
    if node["examples"]:
        console.print()
        console.print("[bold]Implementation Examples[/]")
        for ex in node["examples"]:
            console.print(Text.assemble((f"{ex['title']}: ", "bold"), ex["text"]))
    if node["references"]:
        console.print()
        console.print(_references_table(node["references"], title="Informative References"))


def _references_table(refs: list[dict[str, Any]], *, title: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column("Framework", no_wrap=True)
    table.add_column("Id", no_wrap=True)
    table.add_column("Relationship", no_wrap=True)
    table.add_column("Title")
    table.add_column("Dataset")
    for r in refs:
        ident = Text(r["id"]) if r["in_catalog"] else Text(f"{r['id']} (not in catalog)", "dim")
        table.add_row(
            r["framework"],
            ident,
            r["relationship"].replace("_", " "),
            Text(r["title"]),
            Text(r["dataset_name"]),
        )
    return table


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words to find, or an element id.")],
    framework: Annotated[
        str | None,
        typer.Option("--framework", "-f", help="Only this framework (default: all loaded)."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Show at most this many.")] = 50,
    json_output: JsonOption = False,
) -> None:
    """Find elements whose id, title, text or examples contain every word of TEXT."""
    with reported_errors():
        _open()
        total, rows = database.search(text, framework=framework, limit=limit)
    if json_output:
        emit_json(rows)
        return
    table = Table(box=None, pad_edge=False)
    table.add_column("Framework", style="dim", no_wrap=True)
    table.add_column("Id", style="bold", no_wrap=True)
    table.add_column("Title or outcome")
    for n in rows:
        label = _label(n) + (" [withdrawn]" if n["withdrawn"] else "")
        table.add_row(n["framework"], n["id"], Text(label))
    console.print(table)
    console.print(f"[dim]{len(rows)} of {total} match(es)[/]")


def crosswalk(
    element: Annotated[str, typer.Argument(help="Element id, e.g. GV.OC-01 or AC-2.")],
    to: Annotated[str, typer.Option("--to", "-t", help="Framework to map to, e.g. sp800-53r5.")],
    source: Annotated[
        str, typer.Option("--from", help="Framework the element belongs to.")
    ] = DEFAULT_FRAMEWORK,
    release: Annotated[
        str | None,
        typer.Option(
            "--release", help="Only rows of crosswalks made for this release, e.g. 5.2.0."
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Only rows of this crosswalk, e.g. olir-sp800-53r5-5.2.0."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Show what an element maps to in another framework, read from both directions.

    Rows that several crosswalks give (one per release of the mapped framework) are
    shown once, with the releases they come from; --json prints every row.
    """
    with reported_errors():
        _open()
        canonical, refs, note = database.crosswalk(
            element, to=to, source=source, release=release, dataset=dataset
        )
    if json_output:
        emit_json(refs)
        return
    if note:
        console.print(Text(note, style="yellow"))
    if not refs:
        console.print(f"No loaded mapping dataset relates {canonical} ({source}) to {to}.")
        return
    console.print(_merged_table(refs, title=f"{canonical} ({source}) → {to}"))


def _merged_table(refs: list[dict[str, Any]], *, title: str) -> Table:
    """One line per element at the other end, with the releases whose crosswalks give it."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in refs:
        key = (r["id"], r["relationship"], r["comment"])
        row = merged.setdefault(key, {**r, "releases": [], "datasets": []})
        row["in_catalog"] = row["in_catalog"] or r["in_catalog"]
        row["title"] = row["title"] or r["title"]
        if r["release"] and r["release"] not in row["releases"]:
            row["releases"].append(r["release"])
        if r["dataset"] not in row["datasets"]:
            row["datasets"].append(r["dataset"])
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column("Id", no_wrap=True)
    table.add_column("Relationship", no_wrap=True)
    table.add_column("Title")
    table.add_column("Release", no_wrap=True)
    table.add_column("Dataset")
    for r in merged.values():
        ident = Text(r["id"]) if r["in_catalog"] else Text(f"{r['id']} (not loaded)", "dim")
        table.add_row(
            ident,
            r["relationship"].replace("_", " "),
            Text(r["title"]),
            ", ".join(r["releases"]) or "—",
            Text("\n".join(r["datasets"])),
        )
    return table
