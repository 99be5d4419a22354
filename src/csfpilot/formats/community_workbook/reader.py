"""A sector's Community Profile workbook, read through a column mapping.

Two shapes are read (see :mod:`.spec`):

**Outcome rows.** Each row of the chosen sheet names a CSF 2.0 outcome
(``GV.OC-01``; a one-digit ``GV.OC-1`` is read as NIST spells it) with its
target, priority, whether it is included and why. Function and Category
rows carry no assessable target and are passed over.

**The sector's own statements.** Each row is one of the sector's statements
(``WS-2.1``, under its parent ``WS-2``), and a mapping sheet relates each
statement to one or more CSF 2.0 Subcategories. A Subcategory's target is
then the **highest** target of the statements mapped to it — the level that
satisfies every one of them — and likewise its priority; it is included when
any of those statements is.

Every outcome keeps the rows it came from (``Structure!12``, ``Mapping!5``)
in its notes; the statements' own texts and any extra columns go to its
considerations. Typed targets are read by :mod:`csfpilot.core.profiles.level_words`
unless the mapping's ``values`` (or the person, in the preview) decide
otherwise. Nothing is stored here; the result is a Community Profile to look
at, and the read refuses the whole workbook at the first problem it finds,
naming the file, sheet, row and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from csfpilot.core.catalog import Catalog, FrameworkInfo, Node
from csfpilot.core.catalog.model import DatasetInfo, MappingSet
from csfpilot.core.catalog.model import Mapping as CrosswalkRow
from csfpilot.core.errors import InputRefused
from csfpilot.core.ids import FRAMEWORK_KEY_RE, canonical_code
from csfpilot.core.profiles import (
    BUILTIN_SCALES,
    Implementation,
    Level,
    OutcomeEntry,
    OutcomeFramework,
    Priority,
    Profile,
    ProfileKind,
    Scale,
    WithdrawalIndex,
)
from csfpilot.core.profiles.checks import refuse_unknown_outcome
from csfpilot.core.profiles.level_words import (
    normalise,
    propose_level,
    read_included,
    read_priority,
)
from csfpilot.formats.community_workbook.sheets import Row, Table, Workbook
from csfpilot.formats.community_workbook.spec import CommunitySpec

ValueKey = str | int


@dataclass(frozen=True, slots=True)
class ValueChoice:
    """One distinct typed target, the level proposed for it, and the one that applies."""

    text: str
    proposed: ValueKey | None
    chosen: ValueKey | None
    cells: tuple[str, ...]  # where it was typed: "Structure!C12"

    @property
    def needs_choice(self) -> bool:
        """Nobody decided and no rule proposed a level: the outcome stays without a target."""
        return self.proposed is None and self.chosen is None


@dataclass(frozen=True, slots=True)
class Statement:
    """One of the sector's own statements: its id, parent, text, and the row it is on."""

    code: str
    parent: str
    text: str
    cite: str


@dataclass(frozen=True)
class CommunityRead:
    """What a Community Profile workbook holds, ready to preview and to store."""

    spec: CommunitySpec
    profile: Profile
    citations: Mapping[str, tuple[str, ...]]  # outcome → rows it came from
    values: tuple[ValueChoice, ...]
    statements: tuple[Statement, ...] = ()
    crosswalk: tuple[tuple[str, str, str], ...] = ()  # statement, subcategory, row cited
    warnings: tuple[str, ...] = ()

    def statement_catalog(self, key: str, *, source_file: str = "") -> ImportBundleParts:
        """The sector's statements as a framework, and their crosswalk to CSF 2.0."""
        return statements_as_framework(self, key, source_file=source_file)


@dataclass
class _Target:
    """What the rows say about one CSF 2.0 outcome, gathered before it becomes an entry."""

    levels: list[Level] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    included: bool = False
    rationale: list[str] = field(default_factory=list)
    considerations: list[str] = field(default_factory=list)
    cites: list[str] = field(default_factory=list)


def scale_named(key: str) -> Scale:
    found = BUILTIN_SCALES.get(key)
    if found is None:
        raise InputRefused(
            f"no scale {key!r}; use one of: {', '.join(BUILTIN_SCALES)}", field="scale"
        )
    return found


