"""HDF/InSpec, Prowler (OCSF and CSV), Security Hub ASFF and Trivy: shapes, statuses, mapping."""

from __future__ import annotations

import json

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.evidence.findings import FindingStatus, Severity
from csfpilot.scanners import detect, read_scan

from .conftest import CCI_ROWS, SCANS, scan


def test_inspec_controls_take_heimdall_status_and_impact(nist):
    report = scan("inspec-rhel8-stig.json")
    assert (report.format, report.tool, report.tool_version, report.scope) == (
        "hdf",
        "InSpec",
        "5.22.36",
        "db-01.example.internal",
    )
    assert [(f.rule_id, f.status.value, f.severity.value) for f in report.findings] == [
        ("SV-230221", "pass", "high"),  # impact 0.7
        ("SV-230222", "fail", "medium"),
        ("SV-230223", "fail", "high"),  # one test passed, one failed
        ("SV-230225", "manual", "medium"),  # every test skipped
        ("SV-230229", "not-applicable", "info"),  # impact 0
        ("SV-230234", "error", "high"),
        ("SV-230264", "fail", "critical"),  # impact 0.9
        ("SV-230380", "pass", "low"),
    ]
    crypto = report.findings[2]
    assert crypto.sp800_53 == ("AC-17 (2)", "SC-13 b")  # "Rev_4" is not a control
    assert crypto.resource == "/etc/crypto-policies/config"
    assert crypto.detail == 'expected "DEFAULT" to eq "FIPS"'


def test_inspec_mapping_without_and_with_a_cci_list(nist):
    mapping = nist.map(scan("inspec-rhel8-stig.json"))
    assert mapping.summary.to_json() == {
        "format": "hdf",
        "findings": 8,
        "mapped": 6,
        "unmapped": {"not-in-crosswalk": 1, "unknown-sp800-53-id": 1},
        "outcomes": {
            "DE.CM-09": {"pass": 1},
            "PR.AA-01": {"not-applicable": 1},
            "PR.AA-03": {"not-applicable": 1},
            "PR.AA-05": {"error": 1, "fail": 1},
            "PR.DS-01": {"fail": 1},
            "PR.DS-02": {"fail": 1},
            "PR.DS-10": {"error": 1, "fail": 1},
            "PR.IR-01": {"error": 1},
            "PR.PS-01": {"fail": 1, "pass": 1},
            "RS.AN-03": {"fail": 1},
        },
        "contradicted": [],
    }
    summary = mapping.summary
    assert summary.normalised[("IA-5 (2) (a)", "IA-5(2)")] == 1
    assert summary.fallbacks == {
        ("AC-17(2)", "AC-17"): 1,
        ("IA-5(2)", "IA-5"): 1,
        ("CM-5(3)", "CM-5"): 1,
    }
    assert summary.outcomes["PR.PS-01"].serious_failures == 1  # SV-230264, critical
    banner = mapping.findings[3]
    assert (banner.unmapped_reason, banner.problems[0]) == (
        "not-in-crosswalk",
        ("AC-8 a", "not-in-crosswalk"),
    )
    assert mapping.findings[7].problems[0] == ("ZZ-99", "unknown-sp800-53-id")
    # With the CCI list the control's CCI-000366 (CM-6 b) maps; AC-8 still has no CSF row.
    with_cci = nist.map(scan("inspec-rhel8-stig.json"), cci=CCI_ROWS).summary
    assert with_cci.to_json()["unmapped"] == {"not-in-crosswalk": 1}
    assert with_cci.to_json()["outcomes"]["DE.CM-09"] == {"fail": 1, "pass": 2}


def test_inspec_junk_ids_are_reported_never_invented(nist):
    mapping = nist.map(scan("malformed/junk-ids.json"))
    assert mapping.summary.to_json()["unmapped"] == {"unknown-sp800-53-id": 2}
    first = mapping.findings[0]
    assert first.outcomes == ("DE.CM-09", "ID.AM-03", "PR.DS-10", "PR.IR-01")
    assert [p for p in first.problems if p[1] == "unknown-sp800-53-id"] == [
        ("banana", "unknown-sp800-53-id"),
        ("AC-", "unknown-sp800-53-id"),
        ("XY-12", "unknown-sp800-53-id"),
    ]
    assert mapping.summary.normalised[("au-9.3", "AU-9(3)")] == 1
    assert mapping.summary.normalised[("NIST.800-53.r5 AC-4", "AC-4")] == 1


