"""Mapping findings to CSF 2.0 outcomes: id spellings, fallbacks, reasons, and the invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csfpilot.core.catalog.model import Mapping
from csfpilot.core.evidence.findings import Finding, FindingStatus, ScanReport, Severity
from csfpilot.core.evidence.scan_ids import cci_id, csf_spelling, sp800_53_id
from csfpilot.core.evidence.scan_mapping import (
    UNMAPPED_REASONS,
    ScanRule,
    contradicted,
    crosswalk_index,
    csf11_index,
    map_scan,
)

OUTCOMES = ("GV.OC-01", "ID.RA-01", "PR.AA-01", "PR.AA-05", "PR.PS-01", "PR.PS-02", "DE.CM-09")
CROSSWALK = crosswalk_index(
    [
        Mapping("PR.AA-01", "AC-02"),
        Mapping("PR.AA-05", "ac-2.1"),  # an enhancement with rows of its own
        Mapping("PR.PS-01", "CM-6"),
        Mapping("DE.CM-09", "CM-6"),
        Mapping("ID.RA-01", "RA-5"),
        Mapping("PR.PS-02", "SI-02"),
        Mapping("GV.OC-01", "PM"),  # a family: not a control, left out
        Mapping("XX.YY-01", "AU-9"),  # an outcome outside the Core: never produced
    ]
)
CSF11 = csf11_index([Mapping("PR.AC-1", "PR.AA-01"), Mapping("PR.AC-1", "PR.AA-05")])
RULES = (
    ScanRule(
        "vuln", ("ID.RA-01", "PR.PS-02"), "Known vulnerabilities (ID.RA-01).", match=("CVE-*",)
    ),
    ScanRule("any-trivy", ("PR.PS-01",), "Trivy checks.", tool="^trivy$"),
)


def _report(*findings: Finding, tool: str = "tool") -> ScanReport:
    return ScanReport(format="sarif", tool=tool, findings=findings)


def _finding(status=FindingStatus.FAIL, severity=Severity.HIGH, **ids) -> Finding:
    return Finding(
        rule_id=ids.pop("rule_id", "r"), title="t", status=status, severity=severity, **ids
    )


def _map(*findings: Finding, tool: str = "tool", cci=None):
    return map_scan(
        _report(*findings, tool=tool),
        crosswalk=CROSSWALK,
        outcomes=OUTCOMES,
        csf11=CSF11,
        cci=cci,
        rules=RULES,
    )


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("AU-9 (3)", "AU-9(3)"),
        ("AU-9(3)", "AU-9(3)"),
        ("au-9.3", "AU-9(3)"),
        ("AC-8 a", "AC-8"),
        ("CM-6(a)", "CM-6"),
        ("AC-17(2)(a)", "AC-17(2)"),
        ("IA-5 (2) (a)", "IA-5(2)"),
        ("NIST.800-53.r5 AC-4", "AC-4"),
        ("NIST SP 800-53 Rev. 5: SI-2(7)", "SI-2(7)"),
        ("ac_2_1", "AC-2(1)"),
        ("AC-02(01)", "AC-2(1)"),
        ("sc_7_4_b", "SC-7(4)"),
        ("AC", None),
        ("XY-12", None),
        ("banana", None),
        ("AC-2(999)x", None),
        ("", None),
    ],
)
def test_sp800_53_spellings(raw, canonical):
    assert sp800_53_id(raw) == canonical


def test_csf_and_cci_spellings():
    assert csf_spelling("GV.OC-1") == ("GV.OC-1", "GV.OC-01", "GV.OC-1", False)
    assert csf_spelling("NIST-CSF-2.0: gv_oc_01")[1] == "GV.OC-01"
    assert csf_spelling("GV.OC")[1] is None  # a category is not an outcome
    assert (cci_id("CCI-366"), cci_id("cci_000366"), cci_id("CCI-")) == (
        "CCI-000366",
        "CCI-000366",
        None,
    )


def test_sp800_53_ids_map_through_the_crosswalk_with_enhancement_fallback():
    mapping = _map(
        _finding(sp800_53=("AC-2(1)",)),  # own rows
        _finding(sp800_53=("AC-2 (5)",)),  # no rows: AC-2
        _finding(sp800_53=("NIST.800-53.r5 CM-6 b",)),
        _finding(sp800_53=("AU-9",)),  # only a row to an id outside the Core
    )
    assert [m.outcomes for m in mapping.findings] == [
        ("PR.AA-05",),
        ("PR.AA-01",),
        ("DE.CM-09", "PR.PS-01"),
        (),
    ]
    assert mapping.findings[3].unmapped_reason == "not-in-crosswalk"
    summary = mapping.summary
    assert summary.fallbacks == {("AC-2(5)", "AC-2"): 1}
    assert summary.normalised == {("AC-2 (5)", "AC-2(5)"): 1, ("NIST.800-53.r5 CM-6 b", "CM-6"): 1}


def test_csf_ids_direct_normalised_from_csf_1_1_and_unknown():
    mapping = _map(
        _finding(csf=("GV.OC-01",)),
        _finding(csf=("gv.oc-1",)),
        _finding(csf=("PR.AC-1",)),
        _finding(csf=("PR.ZZ-01",)),
        _finding(csf=("not an id",)),
    )
    assert [(m.outcomes, m.how, m.unmapped_reason) for m in mapping.findings] == [
        (("GV.OC-01",), ("csf",), None),
        (("GV.OC-01",), ("csf",), None),
        (("PR.AA-01", "PR.AA-05"), ("csf-1.1",), None),
        ((), (), "unknown-csf-id"),
        ((), (), "unknown-csf-id"),
    ]
    assert mapping.summary.normalised == {
        ("gv.oc-1", "GV.OC-01"): 1,
        ("PR.AC-1", "PR.AA-01, PR.AA-05"): 1,
    }


def test_an_unpadded_id_that_is_both_csf_1_1_and_csf_2_0_is_ambiguous():
    both = csf11_index([Mapping("ID.RA-1", "PR.PS-02")])  # a table where ID.RA-1 moved
    mapping = map_scan(
        _report(_finding(csf=("ID.RA-1",)), _finding(csf=("ID.RA-01",))),
        crosswalk={},
        outcomes=OUTCOMES,
        csf11=both,
    )
    assert mapping.findings[0].unmapped_reason == "ambiguous-id"
    assert mapping.findings[1].outcomes == ("ID.RA-01",)  # zero-padded: CSF 2.0 only


def test_cci_ids_need_the_list():
    finding = _finding(cci=("CCI-000366",))
    assert _map(finding).findings[0].unmapped_reason == "cci-list-not-imported"
    table = {"CCI-000366": ("CM-6 b",), "CCI-000001": ("ZZ-1",)}
    mapped = _map(finding, _finding(cci=("CCI-999999",)), _finding(cci=("CCI-1",)), cci=table)
    assert [(m.outcomes, m.how, m.unmapped_reason) for m in mapped.findings] == [
        (("DE.CM-09", "PR.PS-01"), ("cci",), None),
        ((), (), "unknown-cci-id"),
        ((), (), "not-in-crosswalk"),
    ]


def test_rules_apply_only_to_findings_without_nist_ids_first_match_wins():
    mapping = _map(
        _finding(rule_id="CVE-2024-3094", tags=("CWE-506",)),
        _finding(rule_id="DS002"),
        _finding(rule_id="CVE-2024-1", sp800_53=("XY-1",)),  # a NIST id, unknown: no rule
        tool="Trivy",
    )
    assert [(m.outcomes, m.how, m.unmapped_reason) for m in mapping.findings] == [
        (("ID.RA-01", "PR.PS-02"), ("rule:vuln",), None),
        (("PR.PS-01",), ("rule:any-trivy",), None),
        ((), (), "unknown-sp800-53-id"),
    ]
    assert _map(_finding(rule_id="DS002")).findings[0].unmapped_reason == "no-ids"


def test_summary_counts_statuses_per_outcome_and_serious_failures():
    mapping = _map(
        _finding(FindingStatus.FAIL, Severity.CRITICAL, sp800_53=("RA-5",)),
        _finding(FindingStatus.FAIL, Severity.LOW, sp800_53=("RA-5",)),
        _finding(FindingStatus.PASS, Severity.HIGH, sp800_53=("RA-5",)),
        _finding(FindingStatus.MANUAL, Severity.HIGH, sp800_53=("SI-2",)),
        _finding(rule_id="nothing"),
    )
    summary = mapping.summary
    assert summary.to_json() == {
        "format": "sarif",
        "findings": 5,
        "mapped": 4,
        "unmapped": {"no-ids": 1},
        "outcomes": {"ID.RA-01": {"fail": 2, "pass": 1}, "PR.PS-02": {"manual": 1}},
        "contradicted": [],
    }
    assert summary.outcomes["ID.RA-01"].serious_failures == 1
    assert contradicted(summary.outcomes, {"ID.RA-01", "PR.PS-02", "GV.OC-01"}) == ["ID.RA-01"]
    assert contradicted(summary.outcomes, {"PR.PS-02"}) == []


def test_a_rule_without_tool_or_pattern_is_refused():
    with pytest.raises(ValueError, match="needs a tool pattern or id patterns"):
        ScanRule("all", ("PR.PS-01",), "everything")


IDS = st.one_of(
    st.sampled_from(
        ["AC-2", "AC-2(1)", "ac_2_5", "AU-9 (3)", "CM-6(a)", "RA-5", "SI-2", "AU-9", "XY-1", "",
         "NIST.800-53.r5 AC-4", "banana", "PM", "SI-2(7)"]
    ),
    st.text(max_size=12),
)  # fmt: skip
CSF_IDS = st.one_of(
    st.sampled_from(["GV.OC-01", "gv.oc-1", "PR.AC-1", "ID.RA-01", "PR.ZZ-01", "DE.CM-9", "x"]),
    st.text(max_size=10),
)
FINDINGS = st.builds(
    Finding,
    rule_id=st.one_of(st.sampled_from(["CVE-2024-1", "DS002", "B602"]), st.text(max_size=8)),
    title=st.just("t"),
    status=st.sampled_from(list(FindingStatus)),
    severity=st.sampled_from(list(Severity)),
    sp800_53=st.lists(IDS, max_size=3).map(tuple),
    csf=st.lists(CSF_IDS, max_size=2).map(tuple),
    cci=st.lists(st.sampled_from(["CCI-000366", "CCI-1", "junk"]), max_size=2).map(tuple),
    tags=st.lists(st.sampled_from(["CWE-79", "CVE-2024-2", "misconfiguration"]), max_size=2).map(
        tuple
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    findings=st.lists(FINDINGS, max_size=12),
    valid=st.sets(st.sampled_from(OUTCOMES)),
    with_cci=st.booleans(),
    tool=st.sampled_from(["Trivy", "bandit", "x"]),
)
def test_mapping_invariants(findings, valid, with_cci, tool):
    mapping = map_scan(
        ScanReport(format="sarif", tool=tool, findings=tuple(findings)),
        crosswalk=CROSSWALK,
        outcomes=valid,
        csf11=CSF11,
        cci={"CCI-000366": ("CM-6",)} if with_cci else None,
        rules=RULES,
    )
    summary = mapping.summary
    produced = {code for m in mapping.findings for code in m.outcomes}
    assert produced <= valid  # never an outcome outside the given Core
    assert set(summary.outcomes) <= valid
    assert summary.mapped + sum(summary.unmapped.values()) == summary.findings == len(findings)
    assert set(summary.unmapped) <= set(UNMAPPED_REASONS)
    for m in mapping.findings:
        assert m.mapped != (m.unmapped_reason is not None)
