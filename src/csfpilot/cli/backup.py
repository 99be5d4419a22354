"""``csfpilot backup`` and ``csfpilot restore``: the instance, or one organization, in one file.

The archive is portable between SQLite and PostgreSQL and the same data always
gives the same bytes (see docs/backup.md). Restoring checks the whole archive
first and stores everything in one transaction, or nothing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from csfpilot.cli import database
from csfpilot.cli.output import announce, console, emit_json, reported_errors
from csfpilot.formats.backup_archive import MAX_ARCHIVE_BYTES
from csfpilot.formats.safe_json import read_limited

AsJson = Annotated[bool, typer.Option("--json", help="Print exact JSON.")]


def _write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` in one step; readable by its owner only (a backup holds secrets)."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def backup(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="The archive to write (.zip).", show_default=False),
    ],
    org: Annotated[
        str | None,
        typer.Option("--org", help="Back up only this organization (its short name)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Write a backup of the whole instance, or of one organization, to a zip archive.

    The whole instance includes every account with its password hash: keep the file as
    safe as the database. API tokens and MFA devices are never included.
    """
    with reported_errors():
        database.ready(announce)
        data, info = database.backup(org)
        _write_private(output, data)
    if as_json:
        emit_json({**info, "file": str(output)})
        return
    what = "the whole instance" if info["scope"] == "instance" else f"organization {org}"
    console.print(
        f"Wrote {output}: {what}, {len(info['organizations'])} organization(s), "
        f"{info['bytes']} bytes, SHA-256 {info['sha256']}"
    )


def restore(
    file: Annotated[Path, typer.Argument(help="A backup archive (.zip).", show_default=False)],
    as_json: AsJson = False,
) -> None:
    """Restore a backup: a whole instance into an empty database, or an organization into
    an instance that lacks it.

    The archive is checked completely first (paths, links, sizes, hashes, format
    version); then everything is stored in one transaction, or nothing.
    """
    with reported_errors():
        data = read_limited(file, name=str(file), max_bytes=MAX_ARCHIVE_BYTES)
        database.ready(announce)
        result = database.restore(data, name=file.name)
    if as_json:
        emit_json(result)
        return
    console.print(
        f"Restored {', '.join(result['organizations']) or 'no organizations'} "
        f"({result['scope']}): {result['profiles']} profile(s), "
        f"{result['audit_events']} audit event(s), {result['users_created']} new account(s)"
    )