class TypedValues:
    """Typed targets → levels: the mapping's choices first, then the proposal rule."""

    def __init__(self, scale: Scale, chosen: Mapping[str, ValueKey | None]) -> None:
        self.scale = scale
        self.chosen = {normalise(k): v for k, v in chosen.items()}
        self.seen: dict[str, ValueChoice] = {}

    def level(self, text: str, cell: str, table: Table, row: Row, column: int) -> Level | None:
        key = normalise(text)
        proposal = propose_level(text, self.scale)
        proposed = proposal.key if proposal is not None else None
        decided = key in self.chosen
        choice = self.chosen.get(key) if decided else None
        found = self.seen.get(key)
        cells = (*found.cells, cell) if found is not None else (cell,)
        self.seen[key] = ValueChoice(
            found.text if found else text, proposed, choice if decided else proposed, cells
        )
        final = choice if decided else proposed
        if final is None:
            return None
        level = self.scale.get(final)
        if level is None:
            table.refuse(
                f"{final!r}, chosen for {text!r}, is not a level of the {self.scale.key!r} scale "
                f"(levels: {', '.join(str(lv.key) for lv in self.scale.levels)})",
                row=row.number,
                column=column,
            )
        return level


def _columns(table: Table, spec_columns: Mapping[str, str], extra: tuple[str, ...], header: Row):
    found = {role: table.column(header, ref, role) for role, ref in spec_columns.items()}
    extras = [(ref, table.column(header, ref, "extra text")) for ref in extra]
    return found, extras


