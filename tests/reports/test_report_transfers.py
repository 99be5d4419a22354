"""Reports across frameworks: the workpaper's and the brief's section, the XLSX sheet and the
Word document's section per framework."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pytest
from docx import Document

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


def _docx_section(data: bytes, title: str) -> tuple[list[str], list[list[str]]]:
    """The paragraphs under the heading ``title`` up to the next heading, and the rows of the
    table that follows it, read from the document's body in order."""
    document = Document(io.BytesIO(data))
    body = document.element.body
    tables = {t._tbl: t for t in document.tables}
    paragraphs = {p._p: p for p in document.paragraphs}
    texts: list[str] = []
    inside = False
    for child in body.iterchildren():
        if child in paragraphs:
            p = paragraphs[child]
            if p.style.name.startswith("Heading"):
                if inside:
                    break
                inside = p.text == title
            elif inside and p.text:
                texts.append(p.text)
        elif inside and child in tables:
            return texts, [[c.text for c in r.cells] for r in tables[child].rows]
    raise AssertionError(f"no table under the heading {title!r}")


def test_the_word_brief_has_the_section_with_the_engine_s_values(clinic, reference, provenance):
    report, done = _report(clinic, reference, provenance, kind="brief")
    texts, rows = _docx_section(render(report, "docx"), "Results transferred to SP 800-53 Rev. 5")
    assert any("weakest link" in t and done.datasets[0] in t for t in texts)
    counts = done.counts()
    assert any(f"{counts['reached']} outcomes reached" in t for t in texts)
    header, *body = rows
    assert header == [
        "Outcome",
        "Proposed current",
        "Proposed target",
        "Coverage",
        "Sources (current / target, relationship)",
        "Datasets",
    ]
    assert len(body) == len(done.proposals)
    by_id = {r[0].split("\n")[0]: r for r in body}
    assert set(by_id) == {p.outcome for p in done.proposals}
    for p in done.proposals:
        _id, current, target, coverage, sources, datasets = by_id[p.outcome]
        assert current == (p.current.level.label if p.current.level else "—")
        assert target == (p.target.level.label if p.target.level else "—")
        assert (
            coverage
            == {"full": "full", "partial": "partial", "none": "no rated source"}[p.coverage.value]
        )
        assert datasets == ", ".join(p.datasets)
        for c in p.contributions:
            if c.current is not None or c.target is not None:
                assert f"{c.source} " in sources
    # A partial coverage is never shown as fully implemented.
    assert all(r[1] != "Fully implemented" for r in body if r[3] == "partial")
    ac1 = by_id["AC-1"]
    assert ac1[0].startswith("AC-1\n") and len(ac1[0]) <= len("AC-1\n") + 240


def test_the_brief_has_the_section_in_html_and_markdown(clinic, reference, provenance):
    report, done = _report(clinic, reference, provenance, kind="brief")
    html = render(report, "html").decode()
    assert "Results transferred to SP 800-53 Rev. 5" in html and done.datasets[0] in html
    # After the brief's own pages, from a page of its own in the PDF.
    assert html.index('<section class="transfers">') > html.index("<h2>Largest gaps")
    md = render(report, "md").decode()
    assert "## Results transferred to SP 800-53 Rev. 5" in md and "| AC-1 |" in md


def test_the_brief_s_workbook_has_the_sheet_before_about(clinic, reference, provenance):
    report, done = _report(clinic, reference, provenance, kind="brief")
    wb = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    assert wb.sheetnames[-2:] == ["1 sp800-53r5", "About"]
    assert wb["1 sp800-53r5"].max_row == len(done.proposals) + 3


def test_a_brief_without_transfers_has_no_such_section(clinic, reference, provenance):
    report = build_report(
        clinic,
        reference.framework,
        kind="brief",
        provenance=provenance,
        today=TODAY,
        generated=datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
    )
    document = Document(io.BytesIO(render(report, "docx")))
    assert not [p for p in document.paragraphs if p.text.startswith("Results transferred")]


@pytest.mark.parametrize(
    ("lang", "title"), [("en", "Results transferred to"), ("zh-Hant", "轉換到")]
)
def test_report_brief_command_writes_the_word_section(tmp_path, lang, title):
    result = csfpilot(
        "report",
        "brief",
        "-p",
        str(EXAMPLE),
        "--transfer-to",
        "cis-v8.1",
        "--lang",
        lang,
        "-o",
        "brief.docx",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    document = Document(tmp_path / "brief.docx")
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    last = headings[-1]  # the section speaks the report's language
    assert "CIS" in last and last.startswith(title)
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "olir-cis-v8.1" in " ".join(cells)
