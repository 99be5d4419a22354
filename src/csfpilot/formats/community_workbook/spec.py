"""Which sheet and columns of a workbook hold what: the small mapping file.

A sector publishes its Community Profile as a workbook of its own making.
Instead of asking it to use csfpilot's layout, the import is told where
things are, in a few lines of YAML (the web wizard builds the same thing
from its drop-downs)::

    name: Water Sector Community Profile
    publisher: Example Water ISAC
    version: "1.0"
    terms: CC BY 4.0
    scale: status            # the scale the targets are read onto (status | maturity)
    sheet: Structure         # the sheet with one row per outcome or statement
    header_row: 3            # optional: where the headers are (else found by the id header)
    columns:
      id: ID                 # header text or column letter; required
      included: In profile   # optional: yes / no / x ...
      priority: Priority     # optional: high / medium / low, 1-3
      target: Tiering        # optional: the target level, free text (see values)
      rationale: Rationale   # optional
      text: Statement        # optional: the statement itself
      parent: Parent         # optional: the statement above it
      extra: [Guidance]      # optional: more text kept with the outcome
    mapping:                 # optional: the ids above are the sector's own statements,
      sheet: Mapping         # and this sheet maps each to CSF 2.0 Subcategories
      statement: Statement ID
      subcategory: CSF 2.0 Subcategory
    values:                  # optional: how a typed target reads, when the proposal is wrong
      Tier 3: fully
      Baseline: null         # null: leave it not rated

Without ``mapping`` the ``id`` column holds CSF 2.0 outcome ids themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.formats.native.yaml_reader import load_yaml
from csfpilot.formats.safe_json import decode_utf8, read_limited

MAX_SPEC_BYTES = 64 * 1024
TEXT_MAX = 2_000
COLUMN_ROLES = ("id", "included", "priority", "target", "rationale", "text", "parent")


@dataclass(frozen=True)
class StatementMapping:
    """The sheet that maps a profile's own statements to CSF 2.0 Subcategories."""

    sheet: str
    statement: str
    subcategory: str
    header_row: int | None = None


@dataclass(frozen=True)
class CommunitySpec:
    """Where a Community Profile workbook keeps its targets, and who published it."""

    name: str
    sheet: str
    columns: Mapping[str, str]  # role → header text or column letter
    publisher: str = ""
    version: str = ""
    terms: str = ""
    scale: str = "status"
    header_row: int | None = None
    extra: tuple[str, ...] = ()
    mapping: StatementMapping | None = None
    values: Mapping[str, str | int | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The spec as the mapping file writes it (kept with the stored profile)."""
        out: dict[str, Any] = {
            "name": self.name,
            "publisher": self.publisher,
            "version": self.version,
            "terms": self.terms,
            "scale": self.scale,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "columns": {**self.columns, "extra": list(self.extra)},
            "values": dict(self.values),
        }
        if self.mapping is not None:
            out["mapping"] = {
                "sheet": self.mapping.sheet,
                "statement": self.mapping.statement,
                "subcategory": self.mapping.subcategory,
                "header_row": self.mapping.header_row,
            }
        return out


def _text(doc: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = doc.get(key)
    if value is None or value == "":
        if required:
            raise InputRefused(f"{key} is required", field=f"{where}{key}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputRefused(f"{key} must be text", field=f"{where}{key}")
    text = str(value).strip()
    if len(text) > TEXT_MAX:
        raise InputRefused(f"{key} is longer than {TEXT_MAX} characters", field=f"{where}{key}")
    return text


def _row(doc: Mapping[str, Any], key: str, where: str) -> int | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise InputRefused(f"{key} must be a row number from 1", field=f"{where}{key}")
    return value


def _mapping(doc: Any, field_name: str) -> Mapping[str, Any]:
    if not isinstance(doc, dict):
        raise InputRefused("must be a mapping of names to values", field=field_name)
    return doc


def spec_from_dict(doc: Any) -> CommunitySpec:
    """A spec from parsed YAML or a form; refuses with the field at fault."""
    doc = _mapping(doc, "(top)")
    known = {"name", "publisher", "version", "terms", "scale", "sheet", "header_row"}
    known |= {"columns", "mapping", "values"}
    unknown = sorted(str(k) for k in doc if k not in known)
    if unknown:
        raise InputRefused(
            f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            field=unknown[0],
        )
    columns_doc = _mapping(doc.get("columns"), "columns")
    columns: dict[str, str] = {}
    for role in columns_doc:
        if role == "extra":
            continue
        if role not in COLUMN_ROLES:
            raise InputRefused(
                f"unknown column role {role!r}; roles: {', '.join((*COLUMN_ROLES, 'extra'))}",
                field=f"columns.{role}",
            )
        text = _text(columns_doc, role, "columns.")
        if text:
            columns[role] = text
    if "id" not in columns:
        raise InputRefused("name the column that holds the outcome ids", field="columns.id")
    extra_doc = columns_doc.get("extra") or []
    if isinstance(extra_doc, str):
        extra_doc = [extra_doc]
    if not isinstance(extra_doc, list) or not all(isinstance(e, str) for e in extra_doc):
        raise InputRefused("extra must be a list of column names", field="columns.extra")
    mapping = None
    if doc.get("mapping") is not None:
        m = _mapping(doc["mapping"], "mapping")
        mapping = StatementMapping(
            sheet=_text(m, "sheet", "mapping.", required=True),
            statement=_text(m, "statement", "mapping.", required=True),
            subcategory=_text(m, "subcategory", "mapping.", required=True),
            header_row=_row(m, "header_row", "mapping."),
        )
    values_doc = _mapping(doc.get("values") or {}, "values")
    values: dict[str, str | int | None] = {}
    for raw, level in values_doc.items():
        if level is not None and (isinstance(level, bool) or not isinstance(level, str | int)):
            raise InputRefused("a value maps to a level key or null", field=f"values.{raw}")
        values[str(raw)] = level
    return CommunitySpec(
        name=_text(doc, "name", "", required=True),
        sheet=_text(doc, "sheet", "", required=True),
        columns=columns,
        publisher=_text(doc, "publisher", ""),
        version=_text(doc, "version", ""),
        terms=_text(doc, "terms", ""),
        scale=_text(doc, "scale", "") or "status",
        header_row=_row(doc, "header_row", ""),
        extra=tuple(e.strip() for e in extra_doc if e.strip()),
        mapping=mapping,
        values=values,
    )


def read_spec(data: bytes, *, name: str) -> CommunitySpec:
    """Read a mapping file (YAML); a refusal names the file and the line."""
    text = decode_utf8(read_limited(data, name=name, max_bytes=MAX_SPEC_BYTES), name=name)
    doc, lines = load_yaml(text, name=name)
    try:
        return spec_from_dict(doc)
    except InputRefused as exc:
        path = tuple((exc.field or "").split(".")) if exc.field else ()
        line = lines.get(path) or (lines.get(path[:1]) if path else None)
        raise InputRefused(exc.message, file=name, line=line, field=exc.field) from None