def read_community(
    workbook: Workbook,
    spec: CommunitySpec,
    framework: OutcomeFramework,
    withdrawals: WithdrawalIndex | None = None,
    *,
    choices: Mapping[str, ValueKey | None] | None = None,
) -> CommunityRead:
    """Read the workbook as ``spec`` says into a Community Profile over ``framework``.

    ``choices`` (typed text → level key, or None for "not rated") override the
    spec's ``values`` and the proposal rule: they are what the person picked in
    the preview.
    """
    scale = scale_named(spec.scale)
    values = TypedValues(scale, {**spec.values, **(choices or {})})
    table = workbook.sheet(spec.sheet)
    header = table.header_row([spec.columns["id"]], spec.header_row)
    cols, extras = _columns(table, spec.columns, spec.extra, header)
    targets: dict[str, _Target] = {}
    statements: list[Statement] = []
    crosswalk: list[tuple[str, str, str]] = []
    warnings: list[str] = []
    by_statement: dict[str, tuple[Row, Statement]] = {}
    pending: dict[str, tuple[Level | None, Priority | None, bool, str, list[str]]] = {}

    def gather(row: Row) -> tuple[Level | None, Priority | None, bool, str, list[str]]:
        target_text = table.value(row, cols.get("target"))
        level = None
        if target_text:
            cell = f"{table.sheet}!{table.column_name(cols['target'])}{row.number}"
            level = values.level(target_text, cell, table, row, cols["target"])
        priority_text = table.value(row, cols.get("priority"))
        priority = read_priority(priority_text) if priority_text else None
        if priority_text and priority is None:
            table.refuse(
                f"{priority_text!r} is not a priority; write high, medium or low (or 1-3)",
                row=row.number,
                column=cols["priority"],
            )
        included = True
        if "included" in cols:
            said = read_included(table.value(row, cols["included"]))
            if said is None:
                table.refuse(
                    f"{table.value(row, cols['included'])!r} does not say whether the outcome "
                    "is included; write yes or no (or x for yes)",
                    row=row.number,
                    column=cols["included"],
                )
            included = said
        rationale = table.value(row, cols.get("rationale"))
        extra_texts = [f"{ref}: {table.value(row, i)}" for ref, i in extras if table.value(row, i)]
        return level, priority, included, rationale, extra_texts

    for row in table.below(header):
        raw = table.value(row, cols["id"])
        if not raw:
            continue
        level, priority, included, rationale, extra_texts = gather(row)
        cite = table.cite(row.number)
        if spec.mapping is None:
            code = canonical_code(framework.key, raw)
            if framework.group(code) is not None:
                if level is not None:
                    warnings.append(
                        f"{cite}: {code} is a {framework.group(code).level}; its target "  # type: ignore[union-attr]
                        "is not applied (targets are set on Subcategories)"
                    )
                continue
            try:
                if not framework.is_outcome(code):
                    refuse_unknown_outcome(raw, framework, withdrawals)
            except InputRefused as exc:
                table.refuse(exc.message, row=row.number, column=cols["id"])
            if code in targets:
                table.refuse(
                    f"{code} appears twice (also on {', '.join(targets[code].cites)})",
                    row=row.number,
                    column=cols["id"],
                )
            t = targets.setdefault(code, _Target())
            text = table.value(row, cols.get("text"))
            _add(
                t,
                level,
                priority,
                included,
                rationale,
                [*([text] if text else []), *extra_texts],
                cite,
            )
            continue
        if raw in by_statement:
            table.refuse(
                f"the statement {raw} appears twice (also on {by_statement[raw][1].cite})",
                row=row.number,
                column=cols["id"],
            )
        statement = Statement(
            raw, table.value(row, cols.get("parent")), table.value(row, cols.get("text")), cite
        )
        statements.append(statement)
        by_statement[raw] = (row, statement)
        pending[raw] = (level, priority, included, rationale, extra_texts)

    if spec.mapping is not None:
        mapping_table = workbook.sheet(spec.mapping.sheet)
        m_header = mapping_table.header_row(
            [spec.mapping.statement, spec.mapping.subcategory], spec.mapping.header_row
        )
        s_col = mapping_table.column(m_header, spec.mapping.statement, "statement")
        c_col = mapping_table.column(m_header, spec.mapping.subcategory, "subcategory")
        for row in mapping_table.below(m_header):
            statement_id = mapping_table.value(row, s_col)
            if not statement_id:
                continue
            if statement_id not in by_statement:
                mapping_table.refuse(
                    f"the statement {statement_id} is not on the sheet {table.sheet!r}",
                    row=row.number,
                    column=s_col,
                )
            level, priority, included, rationale, extra_texts = pending[statement_id]
            statement = by_statement[statement_id][1]
            cite = mapping_table.cite(row.number)
            cell = mapping_table.value(row, c_col)
            codes = [c for c in cell.replace(";", ",").replace("\n", ",").split(",") if c.strip()]
            if not codes:
                mapping_table.refuse(
                    f"the statement {statement_id} is mapped to no Subcategory",
                    row=row.number,
                    column=c_col,
                )
            for raw_code in codes:
                code = canonical_code(framework.key, raw_code)
                try:
                    if not framework.is_outcome(code):
                        refuse_unknown_outcome(raw_code.strip(), framework, withdrawals)
                except InputRefused as exc:
                    mapping_table.refuse(exc.message, row=row.number, column=c_col)
                crosswalk.append((statement_id, code, cite))
                text = f"{statement.code}: {statement.text}" if statement.text else statement.code
                _add(
                    targets.setdefault(code, _Target()),
                    level,
                    priority,
                    included,
                    f"{statement.code}: {rationale}" if rationale else "",
                    [text, *extra_texts],
                    f"{statement.cite}, {cite}",
                )

    entries: dict[str, OutcomeEntry] = {}
    citations: dict[str, tuple[str, ...]] = {}
    for code in framework.order(targets):
        t = targets[code]
        citations[code] = tuple(t.cites)
        entries[code] = OutcomeEntry(
            code,
            included=t.included,
            rationale="\n".join(dict.fromkeys(r for r in t.rationale if r)),
            priority=max(t.priorities, key=lambda p: p.weight) if t.priorities else None,
            target=max(t.levels, key=_strength) if t.levels else None,
            notes="Source: " + "; ".join(t.cites),
            considerations="\n".join(dict.fromkeys(c for c in t.considerations if c)),
            target_details=Implementation(),
        )
    if not entries:
        table.refuse(f"no row below the header (row {header.number}) names an outcome")
    profile = Profile(
        name=spec.name,
        framework=framework.key,
        kind=ProfileKind.COMMUNITY,
        description=_about(spec),
        scale=scale,
        outcomes=entries,
    )
    return CommunityRead(
        spec=spec,
        profile=profile,
        citations=citations,
        values=tuple(values.seen.values()),
        statements=tuple(statements),
        crosswalk=tuple(crosswalk),
        warnings=tuple(warnings),
    )


