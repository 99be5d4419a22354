"""``csfpilot evidence import-scan``: a scanner's results as evidence, from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from csfpilot.cli import database
from csfpilot.cli.output import announce, console, emit_json, reported_errors
from csfpilot.core.errors import InputRefused

FORMATS = "sarif, xccdf, hdf, ocsf, prowler-csv, asff, trivy"


def import_scan(
    file: Annotated[
        Path,
        typer.Argument(
            help="The tool's results file: SARIF, XCCDF/ARF, HDF, Prowler OCSF or CSV, "
            "ASFF, Trivy JSON.",
            show_default=False,
        ),
    ],
    org: Annotated[str, typer.Option("--org", help="The organization's short name.")],
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="Link the findings' outcomes in this profile (id or name)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"Read as this format ({FORMATS}); default: from content."),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="Your rule table for findings without NIST ids (JSON)."),
    ] = None,
    valid_days: Annotated[
        int, typer.Option("--valid-days", help="Days the scan proves anything.", min=1, max=3660)
    ] = 30,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the import summary as JSON.")
    ] = False,
) -> None:
    """Import a scanner's results as evidence, mapped to CSF 2.0 outcomes.

    The file is kept (hashed) as the newest version of its series (the same tool on
    the same scope); every finding is mapped through the SP 800-53 crosswalk, the
    CSF ids it names, or the rule table, and what could not be mapped is counted by
    reason. Outcomes rated largely or fully with failing high or critical findings
    are listed as contradicted. No rating is changed.

    Runs as the instance's operator: no sign-in, an owner's permissions, changes
    recorded without a user name.
    """
    with reported_errors():
        if not file.is_file():
            raise InputRefused("no such file", file=str(file))
        database.ready(announce)
        summary = database.evidence_import_scan(
            org, file, profile=profile, format=fmt, rules=rules, valid_days=valid_days
        )
    if as_json:
        emit_json(
            {
                k: summary[k]
                for k in ("format", "findings", "mapped", "unmapped", "outcomes", "contradicted")
            }
        )
        return
    console.print(
        f"Imported {escape(file.name)} ({summary['format']}, {escape(summary['tool'])}) as "
        f"evidence item {summary['item']} version {summary['version']}: "
        f"{summary['findings']} findings, {summary['mapped']} mapped."
    )
    for reason, count in summary["unmapped"].items():
        announce(f"not mapped: {count} ({reason})")
    table = Table(title="Findings per outcome", title_justify="left")
    for column in ("outcome", "pass", "fail", "other"):
        table.add_column(column, justify="left" if column == "outcome" else "right")
    for code, counts in summary["outcomes"].items():
        other = sum(n for k, n in counts.items() if k not in ("pass", "fail"))
        table.add_row(code, str(counts.get("pass", 0)), str(counts.get("fail", 0)), str(other))
    console.print(table)
    if summary["contradicted"]:
        announce(
            "contradicted (rated largely or fully, with failing high or critical findings): "
            + ", ".join(summary["contradicted"])
        )
