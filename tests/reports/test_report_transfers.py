"""Reports across frameworks: the workpaper's section and the XLSX sheet per framework."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl

from csfpilot.core.crosswalks import find_route, transfer_profile
from csfpilot.formats.native.reference import bundled_crosswalks, bundled_reference
from csfpilot.reports.model import build_report
from csfpilot.reports.render import render
from csfpilot.reports.transfers import TransferView
from tests.cli.test_profile_cli import csfpilot
from tests.reports.conftest import EXAMPLE, TODAY


def _report(clinic, reference, provenance, kind="workpaper"):
    controls = bundled_reference("sp800-53r5")
    route = find_route(bundled_crosswalks(), "csf-2.0", "sp800-53r5")
    done = transfer_profile(clinic, route, target_framework=controls.framework)
    view = TransferView(done, "SP 800-53 Rev. 5", controls.framework.texts)
    report = build_report(
        clinic,
        reference.framework,
        kind=kind,
        provenance=provenance,
        today=TODAY,
        generated=datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
        transfers=[view],
    )
    return report, done


def test_the_workpaper_has_a_section_with_coverage_and_datasets(clinic, reference, provenance):
    report, done = _report(clinic, reference, provenance)
    (section,) = report.transfers
    assert section["title"] == "Results transferred to SP 800-53 Rev. 5"
    assert section["datasets"] == list(done.datasets)
    ac1 = next(r for r in section["rows"] if r["id"] == "AC-1")
    proposal = done.proposal("AC-1")
    assert ac1["current"] == proposal.current.level.label
    assert ac1["coverage"] == "partial" and "(related to)" in ac1["sources"]
    assert len(ac1["text"]) <= 240
    html = render(report, "html").decode()
    assert "Results transferred to SP 800-53 Rev. 5" in html
    assert "weakest link" in html and done.datasets[0] in html


def test_the_markdown_workpaper_has_the_section_too(clinic, reference, provenance):
    report, done = _report(clinic, reference, provenance)
    md = render(report, "md").decode()
    assert "## Results transferred to SP 800-53 Rev. 5" in md
    assert "| AC-1 |" in md and done.datasets[0] in md


def test_the_xlsx_report_has_a_sheet_per_framework(clinic, reference, provenance):
    report, done = _report(clinic, reference, provenance)
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    assert "1 sp800-53r5" in wb.sheetnames
    ws = wb["1 sp800-53r5"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Outcome", "Statement", "Proposed current", "Proposed target", "Coverage"]
    assert ws.max_row == len(done.proposals) + 3  # header, rows, a blank row, the note
    assert done.datasets[0] in ws.cell(ws.max_row, 2).value


def test_report_command_transfer_to(tmp_path):
    result = csfpilot(
        "report",
        "workpaper",
        "-p",
        str(EXAMPLE),
        "--transfer-to",
        "cis-v8.1",
        "-o",
        "w.xlsx",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    assert "1 cis-v8.1" in wb.sheetnames
    bad = csfpilot(
        "report",
        "workpaper",
        "-p",
        str(EXAMPLE),
        "--transfer-to",
        "nope-1",
        "-o",
        "x.html",
        cwd=tmp_path,
    )
    assert bad.returncode != 0 and "nope-1" in bad.stderr + bad.stdout