def test_inspec_result_without_status_is_refused_by_path():
    with pytest.raises(InputRefused) as refused:
        scan("malformed/hdf-missing-status.json")
    assert str(refused.value) == (
        "hdf-missing-status.json: field $.profiles[0].controls[1].results[0].status: "
        "this field is required"
    )


PROWLER_JSON = {
    "unmapped": {"no-ids": 1},
    "outcomes": {
        "DE.CM-01": {"fail": 2},
        "DE.CM-03": {"fail": 1},
        "DE.CM-09": {"fail": 1},
        "PR.AA-01": {"fail": 1, "pass": 1},
        "PR.AA-03": {"fail": 1, "pass": 1},
        "PR.AA-05": {"fail": 2},
        "PR.DS-01": {"fail": 1, "pass": 1},
        "PR.DS-02": {"fail": 1, "pass": 1},
        "PR.DS-10": {"fail": 1, "pass": 1},
        "PR.IR-01": {"fail": 1},
        "PR.PS-04": {"fail": 1},
    },
}


@pytest.mark.parametrize(
    ("name", "key"), [("prowler-ocsf.json", "ocsf"), ("prowler.csv", "prowler-csv")]
)
def test_prowler_outputs_read_alike(name, key, nist):
    report = scan(name)
    assert (report.format, report.tool, report.tool_version, report.scope) == (
        key,
        "Prowler",
        "5.4.1",
        "123456789012",
    )
    assert report.skipped == 1  # the muted finding
    assert [(f.rule_id, f.status, f.severity) for f in report.findings[:2]] == [
        ("iam_root_mfa_enabled", FindingStatus.FAIL, Severity.CRITICAL),
        ("iam_password_policy_minimum_length_14", FindingStatus.PASS, Severity.MEDIUM),
    ]
    root_mfa = report.findings[0]
    assert root_mfa.sp800_53 == ("ia_2_1", "ia_2_2", "ia_5_1")
    assert root_mfa.csf == ("pr_aa_03", "PR.AC-1", "PR.AC-7")  # CSF 1.1 ids given their Function
    assert root_mfa.resource == "arn:aws:iam::123456789012:root"
    assert report.findings[5].status is FindingStatus.MANUAL
    mapping = nist.map(report)
    assert mapping.summary.to_json() == {
        "format": key,
        "findings": 6,
        "mapped": 5,
        **PROWLER_JSON,
        "contradicted": [],
    }
    assert mapping.findings[0].how == ("sp800-53", "csf", "csf-1.1")
    # "co_1" is CSF 1.1 RS.CO-1 or RC.CO-1: not guessed
    assert mapping.findings[4].problems == (("co_1", "unknown-csf-id"),)


def test_prowler_csv_bad_status_names_line_and_column():
    with pytest.raises(InputRefused) as refused:
        scan("malformed/prowler-bad-status.csv")
    assert str(refused.value) == (
        "prowler-bad-status.csv:3: column STATUS: status 'OK' is not one of PASS, FAIL, MANUAL"
    )


def test_prowler_v3_security_findings_are_refused_with_the_reason():
    doc = json.loads((SCANS / "prowler-ocsf.json").read_text())
    doc[1]["class_uid"] = 2001
    with pytest.raises(InputRefused) as refused:
        read_scan(json.dumps(doc).encode(), "prowler3.json")
    assert "field $[1].class_uid: OCSF class 2001" in str(refused.value)


