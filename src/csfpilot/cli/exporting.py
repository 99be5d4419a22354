"""``csfpilot export``: write a framework or a crosswalk as OSCAL JSON, CSV or Excel.

``csfpilot export framework csf-2.0 --format oscal -o csf-2.0.oscal.json``
reads the framework from the database; with ``--from FILE`` it reads it
straight from a framework file instead (NIST's JSON, an OSCAL catalog, a
CISO Assistant library...), so no database is needed. The same for
``csfpilot export crosswalk DATASET --format oscal-mapping|csv|xlsx``.

The file is written next to its destination and renamed into place, so an
interrupted export never leaves half a file; ``-o -`` writes to standard
output.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from csfpilot.cli import database
from csfpilot.cli.output import EXIT_REFUSED, announce, err_console, fail, reported_errors
from csfpilot.core.catalog import Catalog, ImportBundle, MappingSet
from csfpilot.core.errors import NotFound

app = typer.Typer(
    name="export",
    help="Write a framework or a crosswalk as OSCAL JSON, CSV or Excel.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


class FrameworkFormat(StrEnum):
    oscal = "oscal"
    csv = "csv"
    xlsx = "xlsx"


class CrosswalkFormat(StrEnum):
    oscal_mapping = "oscal-mapping"
    csv = "csv"
    xlsx = "xlsx"


OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="File to write (default: KEY plus the format's extension); - for standard output.",
        dir_okay=False,
    ),
]
FromOption = Annotated[
    Path | None,
    typer.Option(
        "--from",
        help="Read from this framework file instead of the database.",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
]


def _read(path: Path) -> ImportBundle:
    from csfpilot.formats.detect import read_framework_file

    with err_console.status(f"Reading {escape(path.name)}…"):
        return read_framework_file(path)


def _write(data: bytes, output: Path) -> None:
    """Replace ``output`` with ``data`` in one step (or write to stdout for ``-``)."""
    if str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    directory = output.parent if str(output.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _done(output: Path, what: str, size: int) -> None:
    if str(output) != "-":
        err_console.print(f"Wrote [bold]{escape(str(output))}[/]: {escape(what)} ({size:,} bytes)")


def _pick_catalog(bundle: ImportBundle, key: str, source: Path) -> Catalog:
    for cat in bundle.catalogs:
        if cat.info.key == key:
            return cat
    found = ", ".join(c.info.key for c in bundle.catalogs) or "none"
    raise NotFound(f"{source.name} holds no framework {key!r} (it holds: {found})")


@app.command("framework")
def framework(
    key: Annotated[str, typer.Argument(help="Framework key, e.g. csf-2.0 or sp800-53r5.")],
    fmt: Annotated[
        FrameworkFormat, typer.Option("--format", "-f", help="oscal, csv or xlsx.")
    ] = FrameworkFormat.oscal,
    output: OutputOption = None,
    source: FromOption = None,
) -> None:
    """Export a framework: an OSCAL catalog (imports back unchanged), CSV or Excel."""
    from csfpilot.formats.framework_export import export_framework

    with reported_errors():
        if source is not None:
            catalog = _pick_catalog(_read(source), key.strip().lower(), source)
        else:
            database.ready(announce)
            catalog = database.export_catalog(key)
        file = export_framework(catalog, fmt.value)
        target = output or Path(file.filename)
        try:
            _write(file.content, target)
        except OSError as exc:
            fail(f"cannot write {target}: {exc.strerror or exc}", EXIT_REFUSED)
    _done(
        target,
        f"{catalog.info.key}, {len(catalog.nodes)} elements as {fmt.value}",
        len(file.content),
    )


def _pick_crosswalk(
    bundle: ImportBundle, key: str, source: Path
) -> tuple[MappingSet, Catalog | None, Catalog | None]:
    catalogs = {c.info.key: c for c in bundle.catalogs}
    for ms in bundle.mapping_sets:
        if ms.info.key == key:
            return (
                ms,
                catalogs.get(ms.info.source_framework),
                catalogs.get(ms.info.target_framework),
            )
    found = ", ".join(ms.info.key for ms in bundle.mapping_sets) or "none"
    raise NotFound(f"{source.name} holds no crosswalk {key!r} (it holds: {found})")


@app.command("crosswalk")
def crosswalk(
    dataset: Annotated[
        str, typer.Argument(help="Crosswalk dataset key, e.g. olir-sp800-53r5-5.1.1.")
    ],
    fmt: Annotated[
        CrosswalkFormat, typer.Option("--format", "-f", help="oscal-mapping, csv or xlsx.")
    ] = CrosswalkFormat.oscal_mapping,
    output: OutputOption = None,
    source: FromOption = None,
) -> None:
    """Export a crosswalk: an OSCAL mapping collection, CSV or Excel."""
    from csfpilot.formats.framework_export import export_crosswalk

    with reported_errors():
        if source is not None:
            ms, src, dst = _pick_crosswalk(_read(source), dataset.strip(), source)
        else:
            database.ready(announce)
            ms, src, dst = database.export_crosswalk(dataset)
        file = export_crosswalk(ms, fmt.value, source=src, target=dst)
        target = output or Path(file.filename)
        try:
            _write(file.content, target)
        except OSError as exc:
            fail(f"cannot write {target}: {exc.strerror or exc}", EXIT_REFUSED)
    _done(target, f"{ms.info.key}, {len(ms.mappings)} rows as {fmt.value}", len(file.content))
