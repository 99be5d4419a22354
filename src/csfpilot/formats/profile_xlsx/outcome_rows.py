"""The outcome sheet: one row per Subcategory, and NIST's Function and Category rows.

A workbook exported by csfpilot has only Subcategory rows. NIST's template,
as people fill it, also has a row for each Function and Category. Those rows
are read for what they can say about the profile:

- **Included in Profile?** (and its Rationale) on a Function or Category row
  applies to the Subcategories beneath it whose own row says nothing — a
  Category marked "No" takes its Subcategories out; a row of its own always
  wins, and a Category's value wins over its Function's;
- **Current/Target CSF Tier** sets the profile's Tiers: on GV rows the risk
  governance Tier, on the other Functions' rows the risk management Tier;
  rows that disagree give the lowest of their Tiers, with a warning naming them;
- anything else typed on such a row (a status, notes, policies) has no place
  in the profile, which rates Subcategories: it is reported, never dropped in
  silence.

Free-text values (``In progress``, ``H``, ``x``) go through
:mod:`.free_text`: each distinct one becomes a choice the preview shows.
Warnings are grouped (one per kind, naming the rows), not repeated per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import OutcomeFramework, Scale, Tier
from csfpilot.formats.profile_xlsx import cells, free_text
from csfpilot.formats.profile_xlsx.free_text import Choice
from csfpilot.formats.profile_xlsx.layout import PROFILE_COLUMNS, TEMPLATE_COLUMNS, Col
from csfpilot.formats.profile_xlsx.sheets import At, Grid, columns, value

GOVERNANCE_FUNCTION = "GV"
_LISTED = 8  # rows named in a grouped warning before "and N more"


def listed(items: list[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


class OutcomeSheet:
    """Reads the outcome sheet into native-format outcome entries (see the module doc)."""

    def __init__(
        self,
        file: str,
        sheet: str,
        framework: OutcomeFramework,
        scale: Scale,
        chosen: Mapping[str, str],
        *,
        undecided_ok: bool,
        places: dict[tuple[str | None, str], At],
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.framework = framework
        self.scale = scale
        self.chosen = chosen
        self.undecided_ok = undecided_ok
        self.places = places
        self.outcome_rows: dict[str, int] = {}
        self.choices: dict[str, tuple[str, str, str | None, str | None, list[str], str]] = {}
        self.warnings: list[str] = []
        self.tiers: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._texts_differ: list[str] = []
        self._not_stored: dict[str, list[str]] = defaultdict(list)
        self._tier_on_outcome: list[str] = []

    # -- reading one cell -----------------------------------------------------------

    def read(self, at: At, raw: Any, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(raw)
        except cells.CellError as exc:
            raise at.refuse(str(exc), self.file) from None

    def choose(self, at: At, kind: str, raw: Any, exact: Callable[[Any], Any]) -> Any:
        """The value of a level, priority or Yes/No cell: exact if it is one, else
        through the free-text table or the person's own mapping (a :class:`Choice`)."""
        try:
            return exact(raw)
        except cells.CellError as exc:
            refusal = str(exc)
        text = cells.read_text(raw).strip()
        return self.decide(at, kind, text, refusal, exact)

    def decide(
        self, at: At, kind: str, text: str, refusal: str, exact: Callable[[Any], Any]
    ) -> Any:
        key = f"{kind}:{free_text.normal(text)}"
        if kind == "level":
            proposed, why = free_text.propose_level(self.scale, text)
        elif kind == "priority":
            proposed, why = free_text.propose_priority(text), "priority table"
        else:
            proposed, why = free_text.propose_included(text), "included table"
        if not text:
            proposed, why = "yes", "the row has content"
        picked = self.chosen.get(key, proposed)
        entry = self.choices.setdefault(key, (kind, text, proposed, picked, [], why))
        entry[4].append(at.cell())
        if picked is None:
            if self.undecided_ok:
                return None
            raise at.refuse(
                f"{refusal}; or say what it means with a mapping, e.g. '{kind}:{text}=…'",
                self.file,
            )
        if picked == "":
            return None
        try:
            return exact(picked)
        except cells.CellError as exc:
            raise at.refuse(f"the mapping for {text!r} is wrong: {exc}", self.file) from None

    def result_choices(self) -> tuple[Choice, ...]:
        return tuple(
            Choice(kind, text, proposed, tuple(where), why, picked)
            for kind, text, proposed, picked, where, why in self.choices.values()
        )

    # -- the sheet --------------------------------------------------------------------

    def read_sheet(self, grid: Grid) -> dict[str, Any]:
        if not grid:
            raise InputRefused("the sheet is empty", file=self.file, sheet=self.sheet)
        header_row, header = grid[0]
        found = columns(
            header_row,
            header,
            (*PROFILE_COLUMNS, *TEMPLATE_COLUMNS),
            self.sheet,
            self.file,
            grid[1:],
            required=("outcome",),
        )
        index = {col.field or col.header: i for i, col in found.values()}
        outcomes: dict[str, Any] = {}
        cascades: dict[str, tuple[bool, str]] = {}
        for r, row in grid[1:]:
            code_at = At(self.sheet, r, index["outcome"], found_header(found, "outcome"))
            code = self.read(code_at, value(row, index["outcome"]), cells.read_key)
            data = [i for i, col in found.values() if col.field not in ("", "outcome", "included")]
            filled = any(value(row, i) is not None for i in data)
            included_i = index.get("included")
            included_raw = value(row, included_i) if included_i else None
            if code is None:
                if filled or included_raw is not None:
                    raise code_at.refuse("this row has content but no outcome id", self.file)
                continue
            code = str(code)
            if code in self.outcome_rows:
                raise code_at.refuse(
                    f"{code} appears twice (also on row {self.outcome_rows[code]})", self.file
                )
            self.outcome_rows[code] = r
            self.shown_text(code, row, index, r)
            group = self.framework.group(code)
            if group is not None and not self.framework.is_outcome(code):
                cascade = self.group_row(code, r, row, found, included_i)
                if cascade is not None:
                    cascades[code] = cascade
                continue
            entry = self.outcome_row(code, r, row, found, included_i, filled)
            if entry is not None:
                outcomes[code] = entry
        self.apply_cascades(outcomes, cascades)
        self.group_warnings()
        return outcomes

    def included(self, r: int, included_i: int | None, raw: Any, filled: bool) -> bool | None:
        if included_i is None:
            return True if filled else None
        at = At(self.sheet, r, included_i, "Included in Profile?")
        if raw is None:
            if not filled:
                return None
            return self.decide(at, "included", "", "", cells.read_included)
        return self.choose(at, "included", raw, cells.read_included)

    def outcome_row(
        self,
        code: str,
        r: int,
        row: list[Any],
        found: dict[str, tuple[int, Col]],
        included_i: int | None,
        filled: bool,
    ) -> dict[str, Any] | None:
        raw_included = value(row, included_i) if included_i else None
        included = self.included(r, included_i, raw_included, filled)
        if included is None:
            return None
        entry: dict[str, Any] = {"included": included}
        details: dict[str, dict[str, Any]] = {"current_details": {}, "target_details": {}}
        for header_text, (i, col) in found.items():
            if col.read_only or col.field in ("outcome", "included"):
                continue
            at = At(self.sheet, r, i, header_text)
            raw = value(row, i)
            if col.kind == "tier":
                if raw is not None:
                    self._tier_on_outcome.append(at.cell())
                continue
            self.places[(code, col.field)] = at
            cell_value = self.cell(at, col, raw)
            if "." in col.field:
                side, name = col.field.split(".", 1)
                if cell_value:
                    details[side][name] = cell_value
            elif cell_value not in (None, ""):
                entry[col.field] = cell_value
        for side, values in details.items():
            if values:
                entry[side] = values
        return entry

    def cell(self, at: At, col: Col, raw: Any) -> Any:
        if col.kind == "lines":
            return self.read(at, raw, cells.read_lines)
        if col.kind == "level":
            return self.choose(at, "level", raw, lambda v: cells.read_level(self.scale, v))
        if col.kind == "priority":
            return self.choose(at, "priority", raw, cells.read_priority)
        if col.kind == "key":
            key = self.read(at, raw, cells.read_key)
            return None if key is None else str(key)
        return cells.read_text(raw)

    # -- Function and Category rows -----------------------------------------------------

    def group_row(
        self,
        code: str,
        r: int,
        row: list[Any],
        found: dict[str, tuple[int, Col]],
        included_i: int | None,
    ) -> tuple[bool, str] | None:
        rationale = ""
        for header_text, (i, col) in found.items():
            raw = value(row, i)
            if raw is None or col.read_only or col.field in ("outcome", "included"):
                continue
            at = At(self.sheet, r, i, header_text)
            if col.kind == "tier":
                tier = self.read(at, raw, cells.read_tier)
                aspect = "governance" if code.split(".")[0] == GOVERNANCE_FUNCTION else "management"
                side = "current" if col.field == "current_tier" else "target"
                self.tiers[aspect][side].append((tier, at.cell()))
            elif col.field == "rationale":
                rationale = cells.read_text(raw)
            else:
                self._not_stored[header_text].append(code)
        if included_i is None or value(row, included_i) is None:
            if rationale:
                self._not_stored["Rationale"].append(code)
            return None
        at = At(self.sheet, r, included_i, "Included in Profile?")
        included = self.choose(at, "included", value(row, included_i), cells.read_included)
        return None if included is None else (included, rationale)

    def apply_cascades(
        self, outcomes: dict[str, Any], cascades: dict[str, tuple[bool, str]]
    ) -> None:
        # Functions first, then Categories: the nearer group wins.
        by_depth = sorted(cascades, key=lambda c: len(self.framework_depth(c)))
        given: dict[str, str] = {}
        for code in by_depth:
            included, rationale = cascades[code]
            for outcome in self.framework.outcomes_under(code):
                if outcome in outcomes and outcome not in given:
                    continue  # its own row says something
                entry: dict[str, Any] = {"included": included}
                if rationale:
                    entry["rationale"] = rationale
                outcomes[outcome] = entry
                given[outcome] = code

    def framework_depth(self, code: str) -> list[str]:
        depth: list[str] = []
        group = self.framework.group(code)
        while group is not None and group.parent is not None:
            depth.append(group.parent)
            group = self.framework.group(group.parent)
        return depth

    def tier_values(self) -> dict[str, dict[str, int]]:
        """The Tiers the Function and Category rows give, by aspect and side."""
        out: dict[str, dict[str, int]] = {}
        for aspect, sides in self.tiers.items():
            for side, values in sides.items():
                lowest = min(t for t, _ in values)
                out.setdefault(aspect, {})[side] = lowest
                if len({t for t, _ in values}) > 1:
                    where = listed([f"{cell} ({t})" for t, cell in values])
                    self.warnings.append(
                        f"the {side} CSF Tier of {aspect} differs between rows ({where}); "
                        f"the lowest, {cells.tier_text(Tier(lowest))}, is taken"
                    )
        return out

    # -- warnings -----------------------------------------------------------------------

    def shown_text(self, code: str, row: list[Any], index: dict[str, int], r: int) -> None:
        i = index.get("CSF Outcome Description")
        if i is None:
            return
        group = self.framework.group(code)
        if group is not None and not self.framework.is_outcome(code):
            # Like with like: NIST's template shows a Category's statement,
            # csfpilot's own screens its title; either is the framework's text.
            expected = {t for t in (group.statement, group.title) if t}
        else:
            expected = {self.framework.text(code)} - {""}
        shown = cells.read_text(value(row, i))
        if not expected or not shown:
            return
        said = " ".join(shown.split())
        if all(said != " ".join(e.split()) for e in expected):
            self._texts_differ.append(f"{code} ({At(self.sheet, r, i).cell()})")

    def group_warnings(self) -> None:
        if self._texts_differ:
            n = len(self._texts_differ)
            self.warnings.append(
                f"the description of {n} row{'s' if n != 1 else ''} differs from "
                f"{self.framework.key}'s text: {listed(self._texts_differ)}; it is NIST's "
                "wording and is not stored, the framework's text is kept"
            )
        for header, codes in self._not_stored.items():
            self.warnings.append(
                f"{header!r} on Function and Category rows ({listed(codes)}) is not stored: "
                "csfpilot keeps it per Subcategory; copy it to their rows to keep it"
            )
        if self._tier_on_outcome:
            self.warnings.append(
                "a CSF Tier on a Subcategory row is not stored (Tiers are set for the "
                f"profile as a whole, from Function and Category rows): "
                f"{listed(self._tier_on_outcome)}"
            )


def found_header(found: dict[str, tuple[int, Col]], field: str) -> str:
    return next((h for h, (_, col) in found.items() if col.field == field), field)
