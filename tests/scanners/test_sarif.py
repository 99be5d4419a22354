"""SARIF from bandit and flawfinder: the committed outputs and a live run of each tool."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import FindingStatus, Severity
from csfpilot.scanners import read_scan
from csfpilot.scanners.sarif import read

from .conftest import SCANS, scan

BIN = Path(sys.executable).parent


def test_bandit_sarif_reads_every_result_with_its_rule(nist):
    report = scan("bandit.sarif")
    assert (report.format, report.tool, report.tool_version) == ("sarif", "Bandit", "1.9.4")
    assert [f.rule_id for f in report.findings] == [
        "B403", "B404", "B105", "B602", "B301", "B506", "B324", "B501", "B113", "B101", "B307",
    ]  # fmt: skip
    shell = report.findings[3]
    assert shell.status is FindingStatus.FAIL
    assert shell.severity is Severity.HIGH  # bandit's issue_severity, not the SARIF level
    assert shell.resource == "tests/data/scanners/snippets/app.py:14"
    assert shell.tags == ("CWE-78", "security")
    assert shell.title.startswith("subprocess call with shell=True identified")


def test_bandit_sarif_maps_through_the_rule_table(nist):
    mapping = nist.map(scan("bandit.sarif"))
    assert mapping.summary.to_json() == {
        "format": "sarif",
        "findings": 11,
        "mapped": 11,
        "unmapped": {},
        "outcomes": {
            "PR.AA-01": {"fail": 1},
            "PR.DS-01": {"fail": 1},
            "PR.DS-02": {"fail": 2},
            "PR.PS-06": {"fail": 8},
        },
        "contradicted": [],
    }
    by_rule = {m.finding.rule_id: m for m in mapping.findings}
    assert by_rule["B105"].how == ("rule:credentials-in-code",)  # CWE-259 hard-coded password
    assert by_rule["B501"].outcomes == ("PR.DS-02",)  # CWE-295 certificate not checked
    assert by_rule["B324"].outcomes == ("PR.DS-01", "PR.DS-02")  # CWE-327 MD5
    assert by_rule["B602"].how == ("rule:code-weakness",)


def test_flawfinder_sarif_takes_cwe_ids_from_rule_relationships(nist):
    report = scan("flawfinder.sarif")
    assert (report.tool, report.tool_version) == ("Flawfinder", "2.0.20")
    assert [(f.rule_id, f.severity.value, f.tags) for f in report.findings] == [
        ("FF1013", "low", ("CWE-119", "CWE-120")),
        ("FF1013", "low", ("CWE-119", "CWE-120")),
        ("FF1001", "high", ("CWE-120",)),
        ("FF1015", "high", ("CWE-120",)),
        ("FF1016", "high", ("CWE-134",)),
        ("FF1044", "high", ("CWE-78",)),
        ("FF1014", "high", ("CWE-120", "CWE-20")),
    ]
    summary = nist.map(report).summary
    assert summary.to_json()["outcomes"] == {"PR.PS-06": {"fail": 7}}
    assert summary.outcomes["PR.PS-06"].serious_failures == 5


def test_a_sarif_log_with_no_results_is_an_empty_report(nist):
    report = scan("malformed/no-results.sarif")
    assert report.findings == ()
    assert nist.map(report).summary.to_json()["findings"] == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed/wrong-version.sarif", "field $.version: SARIF version '2.0.0'; csfpilot reads"),
        ("malformed/truncated.sarif", "truncated.sarif:123: not valid JSON"),
    ],
)
def test_bad_sarif_is_refused_naming_where(name, message):
    with pytest.raises(InputRefused) as refused:
        scan(name)
    assert message in str(refused.value)


def test_a_result_with_an_unknown_kind_names_the_result():
    doc = json.loads((SCANS / "bandit.sarif").read_text())
    doc["runs"][0]["results"][2]["kind"] = "broken"
    with pytest.raises(InputRefused) as refused:
        read(json.dumps(doc).encode(), name="x.sarif")
    assert str(refused.value).startswith("x.sarif: field $.runs[0].results[2].kind: unknown kind")


def test_security_severity_and_nist_tags_of_codeql_style_rules(nist):
    doc = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "CodeQL",
                        "semanticVersion": "2.20.1",
                        "rules": [
                            {
                                "id": "py/sql-injection",
                                "shortDescription": {"text": "SQL query built from user input"},
                                "properties": {
                                    "security-severity": "8.8",
                                    "tags": ["security", "external/cwe/cwe-089", "nist:SI-10"],
                                },
                            }
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": "py/sql-injection",
                        "ruleIndex": 0,
                        "message": {"text": "This query depends on a user-provided value."},
                        "locations": [{"logicalLocations": [{"fullyQualifiedName": "app.q"}]}],
                    },
                    {"ruleId": "py/sql-injection", "kind": "pass", "message": {"text": "ok"}},
                ],
            }
        ],
    }
    report = read(json.dumps(doc).encode(), name="codeql.sarif")
    first, second = report.findings
    assert (first.severity, first.sp800_53, first.tags) == (
        Severity.HIGH,
        ("SI-10",),
        ("CWE-89", "security"),
    )
    assert (first.resource, second.status) == ("app.q", FindingStatus.PASS)
    mapping = nist.map(report)
    assert mapping.findings[0].how == ("sp800-53",)  # the NIST tag wins over the CWE rule
    assert mapping.summary.to_json()["mapped"] == 2


@pytest.mark.skipif(not (BIN / "bandit").exists(), reason="bandit is installed with the test tools")
def test_live_bandit_run_is_read(tmp_path, nist):
    code = tmp_path / "service.py"
    code.write_text(
        "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
    )
    out = tmp_path / "bandit.sarif"
    subprocess.run(
        [BIN / "bandit", "-q", "-r", tmp_path, "-f", "sarif", "-o", out],
        check=False,  # bandit exits 1 when it finds something
        capture_output=True,
    )
    report = read_scan(out.read_bytes(), out.name)
    assert [(f.rule_id, f.severity, f.resource) for f in report.findings] == [
        ("B404", Severity.LOW, f"{code.as_uri()}:1"),
        ("B602", Severity.HIGH, f"{code.as_uri()}:5"),
    ]
    assert nist.map(report).summary.to_json()["outcomes"] == {"PR.PS-06": {"fail": 2}}


@pytest.mark.skipif(
    not (BIN / "flawfinder").exists() and not shutil.which("flawfinder"),
    reason="flawfinder is installed with the test tools",
)
def test_live_flawfinder_run_is_read(tmp_path, nist):
    code = tmp_path / "greet.c"
    code.write_text("#include <string.h>\nvoid greet(char *s) { char b[8]; strcpy(b, s); }\n")
    flawfinder = BIN / "flawfinder" if (BIN / "flawfinder").exists() else shutil.which("flawfinder")
    done = subprocess.run(
        [flawfinder, "--sarif", code], check=True, capture_output=True, cwd=tmp_path
    )
    report = read_scan(done.stdout, "flawfinder.sarif")
    assert report.tool == "Flawfinder"
    assert sorted(f.rule_id for f in report.findings) == ["FF1001", "FF1013"]
    summary = nist.map(report).summary
    assert (summary.findings, summary.mapped) == (2, 2)
    assert summary.outcomes["PR.PS-06"].counts == {"fail": 2}


def test_suppressed_and_absent_results_are_skipped_and_counted():
    doc = json.loads((SCANS / "bandit.sarif").read_text())
    results = doc["runs"][0]["results"]
    results[0]["suppressions"] = [{"kind": "inSource"}]
    results[1]["suppressions"] = [{"kind": "external", "status": "underReview"}]
    results[2]["baselineState"] = "absent"
    report = read(json.dumps(doc).encode(), name="b.sarif")
    assert report.skipped == 2
    assert [f.rule_id for f in report.findings][:2] == ["B404", "B602"]
