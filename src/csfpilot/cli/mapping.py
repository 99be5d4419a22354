"""`csfpilot map suggest`: propose target outcomes for every requirement of a framework.

The mapping assistant (:mod:`csfpilot.mapping`) reads the two loaded frameworks
and every loaded crosswalk dataset from the database, and answers for each
assessable requirement of the source framework the best target outcomes, with
a score in [0, 1] and the reasons (shared terms, crosswalk paths, semantic
similarity). It proposes only: nothing is written.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from csfpilot.cli import database
from csfpilot.cli.output import announce, console, emit_json, reported_errors
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import DEFAULT_FRAMEWORK

app = typer.Typer(
    name="map",
    help="The mapping assistant: propose crosswalk rows for a framework's requirements.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

METHODS = ("combined", "lexical", "semantic", "crosswalk")


@app.command()
def suggest(
    source: Annotated[
        str,
        typer.Option("--from", help="Framework whose requirements are mapped, e.g. sp800-53r5."),
    ],
    target: Annotated[str, typer.Option("--to", help="Framework to map to.")] = DEFAULT_FRAMEWORK,
    top: Annotated[
        int, typer.Option("--top", min=1, max=50, help="Proposals per requirement.")
    ] = 5,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="combined (default), or one scorer alone: lexical, semantic, crosswalk.",
        ),
    ] = "combined",
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude-dataset",
            help="Do not walk this crosswalk dataset (repeatable), e.g. to check the "
            "assistant against a dataset it would otherwise see.",
        ),
    ] = None,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json",
            help='Print [{"source": id, "suggestions": [{"id", "score", "reasons"}]}] '
            "in rank order, one entry per assessable requirement.",
        ),
    ] = False,
) -> None:
    """Propose the best TARGET outcomes for each requirement of a loaded framework.

    Each proposal has a score in [0, 1] and its reasons: terms it shares with the
    outcome and its Implementation Examples, paths through loaded crosswalks
    (e.g. the requirement cites an SP 800-53 control that NIST maps to CSF 2.0),
    and semantic similarity from a small multilingual model that runs offline
    (English and Traditional Chinese texts). The first run loads the model and
    computes the target outcomes' vectors once (a few seconds); later runs read
    them from the cache. Nothing is written: proposals become a crosswalk only
    after review.
    """
    from csfpilot.mapping import as_json
    from csfpilot.mapping import suggest as run

    with reported_errors():
        if method not in METHODS:
            raise InputRefused(f"--method {method!r}: choose one of {', '.join(METHODS)}")
        database.ready(announce)
        source_catalog, target_catalog, crosswalks = database.mapping_inputs(source, target)
        if source_catalog.info.key == target_catalog.info.key:
            raise InputRefused(f"--from and --to name the same framework ({source})")
        results = run(
            source_catalog,
            target_catalog,
            crosswalks=crosswalks,
            top=top,
            method=method,
            exclude_datasets=exclude or (),
        )
    payload = as_json(results)
    if json_output:
        emit_json(payload)
        return
    _table(payload, source_catalog.info.key, target_catalog.info.key)


def _table(payload: list[dict[str, Any]], source: str, target: str) -> None:
    table = Table(title=f"{source} → {target}: proposals, best first", show_lines=True)
    table.add_column("requirement", no_wrap=True)
    table.add_column(target, no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("reasons")
    for entry in payload:
        first = True
        for c in entry["suggestions"]:
            reasons = "\n".join(escape(r["detail"]) for r in c["reasons"][:3])
            table.add_row(entry["source"] if first else "", c["id"], f"{c['score']:.2f}", reasons)
            first = False
        if first:
            table.add_row(entry["source"], "—", "", "no proposal")
    console.print(table)
    console.print(
        f"[dim]{len(payload)} requirement(s). Proposals only: review them before any "
        "crosswalk is made.[/]"
    )
