"""From a scanner's findings to the CSF 2.0 outcomes they speak about.

A finding reaches outcomes by the ids it carries, in this order of trust:

* SP 800-53 controls, through NIST's SP 800-53 ↔ CSF 2.0 crosswalk. An
  enhancement (``AC-2(5)``) the crosswalk does not list falls back to its base
  control (``AC-2``); each such fallback is counted so the summary shows it.
* CSF ids: a CSF 2.0 id directly (``GV.OC-1`` is read as ``GV.OC-01``); a
  CSF 1.1 id through NIST's CSF 1.1 → 2.0 relationships.
* DISA CCIs, through the CCI list's SP 800-53 references, then the crosswalk.
* Only a finding with none of these ids goes to the rule table: the first rule
  whose tool pattern and id patterns match (``CWE-*``, ``CVE-*``, a bandit
  test id) gives the outcomes and the sentence that says why.

Nothing is invented: an outcome id outside the given Core is never produced,
and a finding that reaches no outcome is counted under exactly one reason
(the reason of its first id that failed, or ``no-ids``), so ``mapped`` plus
the unmapped counts is always the number of findings.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from csfpilot.core.catalog.model import Mapping as CrosswalkRow
from csfpilot.core.evidence.findings import Finding, FindingStatus, ScanReport
from csfpilot.core.evidence.scan_ids import (
    cci_id,
    csf_spelling,
    sp800_53_base,
    sp800_53_id,
)

# Why a finding reached no outcome.
NO_IDS = "no-ids"
UNKNOWN_SP800_53 = "unknown-sp800-53-id"
UNKNOWN_CSF = "unknown-csf-id"
AMBIGUOUS = "ambiguous-id"
CCI_LIST_MISSING = "cci-list-not-imported"
UNKNOWN_CCI = "unknown-cci-id"
NOT_IN_CROSSWALK = "not-in-crosswalk"
UNMAPPED_REASONS = (
    NO_IDS,
    UNKNOWN_SP800_53,
    UNKNOWN_CSF,
    AMBIGUOUS,
    CCI_LIST_MISSING,
    UNKNOWN_CCI,
    NOT_IN_CROSSWALK,
)

Index = Mapping[str, Collection[str]]


@dataclass(frozen=True, slots=True)
class ScanRule:
    """One row of the rule table, for findings that cite no NIST id.

    ``tool`` is a regular expression searched in the report's tool name
    (case-insensitive; empty matches every tool); ``match`` holds shell-style
    patterns (``CWE-*``, ``B3??``) compared with the finding's rule id and each
    of its tags, case-insensitive (empty matches every finding of the tool).
    ``formats`` limits the rule to some readers' keys. A rule needs a tool or a
    pattern: a rule that matched everything would hide every unmapped finding.
    """

    name: str
    outcomes: tuple[str, ...]
    reason: str
    tool: str = ""
    match: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    _tool_re: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    _match_re: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.tool and not self.match:
            raise ValueError(f"rule {self.name!r} needs a tool pattern or id patterns")
        tool_re = re.compile(self.tool, re.IGNORECASE) if self.tool else None
        match_re = (
            re.compile("|".join(fnmatch.translate(p.upper()) for p in self.match))
            if self.match
            else None
        )
        object.__setattr__(self, "_tool_re", tool_re)
        object.__setattr__(self, "_match_re", match_re)

    def applies(self, report: ScanReport, finding: Finding) -> bool:
        if self.formats and report.format not in self.formats:
            return False
        if self._tool_re is not None and not self._tool_re.search(report.tool):
            return False
        if self._match_re is None:
            return True
        pattern = self._match_re
        return any(pattern.match(text.upper()) for text in (finding.rule_id, *finding.tags))


@dataclass(frozen=True, slots=True)
class FindingMapping:
    """Where one finding landed: its outcomes and how, or why it landed nowhere.

    ``how`` holds ``sp800-53``, ``csf``, ``csf-1.1``, ``cci`` or
    ``rule:<name>``; ``problems`` each id that could not be used, with its
    reason, even when other ids of the finding did map.
    """

    finding: Finding
    outcomes: tuple[str, ...] = ()
    how: tuple[str, ...] = ()
    unmapped_reason: str | None = None
    problems: tuple[tuple[str, str], ...] = ()

    @property
    def mapped(self) -> bool:
        return bool(self.outcomes)


@dataclass(frozen=True, slots=True)
class OutcomeTally:
    """The findings about one outcome: how many per status, and the serious failures."""

    counts: Mapping[str, int]
    serious_failures: int = 0


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import found, per outcome, and what it could not place.

    ``normalised`` counts each id rewritten to its canonical spelling
    (``("AU-9 (3)", "AU-9(3)"): 2``) and ``fallbacks`` each enhancement read as
    its base control because the crosswalk lists only the base.
    """

    format: str
    findings: int
    mapped: int
    unmapped: Mapping[str, int]
    outcomes: Mapping[str, OutcomeTally]
    normalised: Mapping[tuple[str, str], int] = field(default_factory=dict)
    fallbacks: Mapping[tuple[str, str], int] = field(default_factory=dict)
    skipped: int = 0

    def to_json(self) -> dict[str, object]:
        """The summary the import command prints and stores, in a stable order."""
        return {
            "format": self.format,
            "findings": self.findings,
            "mapped": self.mapped,
            "unmapped": dict(sorted(self.unmapped.items())),
            "outcomes": {
                code: dict(sorted(tally.counts.items()))
                for code, tally in sorted(self.outcomes.items())
            },
            "contradicted": [],
        }


