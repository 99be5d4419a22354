"""Reading a profile workbook back, after a person edited it in Excel or LibreOffice.

The workbook is opened with :func:`csfpilot.formats.xlsx_safety.open_workbook`
(size, zip-bomb and XML-entity checks first), cells are read as data, never
evaluated: a cell holding a formula is refused, since its value would be
whatever the program that last saved it computed. Every refusal names the
sheet, the row and the column (``'Current and Target Profile'!H12: 'mostly'
is not a level of the 'status' scale``), and nothing is stored from a refused
workbook: this module only builds a :class:`~csfpilot.core.profiles.Profile`.

What is read: every column with a field (see
:mod:`csfpilot.formats.profile_xlsx.layout`). The Function, Category and
outcome description columns are NIST's text, written for the reader's
benefit; an edit there is reported as a warning and the framework's text
kept. A column, a sheet or a row label this layout does not know is refused,
so that nothing typed into the workbook is silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import (
    BUILTIN_SCALES,
    TIER_ASPECTS,
    OutcomeFramework,
    Profile,
    Scale,
    WithdrawalIndex,
    check_profile,
    csf_2_0,
)
from csfpilot.formats.native import from_document
from csfpilot.formats.native.document import FORMAT_VERSION, scale_to_document
from csfpilot.formats.profile_xlsx import cells
from csfpilot.formats.profile_xlsx.layout import (
    ABOUT_ROWS,
    ABOUT_SHEET,
    ACTION_COLUMNS,
    ACTIONS_SHEET,
    PROFILE_COLUMNS,
    PROFILE_SHEET,
    SCALE_COLUMNS,
    SCALE_SHEET,
    SHEETS,
    TIER_COLUMNS,
    TIER_ROWS,
    TIERS_SHEET,
    WORKBOOK_FORMAT,
    Col,
    normal,
)
from csfpilot.formats.xlsx_safety import DEFAULT_MAX_BYTES, workbook

MAX_WORKBOOK_BYTES = DEFAULT_MAX_BYTES
MAX_ROWS = 10_000  # a framework has ~100-1,000 outcomes; far more is not a profile


@dataclass(frozen=True)
class WorkbookProfile:
    """A profile read from a workbook, with the warnings the reading raised."""

    profile: Profile
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _At:
    sheet: str
    row: int
    column: int | None = None
    header: str = ""

    def refuse(self, message: str, file: str) -> InputRefused:
        column = None
        if self.column is not None:
            letter = get_column_letter(self.column)
            column = f"{letter} ({self.header})" if self.header else letter
        return InputRefused(message, file=file, sheet=self.sheet, row=self.row, column=column)

    def cell(self) -> str:
        letter = get_column_letter(self.column) if self.column else ""
        return f"{self.sheet}!{letter}{self.row}"


Grid = list[tuple[int, list[Any]]]


def _grid(ws: Any, sheet: str, file: str) -> Grid:
    """The sheet's non-blank rows as (row number, values); formula cells are refused."""
    out: Grid = []
    # A sheet's declared size is often the whole grid (formatting applied to entire
    # columns); read the rows that are there instead of a million empty ones.
    ws.reset_dimensions()
    for r, row in enumerate(ws.iter_rows(), start=1):
        if r > MAX_ROWS:
            raise _At(sheet, r).refuse(f"the sheet has more than {MAX_ROWS:,} rows", file)
        values: list[Any] = []
        for c, cell in enumerate(row, start=1):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                header = out[0][1] if out and out[0][0] == 1 and r > 1 else []
                name = header[c - 1] if c <= len(header) and isinstance(header[c - 1], str) else ""
                raise _At(sheet, r, c, name).refuse(
                    f"the cell holds a formula ({str(value)[:60]}); csfpilot reads values "
                    "only and never evaluates formulas: type the value itself",
                    file,
                )
            if value == "":
                value = None
            values.append(value)
        while values and values[-1] is None:
            values.pop()
        if values:
            out.append((r, values))
    return out