def test_security_hub_findings(nist):
    report = scan("securityhub-asff.json")
    assert (report.format, report.tool, report.scope, report.skipped) == (
        "asff",
        "Security Hub, Inspector",
        "123456789012",
        1,  # the archived GuardDuty.1 finding
    )
    assert [(f.rule_id, f.status.value, f.severity.value) for f in report.findings] == [
        ("S3.5", "fail", "medium"),
        ("IAM.6", "fail", "critical"),
        ("CloudTrail.2", "pass", "info"),
        ("EC2.19", "manual", "high"),
        ("Config.1", "error", "medium"),
        ("AWSInspector", "fail", "critical"),  # no compliance part: a failure
    ]
    assert report.findings[0].sp800_53[:2] == ("NIST.800-53.r5 AC-17(2)", "NIST.800-53.r5 AC-4")
    mapping = nist.map(report)
    summary = mapping.summary.to_json()
    assert (summary["findings"], summary["mapped"], summary["unmapped"]) == (6, 6, {})
    assert summary["outcomes"]["PR.AA-01"] == {"fail": 2}
    assert summary["outcomes"]["PR.PS-02"] == {"fail": 2, "pass": 1}  # the CVE is one failure
    assert summary["outcomes"]["ID.RA-01"] == {"fail": 1}  # the CVE, through the rule table
    assert mapping.findings[5].how == ("rule:known-vulnerability",)
    assert mapping.summary.normalised[("NIST.800-53.r5 AC-4", "AC-4")] == 2
    assert len(summary["outcomes"]) == 18


def test_security_hub_newline_delimited_export(nist):
    data = (SCANS / "securityhub-asff.ndjson").read_bytes()
    assert detect(data, "export.ndjson") == "asff"
    report = read_scan(data, "export.ndjson")
    assert [f.rule_id for f in report.findings] == ["S3.5", "IAM.6", "CloudTrail.2"]
    assert nist.map(report).summary.to_json()["mapped"] == 3


def test_trivy_image_report(nist):
    report = scan("trivy-image.json")
    assert (report.format, report.tool, report.tool_version, report.scope) == (
        "trivy",
        "Trivy",
        "0.59.1",
        "registry.example.com/shop/web:1.8.2",
    )
    xz = report.findings[0]
    assert (xz.rule_id, xz.status, xz.severity) == (
        "CVE-2024-3094",
        FindingStatus.FAIL,
        Severity.CRITICAL,
    )
    assert xz.resource == "registry.example.com/shop/web:1.8.2 (debian 12.5): xz-utils 5.6.0-0.2"
    assert xz.tags == ("CVE-2024-3094", "CWE-506", "vulnerability", "os-pkgs")
    root_user = report.findings[3]
    assert (root_user.rule_id, root_user.tags[:3]) == (
        "AVD-DS-0002",
        ("DS002", "AVD-DS-0002", "Dockerfile Security Check"),
    )
    assert report.findings[5].status is FindingStatus.PASS
    mapping = nist.map(report)
    assert mapping.summary.to_json() == {
        "format": "trivy",
        "findings": 7,
        "mapped": 7,
        "unmapped": {},
        "outcomes": {
            "ID.RA-01": {"fail": 3},
            "PR.AA-01": {"fail": 1},
            "PR.PS-01": {"fail": 2, "pass": 1},
            "PR.PS-02": {"fail": 3},
        },
        "contradicted": [],
    }
    assert [m.how[0] for m in mapping.findings] == [
        "rule:known-vulnerability",
        "rule:known-vulnerability",
        "rule:known-vulnerability",
        "rule:configuration-check",
        "rule:configuration-check",
        "rule:configuration-check",
        "rule:credentials-in-code",
    ]


def test_trivy_schema_1_is_refused():
    with pytest.raises(InputRefused) as refused:
        scan("malformed/trivy-schema-1.json")
    assert str(refused.value) == (
        "trivy-schema-1.json: field $.SchemaVersion: schema version 1; "
        "csfpilot reads Trivy's JSON schema version 2"
    )


def test_an_overlay_control_is_read_once_where_it_has_results():
    doc = json.loads((SCANS / "inspec-rhel8-stig.json").read_text())
    overlay = json.loads(json.dumps(doc["profiles"][0]))
    for control in doc["profiles"][0]["controls"]:
        control["results"] = []  # the depended-on profile lists its controls without results
    doc["profiles"].insert(0, {**doc["profiles"].pop(0), "name": "rhel8-stig-baseline"})
    doc["profiles"].append({**overlay, "name": "site-overlay"})
    report = read_scan(json.dumps(doc).encode(), "overlay.json")
    assert len(report.findings) == 8
    assert report.findings[1].status is FindingStatus.FAIL  # from the overlay's results
    assert report.notes == (
        "profile rhel8-stig-baseline 1.12.0",
        "profile site-overlay 1.12.0",
    )