@dataclass(frozen=True, slots=True)
class ScanMapping:
    findings: tuple[FindingMapping, ...]
    summary: ImportSummary


def crosswalk_index(rows: Iterable[CrosswalkRow]) -> dict[str, frozenset[str]]:
    """{SP 800-53 control → CSF 2.0 outcomes} from NIST's crosswalk rows.

    The rows are those of the SP 800-53 ↔ CSF 2.0 dataset as csfpilot loads it:
    source a CSF 2.0 element, target a control (``AC-02``, ``ac-2.1``; any
    spelling). Rows whose target is not a control (a family) are left out.
    """
    index: dict[str, set[str]] = {}
    for row in rows:
        control = sp800_53_id(row.target)
        if control is not None:
            index.setdefault(control, set()).add(row.source)
    return {k: frozenset(v) for k, v in index.items()}


def csf11_index(rows: Iterable[CrosswalkRow]) -> dict[str, frozenset[str]]:
    """{CSF 1.1 id → CSF 2.0 ids} from NIST's CSF 1.1 → 2.0 relationship rows.

    Feed it the ``csf-1.1-to-csf-2.0-withdrawals`` mapping set (source the
    withdrawn CSF 1.1 element, target where it went); a CSF 1.1 id that was
    not withdrawn kept its id and is read as the CSF 2.0 id.
    """
    index: dict[str, set[str]] = {}
    for row in rows:
        _, _, as_11, _ = csf_spelling(row.source)
        if as_11 is not None and row.target:
            index.setdefault(as_11, set()).add(row.target.strip())
    return {k: frozenset(v) for k, v in index.items()}