def _columns(
    header: list[Any], columns: Sequence[Col], sheet: str, file: str, rows: Grid
) -> dict[str, tuple[int, Col]]:
    """Which column (1-based) holds each known header; unknown or missing ones refused."""
    by_name = {normal(c.header): c for c in columns}
    found: dict[str, tuple[int, Col]] = {}
    width = max([len(header), *(len(values) for _, values in rows)])
    header = [*header, *([None] * (width - len(header)))]
    for i, value in enumerate(header, start=1):
        if value is None:
            if any(len(vals) >= i and vals[i - 1] is not None for _, vals in rows):
                raise _At(sheet, 1, i).refuse(
                    "this column has no header but holds data; name it or move its data "
                    "into one of the template's columns",
                    file,
                )
            continue
        col = by_name.get(normal(str(value)))
        if col is None:
            missing = [c.header for c in columns if c.header not in found and c.field]
            hint = f"; columns missing from the sheet: {', '.join(missing)}" if missing else ""
            raise _At(sheet, 1, i).refuse(
                f"{str(value)!r} is not a column of this template (csfpilot refuses it rather "
                f"than drop what it holds){hint}",
                file,
            )
        if col.header in found:
            raise _At(sheet, 1, i).refuse(f"the column {col.header!r} appears twice", file)
        found[col.header] = (i, col)
    missing = [c.header for c in columns if c.field and c.header not in found]
    if missing:
        raise InputRefused(
            f"the sheet has no column {missing[0]!r} (renamed or deleted?); every one of these "
            f"is needed: {', '.join(c.header for c in columns if c.field)}",
            file=file,
            sheet=sheet,
            row=1,
        )
    return found


def _value(values: list[Any], index: int) -> Any:
    return values[index - 1] if index <= len(values) else None


