"""The scanner benchmark's generated files are what it says they are."""

from __future__ import annotations

from bench.scanners import sarif_log, xccdf_results

from csfpilot.scanners import detect, read_scan


def test_generated_sarif_log_reads_as_sized():
    data = sarif_log(50)
    report = read_scan(data, "bench.sarif")
    assert (detect(data, "x"), len(report.findings), report.tool) == ("sarif", 50, "BenchScanner")
    assert report.findings[0].rule_id == "R0000"
    assert report.findings[0].sp800_53  # every fourth rule cites SP 800-53


def test_generated_xccdf_reads_as_sized_with_notselected_rows_skipped():
    report = read_scan(xccdf_results(20), "bench.xml")
    assert (report.format, len(report.findings), report.skipped) == ("xccdf", 20, 20)
    # two references per rule, the same control twice read once
    assert all(1 <= len(f.sp800_53) <= 2 and f.cci == ("CCI-000366",) for f in report.findings)
