"""XCCDF results and ARF from OpenSCAP (committed and live) and an XCCDF 1.1 result with CCIs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import FindingStatus, Severity
from csfpilot.scanners import detect, read_scan

from .conftest import CCI_ROWS, scan

# oscap's own tally of the committed run (PROVENANCE.md): 23 pass, 21 fail.
EXPECTED = {
    "format": "xccdf",
    "findings": 44,
    "mapped": 40,
    "unmapped": {"no-ids": 3, "not-in-crosswalk": 1},
    "outcomes": {
        "DE.AE-02": {"fail": 1},
        "DE.AE-03": {"fail": 1},
        "DE.AE-08": {"fail": 1},
        "DE.CM-01": {"fail": 8, "pass": 2},
        "DE.CM-03": {"fail": 3, "pass": 2},
        "DE.CM-06": {"fail": 2},
        "DE.CM-09": {"fail": 19, "pass": 21},
        "GV.SC-07": {"fail": 2},
        "ID.AM-08": {"pass": 2},
        "ID.IM-01": {"fail": 1},
        "ID.IM-02": {"fail": 1},
        "ID.IM-03": {"fail": 1},
        "ID.RA-01": {"fail": 1},
        "ID.RA-10": {"fail": 2},
        "PR.AA-01": {"fail": 1, "pass": 4},
        "PR.AA-02": {"pass": 5},
        "PR.AA-03": {"fail": 2, "pass": 7},
        "PR.AA-05": {"fail": 5, "pass": 21},
        "PR.AA-06": {"fail": 6, "pass": 4},
        "PR.DS-01": {"fail": 3, "pass": 15},
        "PR.DS-02": {"fail": 3, "pass": 15},
        "PR.DS-10": {"fail": 3, "pass": 17},
        "PR.IR-01": {"fail": 6, "pass": 4},
        "PR.IR-04": {"fail": 2},
        "PR.PS-01": {"fail": 19, "pass": 21},
        "PR.PS-04": {"fail": 9},
        "PR.PS-06": {"pass": 2},
        "RS.AN-03": {"fail": 1},
        "RS.AN-06": {"fail": 1},
        "RS.AN-07": {"fail": 1},
        "RS.MA-02": {"fail": 1},
        "RS.MA-03": {"fail": 1},
    },
    "contradicted": [],
}


@pytest.mark.parametrize(
    "name", ["oscap-debian11-standard-xccdf.xml", "oscap-debian11-standard-arf.xml"]
)
def test_openscap_results_map_to_outcomes(name, nist):
    report = scan(name)
    assert (report.format, report.tool, report.tool_version, report.scope) == (
        "xccdf",
        "OpenSCAP",
        "1.3.7",
        "vm",
    )
    assert [f.status for f in report.findings].count(FindingStatus.PASS) == 23
    assert [f.status for f in report.findings].count(FindingStatus.FAIL) == 21
    home = report.findings[0]
    assert home.rule_id == "xccdf_org.ssgproject.content_rule_partition_for_home"
    assert home.title == "Ensure /home Located On Separate Partition"
    assert (home.severity, home.sp800_53, home.csf) == (
        Severity.LOW,
        ("CM-6(a)", "SC-5(2)"),
        ("PR.PT-4",),
    )
    assert home.cci == ("CCI-000366", "CCI-001208")
    mapping = nist.map(report)
    assert mapping.summary.to_json() == EXPECTED
    first = mapping.findings[0]
    # CM-6(a) is CM-6; SC-5(2) has no row of its own and falls back to SC-5;
    # CSF 1.1 PR.PT-4 went to PR.AA-06 and PR.IR-01.
    assert first.outcomes == ("DE.CM-01", "DE.CM-09", "PR.AA-06", "PR.IR-01", "PR.PS-01")
    assert first.how == ("sp800-53", "csf-1.1")
    assert mapping.summary.normalised[("CM-6(a)", "CM-6")] == 40
    assert mapping.summary.normalised[("PR.PT-4", "PR.AA-06, PR.IR-01")] == 10
    assert mapping.summary.fallbacks[("SC-5(2)", "SC-5")] == 5
    assert sum(mapping.summary.fallbacks.values()) == 33
    unmapped = {
        m.finding.rule_id.rsplit("_rule_", 1)[1]: m.unmapped_reason
        for m in mapping.findings
        if not m.mapped
    }
    assert unmapped == {
        "file_permissions_systemmap": "no-ids",
        "sysctl_fs_suid_dumpable": "not-in-crosswalk",  # SI-11 has no CSF 2.0 row
        "package_nis_removed": "no-ids",
        "package_ntpdate_removed": "no-ids",
    }


def test_xccdf_1_1_with_cci_idents_and_a_cci_list(nist):
    report = scan("xccdf11-disa-cci.xml")
    assert (report.tool, report.tool_version, report.scope, report.skipped) == (
        "scc",
        "5.10",
        "WS2022-DC01",
        1,  # the notselected row
    )
    assert [(f.status, f.severity, f.cci) for f in report.findings] == [
        (FindingStatus.PASS, Severity.HIGH, ("CCI-000366",)),
        (FindingStatus.FAIL, Severity.MEDIUM, ("CCI-000804",)),
        (FindingStatus.MANUAL, Severity.LOW, ("CCI-000764",)),
    ]
    without = nist.map(report).summary
    assert without.to_json()["unmapped"] == {"cci-list-not-imported": 3}
    assert without.skipped == 1
    mapping = nist.map(report, cci=CCI_ROWS)
    assert mapping.summary.to_json() == {
        "format": "xccdf",
        "findings": 3,
        "mapped": 3,
        "unmapped": {},
        "outcomes": {
            "DE.CM-09": {"pass": 1},
            "PR.AA-01": {"fail": 1, "manual": 1},  # IA-8 and IA-2 both reach PR.AA-01/03
            "PR.AA-03": {"fail": 1, "manual": 1},
            "PR.PS-01": {"pass": 1},
        },
        "contradicted": [],
    }
    assert [m.how for m in mapping.findings] == [("cci",), ("cci",), ("cci",)]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed/billion-laughs.xml", "billion-laughs.xml:2: the document declares a DTD"),
        ("malformed/external-entity.xml", "external-entity.xml:2: the document declares a DTD"),
        (
            "malformed/xccdf-bad-result.xml",
            "xccdf-bad-result.xml:5: element rule-result xccdf_org.example_rule_odd: "
            "field result: result 'maybe' is not an XCCDF result",
        ),
    ],
)
def test_hostile_or_broken_xml_is_refused(name, message):
    with pytest.raises(InputRefused) as refused:
        scan(name)
    assert str(refused.value).startswith(message)


def test_a_benchmark_without_results_is_refused():
    data = (
        b'<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="b"><Rule id="r"/></Benchmark>'
    )
    with pytest.raises(InputRefused, match="no rule-result in the file"):
        read_scan(data, "benchmark.xml")


def test_other_xml_is_not_taken_for_xccdf():
    with pytest.raises(InputRefused, match="root element is 'html'"):
        detect(b'<?xml version="1.0"?><html><body/></html>', "page.xml")


def _datastream() -> Path | None:
    found = sorted(Path("/usr/share/xml/scap/ssg/content").glob("ssg-debian1*-ds.xml"))
    return found[-1] if found else None


@pytest.mark.skipif(
    shutil.which("oscap") is None or _datastream() is None,
    reason="oscap and the SCAP Security Guide come from scripts/system-deps.sh",
)
def test_live_openscap_evaluation_is_read(tmp_path):
    rules = [
        "xccdf_org.ssgproject.content_rule_partition_for_home",
        "xccdf_org.ssgproject.content_rule_package_rsyslog_installed",
        "xccdf_org.ssgproject.content_rule_sshd_disable_root_login",
    ]
    results, arf = tmp_path / "xccdf.xml", tmp_path / "arf.xml"
    command = [
        "oscap",
        "xccdf",
        "eval",
        "--profile",
        "xccdf_org.ssgproject.content_profile_standard",
    ]
    for rule in rules:
        command += ["--rule", rule]
    command += ["--results", results, "--results-arf", arf, _datastream()]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 2), done.stderr  # 2: some rule failed
    for path in (results, arf):
        report = read_scan(path.read_bytes(), path.name)
        assert report.tool == "OpenSCAP"
        assert sorted(f.rule_id for f in report.findings) == sorted(rules)
        assert report.skipped > 0  # every other rule of the benchmark is notselected
        home = next(f for f in report.findings if f.rule_id == rules[0])
        assert (
            "CM-6(a)" in home.sp800_53
            and home.title == "Ensure /home Located On Separate Partition"
        )
