"""Reading a profile workbook back, after a person edited it in Excel or LibreOffice.

The workbook is opened with :func:`csfpilot.formats.xlsx_safety.open_workbook`
(size, zip-bomb and XML-entity checks first), cells are read as data, never
evaluated: a cell holding a formula is refused, since its value would be
whatever the program that last saved it computed. Every refusal names the
sheet, the row and the column (``'Current and Target Profile'!H12: 'mostly'
is not a level of the 'status' scale``), and nothing is stored from a refused
workbook: this module only builds a :class:`~csfpilot.core.profiles.Profile`.

What is read: every column with a field (see
:mod:`csfpilot.formats.profile_xlsx.layout`), found by what its header means
(:mod:`.headers`). The Function, Category and outcome description columns are
NIST's text, written for the reader's benefit; a difference there is reported
as one warning and the framework's text kept. Only the outcome sheet and its
outcome id column are needed, so NIST's own template as people fill it reads
too (:mod:`.outcome_rows` for its Function and Category rows and free text).
A column, a sheet or a row label this layout does not know is refused, so
that nothing typed into the workbook is silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import DEFAULT_FRAMEWORK
from csfpilot.core.profiles import (
    BUILTIN_SCALES,
    STATUS,
    TIER_ASPECTS,
    OutcomeFramework,
    Profile,
    Scale,
    WithdrawalIndex,
    check_profile,
    csf_2_0,
)
from csfpilot.formats.limits import IMPORT_MAX_BYTES
from csfpilot.formats.native import from_document
from csfpilot.formats.native.document import FORMAT_VERSION, scale_to_document
from csfpilot.formats.profile_xlsx import cells
from csfpilot.formats.profile_xlsx.free_text import Choice
from csfpilot.formats.profile_xlsx.layout import (
    ABOUT_ROWS,
    ABOUT_SHEET,
    ACTION_COLUMNS,
    ACTIONS_SHEET,
    EXPLANATORY_SHEETS,
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
from csfpilot.formats.profile_xlsx.outcome_rows import OutcomeSheet
from csfpilot.formats.profile_xlsx.sheets import At as _At
from csfpilot.formats.profile_xlsx.sheets import Grid, columns
from csfpilot.formats.profile_xlsx.sheets import grid as _grid
from csfpilot.formats.profile_xlsx.sheets import value as _value
from csfpilot.formats.xlsx_safety import workbook

MAX_WORKBOOK_BYTES = IMPORT_MAX_BYTES  # CSFPILOT_IMPORT_MAX_MB, as for every imported file


@dataclass(frozen=True)
class WorkbookProfile:
    """A profile read from a workbook, with the warnings the reading raised.

    ``choices`` are the free-text values read through :mod:`.free_text`, each
    with its proposal and where it was typed; ``parts`` names the csfpilot
    sheets the workbook held (``Profile``, ``Scale``, ``Tiers``, ``Action
    plan``): importing NIST's bare template onto a profile leaves the parts it
    does not hold as they are.
    """

    profile: Profile
    warnings: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    parts: frozenset[str] = frozenset(SHEETS[1:])

    @property
    def undecided(self) -> tuple[Choice, ...]:
        """Free-text values with neither a proposal nor a mapping: left blank."""
        return tuple(c for c in self.choices if c.chosen is None)


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
        found = columns(header_row, header, SCALE_COLUMNS, SCALE_SHEET, self.file, levels_grid)
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
        header_row, header = grid[0]
        found = columns(header_row, header, TIER_COLUMNS, TIERS_SHEET, self.file, grid[1:])
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
        header_row, header = grid[0]
        found = columns(header_row, header, ACTION_COLUMNS, ACTIONS_SHEET, self.file, grid[1:])
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


def _sheets(names: list[str], file: str) -> dict[str, str]:
    """Which sheet of the workbook holds each part: NIST's explanatory sheets are
    skipped; the outcome sheet is needed, csfpilot's own sheets are optional;
    a sheet that is neither is refused, naming it."""
    skipped = {normal(s) for s in EXPLANATORY_SHEETS}
    own = [s for s in names if normal(s) not in skipped]
    by_name = {normal(s): s for s in own}
    present = {canon: by_name[normal(canon)] for canon in SHEETS if normal(canon) in by_name}
    unknown = [s for s in own if s not in present.values()]
    if PROFILE_SHEET not in present and len(unknown) == 1 and len(present) == 0:
        # NIST's layout under another sheet name: the one sheet there is.
        present[PROFILE_SHEET] = unknown.pop()
    if unknown:
        raise InputRefused(
            f"the workbook has a sheet csfpilot does not read ({unknown[0]!r}); a profile "
            f"workbook has the sheet {PROFILE_SHEET!r} and may have {', '.join(SHEETS[1:])} "
            f"(and NIST's {EXPLANATORY_SHEETS[0]!r}, which is skipped). Move its content "
            "into them, or delete it",
            file=file,
            sheet=unknown[0],
        )
    if PROFILE_SHEET not in present:
        raise InputRefused(
            f"the workbook has no sheet {PROFILE_SHEET!r} (renamed or deleted?); that sheet "
            "holds the outcomes, one row each",
            file=file,
            sheet=PROFILE_SHEET,
        )
    return present


def read_profile_workbook(
    source: Path | bytes,
    *,
    name: str,
    framework: OutcomeFramework | Callable[[str], OutcomeFramework],
    withdrawals: WithdrawalIndex | None = None,
    scale: Scale | None = None,
    profile_name: str | None = None,
    choices: Mapping[str, str] | None = None,
    undecided_ok: bool = False,
) -> WorkbookProfile:
    """Read a profile workbook: one written by :func:`profile_workbook` then edited,
    or NIST's Organizational Profile Template as people fill it.

    ``framework`` is the release the workbook's outcome ids are checked
    against, or a function that gives it for the key the workbook names (or
    for CSF 2.0, when the workbook names none). A workbook without csfpilot's
    Profile sheet is rated on ``scale`` (default: implementation status) and
    named ``profile_name`` (default: the file's name). ``choices`` maps
    :attr:`~.free_text.Choice.key` to the value a free-text entry stands for;
    with ``undecided_ok`` an entry with no proposal is left blank and listed
    instead of refused (for a preview that asks). Nothing is stored; a refusal
    names the sheet, row and column.
    """
    fixed = framework if isinstance(framework, OutcomeFramework) else None
    reader = _Reader(name, fixed or csf_2_0())
    with workbook(source, name=name, max_bytes=MAX_WORKBOOK_BYTES, data_only=False) as wb:
        present = _sheets(list(wb.sheetnames), name)
        grids = {part: _grid(wb[sheet], sheet, name) for part, sheet in present.items()}
    parts = frozenset(p for p in grids if p != PROFILE_SHEET)
    if ABOUT_SHEET in grids:
        about = reader.about(grids[ABOUT_SHEET])
    else:
        about = {
            "name": profile_name or PurePath(name).stem or name,
            "framework": fixed.key if fixed else DEFAULT_FRAMEWORK,
            "scale": (scale or STATUS).key,
        }
    if fixed is None:
        try:
            reader.framework = framework(str(about["framework"]))  # type: ignore[operator]
        except InputRefused as exc:
            at = reader.places.get((None, "framework")) or _At(ABOUT_SHEET, 2)
            raise at.refuse(exc.message, name) from None
    framework = reader.framework
    if SCALE_SHEET in grids:
        the_scale, scale_doc = reader.scale(str(about["scale"]), grids[SCALE_SHEET])
    elif ABOUT_SHEET in grids and str(about["scale"]) not in BUILTIN_SCALES:
        raise InputRefused(
            f"the scale {about['scale']!r} is not built in, and the workbook has no "
            f"{SCALE_SHEET!r} sheet to say what its levels are",
            file=name,
            sheet=SCALE_SHEET,
        )
    else:
        the_scale = scale if scale is not None and ABOUT_SHEET not in grids else None
        the_scale = the_scale or BUILTIN_SCALES[str(about["scale"])]
        scale_doc = (
            the_scale.key
            if the_scale.key in BUILTIN_SCALES and the_scale.builtin
            else scale_to_document(the_scale)
        )
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
    doc["tiers"] = reader.tiers(grids[TIERS_SHEET]) if TIERS_SHEET in grids else {}
    sheet = OutcomeSheet(
        name,
        present[PROFILE_SHEET],
        framework,
        the_scale,
        choices or {},
        undecided_ok=undecided_ok,
        places=reader.places,
    )
    doc["outcomes"] = sheet.read_sheet(grids[PROFILE_SHEET])
    reader.outcome_rows = sheet.outcome_rows
    for aspect, sides in sheet.tier_values().items():
        rating = doc["tiers"].setdefault(aspect, {})
        for side, tier in sides.items():
            rating.setdefault(side, tier)
        parts |= {TIERS_SHEET}
    doc["actions"] = reader.actions(grids[ACTIONS_SHEET]) if ACTIONS_SHEET in grids else []
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
    return WorkbookProfile(
        profile, (*sheet.warnings, *warnings), sheet.result_choices(), frozenset(parts)
    )
