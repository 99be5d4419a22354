"""Profile files on disk: reading them safely, writing them atomically.

Reading refuses a file bigger than :data:`MAX_PROFILE_BYTES` by its size
before reading a byte, then parses it (YAML or JSON, chosen by extension),
builds the profile, checks it against its framework, and finally against the
published JSON Schema. Any refusal names the file, the outcome, the field and,
for YAML, the line.

Writing renders the whole file in memory, checks it against the schema, and
replaces the old file in one step (a temporary file in the same folder, then
``os.replace``): a crash or a full disk never leaves half a profile behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import CSF_2_0
from csfpilot.core.profiles import (
    OutcomeFramework,
    Profile,
    WithdrawalIndex,
    check_profile,
    csf_2_0,
)
from csfpilot.formats.limits import IMPORT_MAX_BYTES
from csfpilot.formats.native.document import from_document, to_document
from csfpilot.formats.native.schema import check_schema
from csfpilot.formats.native.yaml_reader import Path_, load_yaml
from csfpilot.formats.native.yaml_writer import dump_yaml
from csfpilot.formats.safe_json import decode_utf8, load_json, read_limited

MiB = 1024 * 1024
MAX_PROFILE_BYTES = IMPORT_MAX_BYTES
"""``CSFPILOT_IMPORT_MAX_MB`` (default 8 MiB; see :mod:`csfpilot.formats.limits`)."""

Format = Literal["yaml", "json"]
_SUFFIXES: dict[str, Format] = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def format_of(path: Path) -> Format:
    """``yaml`` or ``json`` from the file name; anything else is refused."""
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        hint = ""
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
            hint = (
                "; a workbook is imported onto a profile from its Excel/OSCAL import page, "
                "or with 'csfpilot import profile-xlsx'"
            )
        raise InputRefused(f"a profile file ends in .yaml, .yml or .json{hint}", file=path.name)
    return fmt


@dataclass(frozen=True)
class LoadedProfile:
    """A profile read from a file, with the warnings its checks raised."""

    profile: Profile
    warnings: tuple[str, ...] = ()
    format: Format = "yaml"
    lines: dict[Path_, int] = field(default_factory=dict, repr=False, compare=False)


_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _path_of(element: str | None, field_name: str | None, doc: Any) -> Path_:
    base: Path_ = ()
    outcomes = doc.get("outcomes") if isinstance(doc, dict) else None
    if element and isinstance(outcomes, dict) and element in outcomes:
        base = ("outcomes", element)
    parts: list[str | int] = []
    for name, index in _FIELD_PART.findall(field_name or ""):
        parts.append(int(index) if index else name)
    return (*base, *parts)


def _line_for(path: Path_, lines: dict[Path_, int]) -> int | None:
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _located(exc: InputRefused, name: str, doc: Any, lines: dict[Path_, int]) -> InputRefused:
    line = exc.line or _line_for(_path_of(exc.element, exc.field, doc), lines)
    return type(exc)(
        exc.message,
        file=name,
        line=line,
        element=exc.element,
        field=exc.field,
        sheet=exc.sheet,
        row=exc.row,
        column=exc.column,
    )


def _plain(value: Any) -> Any:
    """YAML dates and times as the ISO strings JSON would carry (for the schema check)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def framework_key_of(data: bytes, *, name: str, fmt: Format) -> str:
    """The framework a profile file names (CSF 2.0 when it names none or cannot be
    read: the full reader then reports why)."""
    try:
        if fmt == "yaml":
            doc, _ = load_yaml(decode_utf8(data, name=name), name=name)
        else:
            doc = load_json(data, name=name, max_bytes=MAX_PROFILE_BYTES, max_depth=32)
    except InputRefused:
        return CSF_2_0
    key = doc.get("framework") if isinstance(doc, dict) else None
    return key if isinstance(key, str) and key else CSF_2_0


def default_framework(key: str) -> OutcomeFramework:
    if key == CSF_2_0:
        return csf_2_0()
    raise InputRefused(f"no framework with the key {key!r} is known here", field="framework")


def parse_profile(
    data: bytes,
    *,
    name: str,
    fmt: Format,
    framework: OutcomeFramework | None = None,
    withdrawals: WithdrawalIndex | None = None,
) -> LoadedProfile:
    """Read a profile from bytes already in memory (uploads, tests)."""
    lines: dict[Path_, int] = {}
    if fmt == "yaml":
        text = decode_utf8(read_limited(data, name=name, max_bytes=MAX_PROFILE_BYTES), name=name)
        doc, lines = load_yaml(text, name=name)
    else:
        doc = load_json(data, name=name, max_bytes=MAX_PROFILE_BYTES, max_depth=32)
    try:
        profile = from_document(doc)
        fw = framework or default_framework(profile.framework)
        warnings = check_profile(profile, fw, withdrawals)
        check_schema(_plain(doc))
    except InputRefused as exc:
        raise _located(exc, name, doc, lines) from None
    return LoadedProfile(profile, tuple(warnings), fmt, lines)


def read_profile(
    path: Path | str,
    *,
    framework: OutcomeFramework | None = None,
    withdrawals: WithdrawalIndex | None = None,
) -> LoadedProfile:
    """Read and check a profile file (``.yaml``, ``.yml`` or ``.json``).

    ``framework`` says which outcomes are assessable (default: CSF 2.0 for a
    ``csf-2.0`` file); ``withdrawals`` lets a withdrawn CSF 1.1 id be refused
    with where it went.
    """
    path = Path(path)
    fmt = format_of(path)
    data = read_limited(path, name=str(path), max_bytes=MAX_PROFILE_BYTES)
    return parse_profile(
        data, name=str(path), fmt=fmt, framework=framework, withdrawals=withdrawals
    )


def dump_profile(
    profile: Profile, fmt: Format = "yaml", *, framework: OutcomeFramework | None = None
) -> str:
    """The text of a profile file; checked against the schema before it is returned."""
    order = list(framework.outcomes) if framework is not None else None
    doc = to_document(profile, order=order)
    check_schema(doc)
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return dump_yaml(doc, framework)


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step, keeping the old file's permissions."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_profile(
    path: Path | str,
    profile: Profile,
    *,
    framework: OutcomeFramework | None = None,
    fmt: Format | None = None,
) -> None:
    """Write a profile atomically; the format follows the extension unless given."""
    path = Path(path)
    text = dump_profile(profile, fmt or format_of(path), framework=framework)
    atomic_write_text(path, text)