class _Reader:
    def __init__(self, file: str, framework: OutcomeFramework) -> None:
        self.file = file
        self.framework = framework
        self.warnings: list[str] = []
        # where each (element, field) came from, to locate the domain's refusals
        self.places: dict[tuple[str | None, str], _At] = {}
        self.outcome_rows: dict[str, int] = {}
        self.sheet_rows: dict[str, int] = {}

    def read(self, at: _At, value: Any, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(value)
        except cells.CellError as exc:
            raise at.refuse(str(exc), self.file) from None

    # -- the Profile (about) sheet ----------------------------------------------------

    def about(self, grid: Grid) -> dict[str, Any]:
        labels = {normal(c.header): c for c in ABOUT_ROWS}
        values: dict[str, Any] = {}
        for r, row in grid[1:]:
            label = row[0] if row else None
            if label is None:
                if any(v is not None for v in row):
                    raise _At(ABOUT_SHEET, r, 1).refuse(
                        "this row has a value but no field name in column A", self.file
                    )
                continue
            col = labels.get(normal(cells.read_text(label)))
            if col is None:
                raise _At(ABOUT_SHEET, r, 1).refuse(
                    f"{cells.read_text(label)!r} is not a field of this sheet; fields: "
                    f"{', '.join(c.header for c in ABOUT_ROWS)}",
                    self.file,
                )
            at = _At(ABOUT_SHEET, r, 2, col.header)
            self.places[(None, col.field)] = at
            raw = _value(row, 2)
            values[col.field] = (
                self.read(at, raw, cells.read_key) if col.kind == "key" else cells.read_text(raw)
            )
        for required in ("name", "framework", "scale"):
            if not values.get(required):
                header = next(c.header for c in ABOUT_ROWS if c.field == required)
                raise InputRefused(
                    f"the field {header!r} needs a value", file=self.file, sheet=ABOUT_SHEET
                )
        version = values.get("format", WORKBOOK_FORMAT)
        if version not in (None, "") and (
            not isinstance(version, int) or not 1 <= version <= WORKBOOK_FORMAT
        ):
            at = self.places[(None, "format")]
            raise at.refuse(
                f"this workbook's layout is version {version!r}; this csfpilot reads up to "
                f"version {WORKBOOK_FORMAT}",
                self.file,
            )
        return values

    # -- Scale ------------------------------------------------------------------------

    def scale(self, key: str, grid: Grid) -> tuple[Scale, Any]:
        header_row, header = grid[0] if grid else (1, [])
        levels_grid: Grid = []
        extra: dict[str, tuple[int, Any]] = {}
        in_table = True
        for r, row in grid[1:]:
            if in_table and r == (levels_grid[-1][0] + 1 if levels_grid else header_row + 1):
                levels_grid.append((r, row))
                continue
            in_table = False
            label = normal(cells.read_text(row[0])) if row else ""
            if label not in ("scale name", "scale description"):
                raise _At(SCALE_SHEET, r, 1).refuse(
                    "below the levels only 'Scale name' and 'Scale description' may follow; "
                    "keep the levels in one block without blank rows",
                    self.file,
                )
            extra[label] = (r, _value(row, 2))
        found = _columns(header, SCALE_COLUMNS, SCALE_SHEET, self.file, levels_grid)
        levels: list[dict[str, Any]] = []
        for r, row in levels_grid:
            level: dict[str, Any] = {}
            for header_text, (i, col) in found.items():
                at = _At(SCALE_SHEET, r, i, header_text)
                raw = _value(row, i)
                if col.kind == "key":
                    level[col.field] = self.read(at, raw, cells.read_key)
                elif col.kind == "score":
                    level[col.field] = self.read(at, raw, cells.read_score)
                else:
                    level[col.field] = cells.read_text(raw)
                self.places[(None, f"scale.levels[{len(levels)}].{col.field}")] = at
            levels.append(level)
        name = cells.read_text(extra.get("scale name", (0, None))[1])
        description = cells.read_text(extra.get("scale description", (0, None))[1])
        if key in BUILTIN_SCALES:
            builtin = BUILTIN_SCALES[key]
            expected = scale_to_document(
                Scale(
                    key="x-" + key,
                    name=builtin.name,
                    levels=builtin.levels,
                    description=builtin.description,
                )
            )
            for i, (level, want) in enumerate(zip(levels, expected["levels"], strict=False)):
                for field in ("key", "label", "score", "hotkey", "description"):
                    if level.get(field, "") != want.get(field, "") and not (
                        field == "score" and _same_score(level.get(field), want.get(field))
                    ):
                        at = self.places.get((None, f"scale.levels[{i}].{field}"))
                        message = (
                            f"the built-in {key!r} scale cannot be changed here; to rate on "
                            "your own levels, give the scale another key on the Profile sheet"
                        )
                        raise (at or _At(SCALE_SHEET, i + 2)).refuse(message, self.file)
            if len(levels) != len(expected["levels"]):
                raise _At(SCALE_SHEET, len(levels) + 2).refuse(
                    f"the built-in {key!r} scale has {len(expected['levels'])} levels; "
                    "to rate on your own levels, give the scale another key on the Profile sheet",
                    self.file,
                )
            return builtin, key
        doc: dict[str, Any] = {"key": key, "name": name or key, "levels": levels}
        if description:
            doc["description"] = description
        for level in doc["levels"]:
            for field in ("hotkey", "description"):
                if not level.get(field):
                    level.pop(field, None)
        try:
            scale = from_document(
                {"format_version": FORMAT_VERSION, "framework": "x", "name": "x", "scale": doc}
            ).scale
        except InputRefused as exc:
            raise self.locate(exc) from None
        return scale, doc

    # -- outcomes ---------------------------------------------------------------------

    def outcomes(self, grid: Grid, scale: Scale) -> dict[str, Any]:
        if not grid:
            raise InputRefused("the sheet is empty", file=self.file, sheet=PROFILE_SHEET)
        _, header = grid[0]
        found = _columns(header, PROFILE_COLUMNS, PROFILE_SHEET, self.file, grid[1:])
        index = {col.field or col.header: i for i, col in found.values()}
        outcomes: dict[str, Any] = {}
        for r, row in grid[1:]:
            code_at = _At(PROFILE_SHEET, r, index["outcome"], "CSF Outcome")
            code = self.read(code_at, _value(row, index["outcome"]), cells.read_key)
            data_fields = [
                i for i, col in found.values() if col.field not in ("", "outcome", "included")
            ]
            filled = any(_value(row, i) is not None for i in data_fields)
            if code is None:
                if filled or _value(row, index["included"]) is not None:
                    raise code_at.refuse("this row has content but no outcome id", self.file)
                continue
            code = str(code)
            if code in self.outcome_rows:
                raise code_at.refuse(
                    f"{code} appears twice (also on row {self.outcome_rows[code]})", self.file
                )
            self.outcome_rows[code] = r
            self.shown_text(code, row, index, r)
            included_at = _At(PROFILE_SHEET, r, index["included"], "Included in Profile?")
            included = self.read(included_at, _value(row, index["included"]), cells.read_included)
            if included is None:
                if filled:
                    raise included_at.refuse(
                        "this row has content; say Yes or No in 'Included in Profile?'", self.file
                    )
                continue
            entry: dict[str, Any] = {"included": included}
            details: dict[str, dict[str, Any]] = {"current_details": {}, "target_details": {}}
            for header_text, (i, col) in found.items():
                if col.read_only or col.field in ("outcome", "included"):
                    continue
                at = _At(PROFILE_SHEET, r, i, header_text)
                self.places[(code, col.field)] = at
                raw = _value(row, i)
                value = self.cell(at, col, raw, scale)
                if "." in col.field:
                    side, name = col.field.split(".", 1)
                    if value:
                        details[side][name] = value
                elif value not in (None, ""):
                    entry[col.field] = value
            for side, values in details.items():
                if values:
                    entry[side] = values
            outcomes[code] = entry
        return outcomes

    def shown_text(self, code: str, row: list[Any], index: dict[str, int], r: int) -> None:
        i = index.get("CSF Outcome Description")
        expected = self.framework.text(code)
        if i is None or not expected:
            return
        shown = cells.read_text(_value(row, i))
        if shown and " ".join(shown.split()) != " ".join(expected.split()):
            at = _At(PROFILE_SHEET, r, i, "CSF Outcome Description")
            self.warnings.append(
                f"{at.cell()}: the description of {code} differs from {self.framework.key}'s "
                "text; it is NIST's wording and is not stored, the framework's text is kept"
            )

    def cell(self, at: _At, col: Col, raw: Any, scale: Scale) -> Any:
        if col.kind == "lines":
            return self.read(at, raw, cells.read_lines)
        if col.kind == "level":
            return self.read(at, raw, lambda v: cells.read_level(scale, v))
        if col.kind == "priority":
            return self.read(at, raw, cells.read_priority)
        if col.kind == "tier":
            return self.read(at, raw, cells.read_tier)
        if col.kind == "date":
            return self.read(at, raw, cells.read_date)
        if col.kind == "key":
            value = self.read(at, raw, cells.read_key)
            return None if value is None else str(value)
        return cells.read_text(raw)

    # -- Tiers and the action plan -----------------------------------------------------

    def tiers(self, grid: Grid) -> dict[str, Any]:
        if not grid:
            return {}
        _, header = grid[0]
        found = _columns(header, TIER_COLUMNS, TIERS_SHEET, self.file, grid[1:])
        names = {normal(v): k for k, v in TIER_ROWS.items()} | {k: k for k in TIER_ASPECTS}
        aspect_col = found["Aspect"][0]
        out: dict[str, Any] = {}
        for r, row in grid[1:]:
            at = _At(TIERS_SHEET, r, aspect_col, "Aspect")
            label = cells.read_text(_value(row, aspect_col))
            aspect = names.get(normal(label))
            if aspect is None:
                raise at.refuse(
                    f"{label!r} is not a Tier aspect; use {' or '.join(TIER_ROWS.values())}",
                    self.file,
                )
            if aspect in out:
                raise at.refuse(f"{TIER_ROWS[aspect]} appears twice", self.file)
            rating: dict[str, Any] = {}
            for header_text, (i, col) in found.items():
                if col.field == "aspect":
                    continue
                cell_at = _At(TIERS_SHEET, r, i, header_text)
                self.places[(None, f"tiers.{aspect}.{col.field}")] = cell_at
                value = self.cell(cell_at, col, _value(row, i), BUILTIN_SCALES["status"])
                if value not in (None, ""):
                    rating[col.field] = value
            out[aspect] = rating
        return out

    def actions(self, grid: Grid) -> list[dict[str, Any]]:
        if not grid:
            return []
        _, header = grid[0]
        found = _columns(header, ACTION_COLUMNS, ACTIONS_SHEET, self.file, grid[1:])
        out: list[dict[str, Any]] = []
        for r, row in grid[1:]:
            action: dict[str, Any] = {}
            self.sheet_rows[f"actions[{len(out)}]"] = r
            for header_text, (i, col) in found.items():
                at = _At(ACTIONS_SHEET, r, i, header_text)
                self.places[(None, f"actions[{len(out)}].{col.field}")] = at
                value = self.cell(at, col, _value(row, i), BUILTIN_SCALES["status"])
                if col.field == "status":
                    value = value.strip().lower() or None
                if value not in (None, "", []):
                    action[col.field] = value
            out.append(action)
        return out

    # -- refusals from the domain, placed on the sheet ---------------------------------

    def locate(self, exc: InputRefused) -> InputRefused:
        field = exc.field or ""
        element = exc.element
        if element and element in self.outcome_rows:
            key = re.sub(r"\[\d+\]$", "", field)
            at = self.places.get((element, key)) or _At(PROFILE_SHEET, self.outcome_rows[element])
            return at.refuse(exc.message, self.file)
        for length in range(len(field), 0, -1):
            at = self.places.get((None, field[:length]))
            if at is not None and (length == len(field) or field[length] in ".["):
                return at.refuse(exc.message, self.file)
        m = re.match(r"actions\[(\d+)\]", field)
        if m and field[: m.end()] in self.sheet_rows:
            return _At(ACTIONS_SHEET, self.sheet_rows[field[: m.end()]]).refuse(
                exc.message, self.file
            )
        sheet = SCALE_SHEET if field.startswith("scale") else ABOUT_SHEET
        return InputRefused(exc.message, file=self.file, sheet=sheet, element=element, field=field)


def _same_score(a: Any, b: Any) -> bool:
    from fractions import Fraction

    def frac(v: Any) -> Fraction | None:
        if v is None:
            return None
        if isinstance(v, str) and "/" in v:
            n, d = v.split("/", 1)
            return Fraction(int(n), int(d))
        return Fraction(repr(v)) if isinstance(v, float) else Fraction(v)

    try:
        return frac(a) == frac(b)
    except (ValueError, ZeroDivisionError):
        return False


def read_profile_workbook(
    source: Path | bytes,
    *,
    name: str,
    framework: OutcomeFramework | Callable[[str], OutcomeFramework],
    withdrawals: WithdrawalIndex | None = None,
) -> WorkbookProfile:
    """Read a profile workbook (as written by :func:`profile_workbook`, then edited).

    ``framework`` is the release the workbook's outcome ids are checked
    against, or a function that gives it for the key the workbook names.
    Nothing is stored; a refusal names the sheet, row and column.
    """
    fixed = framework if isinstance(framework, OutcomeFramework) else None
    reader = _Reader(name, fixed or csf_2_0())
    with workbook(source, name=name, max_bytes=MAX_WORKBOOK_BYTES, data_only=False) as wb:
        unknown = [s for s in wb.sheetnames if s not in SHEETS]
        if unknown:
            raise InputRefused(
                f"the workbook has a sheet csfpilot does not read ({unknown[0]!r}); this "
                f"template has the sheets {', '.join(SHEETS)}. Move its content into them, "
                "or delete it",
                file=name,
                sheet=unknown[0],
            )
        missing = [s for s in SHEETS if s not in wb.sheetnames]
        if missing:
            raise InputRefused(
                f"the workbook has no sheet {missing[0]!r} (renamed or deleted?); a csfpilot "
                f"profile workbook has the sheets {', '.join(SHEETS)}",
                file=name,
                sheet=missing[0],
            )
        grids = {s: _grid(wb[s], s, name) for s in SHEETS}
    about = reader.about(grids[ABOUT_SHEET])
    if fixed is None:
        try:
            reader.framework = framework(str(about["framework"]))  # type: ignore[operator]
        except InputRefused as exc:
            at = reader.places.get((None, "framework")) or _At(ABOUT_SHEET, 2)
            raise at.refuse(exc.message, name) from None
    framework = reader.framework
    scale, scale_doc = reader.scale(str(about["scale"]), grids[SCALE_SHEET])
    doc: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "kind": about.get("kind") or "organizational",
        "framework": about["framework"],
        "name": about["name"],
        "scope": {
            "type": about.get("scope.type") or "organization",
            "name": about.get("scope.name", ""),
        },
        "description": about.get("description", ""),
        "assumptions": about.get("assumptions", ""),
        "scale": scale_doc,
        "rollup": about.get("rollup") or "equal",
    }
    if about.get("based_on"):
        doc["based_on"] = about["based_on"]
    doc["tiers"] = reader.tiers(grids[TIERS_SHEET])
    doc["outcomes"] = reader.outcomes(grids[PROFILE_SHEET], scale)
    doc["actions"] = reader.actions(grids[ACTIONS_SHEET])
    if str(doc["framework"]) != framework.key:
        at = reader.places.get((None, "framework")) or _At(ABOUT_SHEET, 2)
        raise at.refuse(
            f"the workbook is for {doc['framework']!r}, but it is read against {framework.key!r}",
            name,
        )
    try:
        profile = from_document(doc)
        warnings = check_profile(profile, framework, withdrawals)
    except InputRefused as exc:
        raise reader.locate(exc) from None
    return WorkbookProfile(profile, (*reader.warnings, *warnings))