def _strength(level: Level) -> tuple[int, object]:
    # Not applicable never outranks a real target.
    return (0, 0) if level.score is None else (1, level.score)


def _add(
    t: _Target,
    level: Level | None,
    priority: Priority | None,
    included: bool,
    rationale: str,
    considerations: list[str],
    cite: str,
) -> None:
    if level is not None:
        t.levels.append(level)
    if priority is not None:
        t.priorities.append(priority)
    t.included = t.included or included
    t.rationale.append(rationale)
    t.considerations.extend(considerations)
    t.cites.append(cite)


def _about(spec: CommunitySpec) -> str:
    parts = [p for p in (spec.publisher, spec.version and f"version {spec.version}") if p]
    about = f"Published by {', '.join(parts)}." if parts else ""
    if spec.terms:
        about += f" Terms: {spec.terms}"
    return about.strip()


ImportBundleParts = tuple[Catalog, MappingSet]
RESERVED_KEY_PREFIXES = ("csf-", "sp800-")
"""Keys NIST's own releases are loaded under; a sector's statements never take one."""


def statements_as_framework(
    read: CommunityRead, key: str, *, source_file: str = ""
) -> ImportBundleParts:
    """The sector's statements as a framework of their own, with their crosswalk to CSF 2.0.

    Levels are numbered by depth (``level_1`` for statements without a
    parent); the statements the mapping sheet names are the assessable ones,
    so they must all sit at one depth.
    """
    spec = read.spec
    if not FRAMEWORK_KEY_RE.match(key) or key.startswith(RESERVED_KEY_PREFIXES):
        raise InputRefused(
            f"{key!r} cannot name a sector's framework: use lower-case letters, digits, dots "
            f"and hyphens, not starting with {', '.join(RESERVED_KEY_PREFIXES)} (NIST's "
            "releases)",
            field="statements_key",
        )
    if not read.statements:
        raise InputRefused(
            "only a workbook of the sector's own statements (with a mapping sheet) can be kept "
            "as a framework",
            field="mapping",
        )
    by_code = {s.code: s for s in read.statements}
    depth: dict[str, int] = {}

    def depth_of(code: str, seen: tuple[str, ...] = ()) -> int:
        if code in depth:
            return depth[code]
        s = by_code[code]
        if code in seen:
            raise InputRefused(f"the statement {code} is its own ancestor", element=code)
        if s.parent and s.parent not in by_code:
            raise InputRefused(
                f"{s.cite}: the parent {s.parent} of {code} is not a statement of the sheet",
                element=code,
            )
        depth[code] = 1 if not s.parent else depth_of(s.parent, (*seen, code)) + 1
        return depth[code]

    for s in read.statements:
        depth_of(s.code)
    mapped = {statement for statement, _, _ in read.crosswalk}
    mapped_depths = {depth[c] for c in mapped}
    if len(mapped_depths) != 1:
        raise InputRefused(
            "the statements the mapping sheet names sit at different depths "
            f"({', '.join(str(d) for d in sorted(mapped_depths))}); only one level can be "
            "assessed",
            field="mapping",
        )
    levels = tuple(f"level_{i}" for i in range(1, max(depth.values()) + 1))
    info = FrameworkInfo(
        key=key,
        name=spec.name,
        version=spec.version or "1",
        publisher=spec.publisher or spec.name,
        levels=levels,
        terms=spec.terms,
        source_file=source_file,
        outcome_level=f"level_{mapped_depths.pop()}",
    )
    nodes = tuple(
        Node(
            code=s.code,
            level=f"level_{depth[s.code]}",
            parent=s.parent or None,
            title="",
            text=s.text,
            order=i,
        )
        for i, s in enumerate(read.statements)
    )
    catalog = Catalog(info, nodes)
    crosswalk = MappingSet(
        DatasetInfo(
            key=f"{key}-to-{read.profile.framework}",
            name=f"{spec.name} to CSF 2.0",
            publisher=spec.publisher or spec.name,
            version=spec.version or "1",
            source_framework=key,
            target_framework=read.profile.framework,
            terms=spec.terms,
            source_file=source_file,
        ),
        tuple(
            CrosswalkRow(source=statement, target=code, comment=f"mapped on {cite}")
            for statement, code, cite in read.crosswalk
        ),
    )
    return catalog, crosswalk
