"""Writing a profile as an Excel workbook laid out like NIST's Organizational Profile Template.

The workbook is meant to be edited by a person in Excel or LibreOffice and read
back (:mod:`csfpilot.formats.profile_xlsx.reader`): headers are styled and
frozen, the outcome id columns stay in view, long text wraps, and the cells
that take a fixed set of values (Included, priorities, the scale's levels,
Tiers, action status) have drop-down lists. Every text cell is stored as text
and neutralised against formula injection (see
:mod:`csfpilot.formats.spreadsheet_safety`); the reader undoes that.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from csfpilot.core.profiles import (
    TIER_ASPECTS,
    ActionStatus,
    OutcomeEntry,
    OutcomeFramework,
    Priority,
    Profile,
    Tier,
)
from csfpilot.formats.profile_xlsx import cells
from csfpilot.formats.profile_xlsx.layout import (
    ABOUT_HELP,
    ABOUT_ROWS,
    ABOUT_SHEET,
    ACTION_COLUMNS,
    ACTIONS_SHEET,
    PROFILE_COLUMNS,
    PROFILE_SHEET,
    SCALE_COLUMNS,
    SCALE_SHEET,
    TIER_COLUMNS,
    TIER_ROWS,
    TIERS_SHEET,
    WORKBOOK_FORMAT,
    Col,
)
from csfpilot.formats.spreadsheet_safety import neutralise
from csfpilot.formats.xlsx_writer import HEADER_ALIGNMENT, HEADER_FILL, HEADER_FONT

_WRAP = Alignment(vertical="top", wrap_text=True)
_BOLD = Font(bold=True)
MAX_ROWS = 1_048_576


def _put(ws: Worksheet, row: int, column: int, value: Any) -> None:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(value))
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula, whatever it says
    cell.alignment = _WRAP


def _header(ws: Worksheet, columns: Sequence[Col], *, freeze: str = "A2") -> None:
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = freeze


def _letter(columns: Sequence[Col], field: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(columns, 1) if c.field == field))


def _drop_down(ws: Worksheet, formula: str, cells_range: str, prompt: str) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.error = prompt
    dv.errorTitle = "Not one of the choices"
    dv.showErrorMessage = True
    dv.add(cells_range)
    ws.add_data_validation(dv)


def _choices(values: Iterable[str]) -> str:
    return '"' + ",".join(values) + '"'


def _score(score: Fraction | None) -> int | float | str | None:
    if score is None:
        return None
    if score.denominator == 1:
        return int(score)
    as_float = float(score)
    return (
        as_float if Fraction(repr(as_float)) == score else f"{score.numerator}/{score.denominator}"
    )


def _outcome_row(
    profile: Profile, framework: OutcomeFramework, code: str, entry: OutcomeEntry | None
) -> dict[str, Any]:
    ancestors = framework.ancestors(code) if framework.is_outcome(code) else ()
    values: dict[str, Any] = {}

    def title(group: str) -> str:
        named = framework.group(group)
        text = (named.title if named else "") or framework.text(group)
        return f"{group} {text}".strip()

    shown = [title(g) for g in ancestors]
    values["Function"] = shown[0] if shown else None
    values["Category"] = shown[-1] if len(shown) > 1 else None
    values["CSF Outcome Description"] = framework.text(code) or None
    values["outcome"] = code
    if entry is None:
        return values
    values["included"] = cells.write_included(entry.included)
    for name in ("rationale", "owner", "notes", "considerations"):
        values[name] = getattr(entry, name) or None
    values["current_priority"] = cells.write_priority(entry.current_priority)
    values["priority"] = cells.write_priority(entry.priority)
    values["current"] = cells.write_level(profile.scale, entry.current)
    values["target"] = cells.write_level(profile.scale, entry.target)
    for side in ("current_details", "target_details"):
        details = getattr(entry, side)
        for name in ("policies", "practices", "roles"):
            values[f"{side}.{name}"] = getattr(details, name) or None
        for name in ("references", "evidence"):
            values[f"{side}.{name}"] = cells.write_lines(getattr(details, name))
    return values


def _profile_sheet(wb: Workbook, profile: Profile, framework: OutcomeFramework) -> None:
    ws = wb.create_sheet(PROFILE_SHEET)
    _header(ws, PROFILE_COLUMNS, freeze="D2")
    codes = list(framework.outcomes) + [c for c in profile.outcomes if not framework.is_outcome(c)]
    for r, code in enumerate(codes, start=2):
        values = _outcome_row(profile, framework, code, profile.entry(code))
        for c, col in enumerate(PROFILE_COLUMNS, start=1):
            _put(ws, r, c, values.get(col.field or col.header))
    last = len(codes) + 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(PROFILE_COLUMNS))}{last}"
    rows = f"{{}}2:{{}}{max(last, 2) + 200}"

    def span(field: str) -> str:
        letter = _letter(PROFILE_COLUMNS, field)
        return rows.format(letter, letter)

    _drop_down(ws, _choices([cells.YES, cells.NO]), span("included"), "Yes or No")
    priorities = _choices(cells.write_priority(p) or "" for p in Priority)
    for field in ("current_priority", "priority"):
        _drop_down(ws, priorities, span(field), "High, Medium or Low")
    value_col = "B" if cells.labels_unique(profile.scale) else "A"
    end = len(profile.scale.levels) + 1
    levels = f"{quote_sheetname(SCALE_SHEET)}!${value_col}$2:${value_col}${end}"
    for field in ("current", "target"):
        _drop_down(ws, f"={levels}", span(field), "A level of the profile's scale (Scale sheet)")


def _about_sheet(wb: Workbook, profile: Profile) -> None:
    ws = wb.create_sheet(ABOUT_SHEET)
    _header(
        ws, (Col("Field", "", width=20), Col("Value", "", width=60), Col("About", "", width=60))
    )
    values: dict[str, Any] = {
        "name": profile.name,
        "kind": profile.kind.value,
        "framework": profile.framework,
        "scope.type": profile.scope.type.value,
        "scope.name": profile.scope.name,
        "description": profile.description,
        "assumptions": profile.assumptions,
        "scale": profile.scale.key,
        "rollup": profile.rollup.value,
        "based_on": profile.based_on,
        "format": WORKBOOK_FORMAT,
    }
    for r, col in enumerate(ABOUT_ROWS, start=2):
        _put(ws, r, 1, col.header)
        ws.cell(row=r, column=1).font = _BOLD
        _put(ws, r, 2, values[col.field] if values[col.field] != "" else None)
        _put(ws, r, 3, ABOUT_HELP.get(col.field))


def _scale_sheet(wb: Workbook, profile: Profile) -> None:
    ws = wb.create_sheet(SCALE_SHEET)
    _header(ws, SCALE_COLUMNS)
    for r, level in enumerate(profile.scale.levels, start=2):
        row = (level.key, level.label, _score(level.score), level.hotkey, level.description)
        for c, value in enumerate(row, start=1):
            _put(ws, r, c, value if value != "" else None)
    # The scale's name and description travel below the levels, apart from the table.
    note = len(profile.scale.levels) + 3
    _put(ws, note, 1, "Scale name")
    _put(ws, note, 2, profile.scale.name)
    _put(ws, note + 1, 1, "Scale description")
    _put(ws, note + 1, 2, profile.scale.description or None)


def _tiers_sheet(wb: Workbook, profile: Profile) -> None:
    ws = wb.create_sheet(TIERS_SHEET)
    _header(ws, TIER_COLUMNS)
    for r, aspect in enumerate(TIER_ASPECTS, start=2):
        rating = profile.tiers.aspect(aspect)
        row = (
            TIER_ROWS[aspect],
            cells.write_tier(rating.current),
            rating.current_rationale or None,
            cells.write_tier(rating.target),
            rating.target_rationale or None,
        )
        for c, value in enumerate(row, start=1):
            _put(ws, r, c, value)
    tiers = _choices(cells.tier_text(t) for t in Tier)
    _drop_down(ws, tiers, "B2:B3", "A CSF Tier, 1 to 4")
    _drop_down(ws, tiers, "D2:D3", "A CSF Tier, 1 to 4")


def _actions_sheet(wb: Workbook, profile: Profile) -> None:
    ws = wb.create_sheet(ACTIONS_SHEET)
    _header(ws, ACTION_COLUMNS, freeze="C2")
    for r, action in enumerate(profile.actions, start=2):
        row = (
            action.id,
            action.title,
            cells.write_lines(action.outcomes),
            action.owner or None,
            action.due,
            action.milestone or None,
            action.status.value,
            action.cost or None,
            cells.write_lines(action.controls),
            action.notes or None,
        )
        for c, value in enumerate(row, start=1):
            _put(ws, r, c, value)
            if isinstance(value, date):
                ws.cell(row=r, column=c).number_format = "yyyy-mm-dd"
    last = len(profile.actions) + 201
    status = _letter(ACTION_COLUMNS, "status")
    _drop_down(
        ws,
        _choices(s.value for s in ActionStatus),
        f"{status}2:{status}{last}",
        "open, in-progress, done or risk-accepted",
    )


def profile_workbook(profile: Profile, framework: OutcomeFramework) -> bytes:
    """The profile as ``.xlsx`` bytes: every outcome of ``framework`` has a row."""
    wb = Workbook()
    wb.remove(wb.active)
    _profile_sheet(wb, profile, framework)
    _about_sheet(wb, profile)
    _scale_sheet(wb, profile)
    _tiers_sheet(wb, profile)
    _actions_sheet(wb, profile)
    wb.properties.title = profile.name
    wb.properties.creator = "csfpilot"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