class _Mapper:
    def __init__(
        self,
        report: ScanReport,
        crosswalk: Index,
        outcomes: Collection[str],
        csf11: Index | None,
        cci: Index | None,
        rules: Sequence[ScanRule],
    ) -> None:
        self.report = report
        self.crosswalk = crosswalk
        self.valid = outcomes if isinstance(outcomes, (set, frozenset)) else frozenset(outcomes)
        self.csf11 = csf11 or {}
        self.cci = cci
        self.rules = rules
        self.normalised: Counter[tuple[str, str]] = Counter()
        self.fallbacks: Counter[tuple[str, str]] = Counter()

    def _control(self, raw: str, canonical: str) -> tuple[set[str], str | None]:
        hits = self.valid.intersection(self.crosswalk.get(canonical, ()))
        if not hits:
            base = sp800_53_base(canonical)
            if base is not None:
                hits = self.valid.intersection(self.crosswalk.get(base, ()))
                if hits:
                    self.fallbacks[(canonical, base)] += 1
        return (hits, None) if hits else (set(), NOT_IN_CROSSWALK)

    def _csf(self, raw: str) -> tuple[set[str], str | None, str | None]:
        text, as_20, as_11, padded = csf_spelling(raw)
        if as_20 is None or as_11 is None:
            return set(), None, UNKNOWN_CSF
        moved = self.csf11.get(as_11) if not padded else None
        if as_20 in self.valid:
            if moved:
                return set(), None, AMBIGUOUS
            if text != as_20:
                self.normalised[(text, as_20)] += 1
            return {as_20}, "csf", None
        moved = self.csf11.get(as_11)
        if moved:
            hits = self.valid.intersection(moved)
            if hits:
                self.normalised[(text, ", ".join(sorted(hits)))] += 1
                return set(hits), "csf-1.1", None
        return set(), None, UNKNOWN_CSF

    def map(self, finding: Finding) -> FindingMapping:
        outcomes: set[str] = set()
        how: list[str] = []
        problems: list[tuple[str, str]] = []

        def add(hits: set[str], method: str) -> None:
            outcomes.update(hits)
            if method not in how:
                how.append(method)

        for raw in finding.sp800_53:
            canonical = sp800_53_id(raw)
            if canonical is None:
                problems.append((raw, UNKNOWN_SP800_53))
                continue
            if raw.strip() != canonical:
                self.normalised[(raw.strip(), canonical)] += 1
            hits, problem = self._control(raw, canonical)
            if problem:
                problems.append((raw, problem))
            else:
                add(hits, "sp800-53")
        for raw in finding.csf:
            hits, method, problem = self._csf(raw)
            if problem or method is None:
                problems.append((raw, problem or UNKNOWN_CSF))
            else:
                add(hits, method)
        for raw in finding.cci:
            self._map_cci(raw, add, problems)
        has_nist_ids = bool(finding.sp800_53 or finding.csf or finding.cci)
        if not has_nist_ids:
            for rule in self.rules:
                if rule.applies(self.report, finding):
                    hits = self.valid.intersection(rule.outcomes)
                    if hits:
                        add(set(hits), f"rule:{rule.name}")
                        break
        reason = None
        if not outcomes:
            reason = problems[0][1] if problems else NO_IDS
        return FindingMapping(finding, tuple(sorted(outcomes)), tuple(how), reason, tuple(problems))

    def _map_cci(
        self, raw: str, add: Callable[[set[str], str], None], problems: list[tuple[str, str]]
    ) -> None:
        if self.cci is None:
            problems.append((raw, CCI_LIST_MISSING))
            return
        canonical = cci_id(raw)
        controls = self.cci.get(canonical, ()) if canonical else ()
        if not controls:
            problems.append((raw, UNKNOWN_CCI))
            return
        found = False
        for control in controls:
            canonical_control = sp800_53_id(control)
            if canonical_control is None:
                continue
            hits, problem = self._control(control, canonical_control)
            if not problem:
                add(hits, "cci")
                found = True
        if not found:
            problems.append((raw, NOT_IN_CROSSWALK))


def map_scan(
    report: ScanReport,
    *,
    crosswalk: Index,
    outcomes: Collection[str],
    csf11: Index | None = None,
    cci: Index | None = None,
    rules: Sequence[ScanRule] = (),
) -> ScanMapping:
    """Map every finding of ``report`` to CSF 2.0 outcomes and sum up the import.

    ``crosswalk`` is {canonical SP 800-53 id → CSF 2.0 outcome ids} (see
    :func:`crosswalk_index`), ``outcomes`` the Core's outcome ids (nothing
    outside it is ever produced), ``csf11`` {CSF 1.1 id → CSF 2.0 ids} (see
    :func:`csf11_index`), ``cci`` {``CCI-000366`` → SP 800-53 ids} or None when
    no CCI list was imported, ``rules`` the rule table in order (first match).
    """
    mapper = _Mapper(report, crosswalk, outcomes, csf11, cci, rules)
    results = tuple(mapper.map(f) for f in report.findings)
    unmapped: Counter[str] = Counter()
    per_outcome: dict[str, Counter[str]] = {}
    serious: Counter[str] = Counter()
    for result in results:
        if result.unmapped_reason is not None:
            unmapped[result.unmapped_reason] += 1
            continue
        status = result.finding.status
        for code in result.outcomes:
            per_outcome.setdefault(code, Counter())[str(status)] += 1
            if status is FindingStatus.FAIL and result.finding.severity.serious:
                serious[code] += 1
    summary = ImportSummary(
        format=report.format,
        findings=len(results),
        mapped=sum(1 for r in results if r.mapped),
        unmapped=dict(unmapped),
        outcomes={
            code: OutcomeTally(dict(counts), serious[code]) for code, counts in per_outcome.items()
        },
        normalised=dict(mapper.normalised),
        fallbacks=dict(mapper.fallbacks),
        skipped=report.skipped,
    )
    return ScanMapping(results, summary)


def contradicted(
    summary_per_outcome: Mapping[str, OutcomeTally], claimed_ids: Collection[str]
) -> list[str]:
    """The claimed outcomes that have a failing high or critical finding, sorted.

    The caller knows which outcomes a profile rates as in place (``claimed_ids``);
    a serious failure about one of them contradicts that claim and is worth a
    reviewer's look.
    """
    claimed = set(claimed_ids)
    return sorted(
        code
        for code, tally in summary_per_outcome.items()
        if code in claimed and tally.serious_failures > 0
    )
