"""A CSF 1.1 assessment as people keep it, read as a CSF 1.1 profile.

Two sources are accepted:

- csfpilot's own profile file written for ``csf-1.1`` (YAML or JSON);
- a spreadsheet with one row per CSF 1.1 Subcategory, the columns named
  the way the Community Profile wizard names them: the id column (``ID.AM-1``;
  ``ID.AM-01`` is read too), and any of current rating, target rating and
  priority. Typed ratings ("Largely", "In progress", "3", "N/A") are read by
  :mod:`csfpilot.core.profiles.level_words`; ``values`` and the person's
  choices in the preview decide where the proposal is wrong or missing.

The result feeds :mod:`csfpilot.core.profiles.migration`. A refusal names the
file, sheet, row and column, and nothing of the file is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import csf11_canonical
from csfpilot.core.profiles import OutcomeEntry, OutcomeFramework, Priority, Profile
from csfpilot.core.profiles.checks import refuse_unknown_outcome
from csfpilot.core.profiles.level_words import read_priority
from csfpilot.core.profiles.migration import CSF_1_1
from csfpilot.formats.community_workbook.reader import (
    TypedValues,
    ValueChoice,
    ValueKey,
    scale_named,
)
from csfpilot.formats.community_workbook.sheets import Workbook
from csfpilot.formats.community_workbook.spec import MAX_SPEC_BYTES
from csfpilot.formats.native import parse_profile
from csfpilot.formats.native.yaml_reader import load_yaml
from csfpilot.formats.safe_json import decode_utf8, read_limited

RATING_ROLES = ("current", "target")


@dataclass(frozen=True)
class AssessmentColumns:
    """Where a CSF 1.1 assessment spreadsheet keeps its ids and ratings."""

    sheet: str
    id: str
    current: str = ""
    target: str = ""
    priority: str = ""
    scale: str = "status"
    header_row: int | None = None
    values: Mapping[str, ValueKey | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "id": self.id,
            "current": self.current,
            "target": self.target,
            "priority": self.priority,
            "scale": self.scale,
            "header_row": self.header_row,
            "values": dict(self.values),
        }


@dataclass(frozen=True)
class AssessmentRead:
    """A CSF 1.1 assessment, with the typed ratings and where each outcome was read."""

    profile: Profile
    values: tuple[ValueChoice, ...] = ()
    citations: Mapping[str, str] = field(default_factory=dict)


def read_assessment_sheet(
    workbook: Workbook,
    columns: AssessmentColumns,
    framework: OutcomeFramework,
    *,
    name: str,
    choices: Mapping[str, ValueKey | None] | None = None,
) -> AssessmentRead:
    """Read the chosen sheet and columns into a CSF 1.1 profile named ``name``."""
    if not (columns.current or columns.target):
        raise InputRefused("name the column with the current or the target rating", field="current")
    scale = scale_named(columns.scale)
    values = TypedValues(scale, {**columns.values, **(choices or {})})
    table = workbook.sheet(columns.sheet)
    header = table.header_row([columns.id], columns.header_row)
    id_col = table.column(header, columns.id, "outcome id")
    rating_cols = {
        role: table.column(header, getattr(columns, role), f"{role} rating")
        for role in RATING_ROLES
        if getattr(columns, role)
    }
    priority_col = table.column(header, columns.priority, "priority") if columns.priority else None
    entries: dict[str, OutcomeEntry] = {}
    citations: dict[str, str] = {}
    for row in table.below(header):
        raw = table.value(row, id_col)
        if not raw:
            continue
        code = csf11_canonical(raw) or raw
        if framework.group(code) is not None:
            continue  # Function and Category rows carry no rating of their own
        try:
            if not framework.is_outcome(code):
                refuse_unknown_outcome(raw, framework)
        except InputRefused as exc:
            table.refuse(exc.message, row=row.number, column=id_col)
        if code in entries:
            table.refuse(
                f"{code} appears twice (also on {citations[code]})", row=row.number, column=id_col
            )
        ratings: dict[str, Any] = {}
        for role, col in rating_cols.items():
            text = table.value(row, col)
            cell = f"{table.sheet}!{table.column_name(col)}{row.number}"
            ratings[role] = values.level(text, cell, table, row, col) if text else None
        priority: Priority | None = None
        if priority_col is not None:
            text = table.value(row, priority_col)
            priority = read_priority(text) if text else None
            if text and priority is None:
                table.refuse(
                    f"{text!r} is not a priority; write high, medium or low (or 1-3)",
                    row=row.number,
                    column=priority_col,
                )
        entries[code] = OutcomeEntry(code, priority=priority, **ratings)
        citations[code] = table.cite(row.number)
    if not entries:
        table.refuse(f"no row below the header (row {header.number}) names a CSF 1.1 outcome")
    ordered = {c: entries[c] for c in framework.order(entries)}
    profile = Profile(name=name, framework=CSF_1_1, scale=scale, outcomes=ordered)
    return AssessmentRead(profile, tuple(values.seen.values()), citations)


def read_assessment_file(data: bytes, *, name: str, framework: OutcomeFramework) -> AssessmentRead:
    """csfpilot's own profile file written for CSF 1.1."""
    fmt = "json" if name.lower().endswith(".json") else "yaml"
    loaded = parse_profile(data, name=name, fmt=fmt, framework=framework)
    if loaded.profile.framework != CSF_1_1:
        raise InputRefused(
            f"the profile is written for {loaded.profile.framework}; a migration starts from a "
            f"{CSF_1_1} assessment",
            file=name,
            field="framework",
        )
    return AssessmentRead(loaded.profile)


_COLUMN_KEYS = ("sheet", "id", "current", "target", "priority", "scale", "header_row", "values")


def read_assessment_columns(data: bytes, *, name: str) -> AssessmentColumns:
    """A small YAML file naming the sheet and columns (``sheet``, ``id``, ``current``,
    ``target``, ``priority``, ``scale``, ``header_row``, ``values``)."""
    text = decode_utf8(read_limited(data, name=name, max_bytes=MAX_SPEC_BYTES), name=name)
    doc, lines = load_yaml(text, name=name)
    if not isinstance(doc, dict):
        raise InputRefused("must be a mapping of names to values", file=name)

    def refuse(message: str, key: str) -> NoReturn:
        raise InputRefused(message, file=name, line=lines.get((key,)), field=key)

    for key in doc:
        if key not in _COLUMN_KEYS:
            refuse(f"unknown key {key!r}; known: {', '.join(_COLUMN_KEYS)}", str(key))
    texts: dict[str, str] = {}
    for key in ("sheet", "id", "current", "target", "priority", "scale"):
        value = doc.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            refuse(f"{key} must be text", key)
        texts[key] = "" if value is None else str(value).strip()
    for key in ("sheet", "id"):
        if not texts[key]:
            refuse(f"{key} is required", key)
    header_row = doc.get("header_row")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int)):
        refuse("header_row must be a row number", "header_row")
    values = doc.get("values") or {}
    if not isinstance(values, dict):
        refuse("values must map typed texts to level keys", "values")
    return AssessmentColumns(
        sheet=texts["sheet"],
        id=texts["id"],
        current=texts["current"],
        target=texts["target"],
        priority=texts["priority"],
        scale=texts["scale"] or "status",
        header_row=header_row,
        values={str(k): v for k, v in values.items()},
    )
