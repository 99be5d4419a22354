"""Recognising a scan file by its content, never by its name, and refusing what is not one."""

from __future__ import annotations

import json

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.scanners import FORMATS, detect, read_scan

from .conftest import SCANS

SAMPLES = {
    "bandit.sarif": "sarif",
    "flawfinder.sarif": "sarif",
    "oscap-debian11-standard-xccdf.xml": "xccdf",
    "oscap-debian11-standard-arf.xml": "xccdf",
    "xccdf11-disa-cci.xml": "xccdf",
    "inspec-rhel8-stig.json": "hdf",
    "prowler-ocsf.json": "ocsf",
    "prowler.csv": "prowler-csv",
    "securityhub-asff.json": "asff",
    "securityhub-asff.ndjson": "asff",
    "trivy-image.json": "trivy",
}


@pytest.mark.parametrize(("name", "key"), sorted(SAMPLES.items()))
def test_detect_by_content_whatever_the_name(name, key):
    data = (SCANS / name).read_bytes()
    assert detect(data, name) == key
    assert detect(data, "upload.txt") == key  # the name plays no part
    assert read_scan(data, "upload.txt").format == key


def test_every_format_has_a_sample():
    assert set(SAMPLES.values()) == set(FORMATS)


def test_a_forced_format_must_fit_the_file():
    data = (SCANS / "trivy-image.json").read_bytes()
    assert read_scan(data, "t.json", format="trivy").tool == "Trivy"
    with pytest.raises(InputRefused, match=r"t.json: field \$.version: this field is required"):
        read_scan(data, "t.json", format="sarif")
    with pytest.raises(InputRefused, match="unknown scan format 'nessus'"):
        read_scan(data, "t.json", format="nessus")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "x: the file is empty"),
        (b"   \n", "x: the file is empty"),
        (b'{"hello": "world"}', "x: JSON that is none of the scan formats"),
        (b"just some words\n", "x: csfpilot does not recognise this file"),
        (b'{"runs": [], "version": "2.1.0", "runs": []}', "the key 'runs' appears twice"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b"\xff\xfe{}", "x:1: the file is not UTF-8 text"),
        (b"[" * 5000 + b"]" * 5000, "nested deeper than 64 levels"),
    ],
)
def test_what_is_not_a_scan_is_refused(data, message):
    with pytest.raises(InputRefused) as refused:
        read_scan(data, "x")
    assert message in str(refused.value)


def test_a_utf8_byte_order_mark_is_tolerated():
    data = b"\xef\xbb\xbf" + (SCANS / "trivy-image.json").read_bytes()
    assert detect(data, "bom.json") == "trivy"


def _edited(name: str, edit) -> bytes:
    doc = json.loads((SCANS / name).read_text())
    edit(doc)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        (
            "bandit.sarif",
            lambda d: d["runs"][0]["results"][0].update(ruleId="", ruleIndex=99),
            "field $.runs[0].results[0].ruleIndex: no rule at index 99",
        ),
        (
            "inspec-rhel8-stig.json",
            lambda d: d["profiles"][0]["controls"][4].update(impact=5),
            "field $.profiles[0].controls[4].impact: impact 5 is outside 0 to 1",
        ),
        (
            "prowler-ocsf.json",
            lambda d: d[2].update(status_code="MAYBE"),
            "field $[2].status_code: status 'MAYBE' is not one of PASS, FAIL, MANUAL",
        ),
        (
            "securityhub-asff.json",
            lambda d: d["Findings"][1]["Compliance"].update(Status="GREEN"),
            "field $.Findings[1].Compliance.Status: status 'GREEN' is not one of",
        ),
        (
            "trivy-image.json",
            lambda d: d["Results"][2]["Misconfigurations"][0].pop("ID"),
            "field $.Results[2].Misconfigurations[0].ID: this field is required",
        ),
        (
            "trivy-image.json",
            lambda d: d["Results"][0].update(Vulnerabilities={"CVE": 1}),
            "field $.Results[0].Vulnerabilities: expected a list, found an object",
        ),
    ],
)
def test_a_wrong_field_is_refused_by_its_json_path(name, edit, message):
    with pytest.raises(InputRefused) as refused:
        read_scan(_edited(name, edit), name)
    assert str(refused.value).startswith(f"{name}: {message}")
