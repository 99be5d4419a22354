"""Each format, opened with a real reader: an HTML parser, pypdf, openpyxl, python-docx."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import docx
import openpyxl
import pypdf
import pytest

from csfpilot.reports.docx import render_docx
from csfpilot.reports.html import render_html
from csfpilot.reports.markdown import md, render_markdown
from csfpilot.reports.pdf import render_pdf
from csfpilot.reports.xlsx import render_xlsx

from .conftest import HOSTILE_NAME, HOSTILE_NOTE

CHINESE = {
    "brief": "董事會簡報",
    "workpaper": "詳細工作底稿",
    "tiers": "CSF 層級",
    "scores": "各功能分數",
    "governance": "網路安全風險治理",
    "current": "現況",
    "target": "目標",
}


class Page(HTMLParser):
    """Collects tags, attributes and text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.headings: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2"):
            self._in = tag
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in:
            self.headings[-1] += data


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    return p


def test_brief_html_is_self_contained_and_inert(build):
    page = parse(render_html(build("brief")))
    tags = {t for t, _ in page.tags}
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    assert "svg" in tags and "style" in tags
    for _tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs)
        for name in ("href", "src"):
            value = attrs.get(name) or ""
            assert not value or value.startswith(("#", "data:image/")), value
    csp = [a for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    assert "default-src 'none'" in csp[0]["content"]
    assert page.headings[0] == HOSTILE_NAME  # shown as text, never as markup
    assert page.headings[1:] == [
        "CSF Tiers",
        "Score per Function",
        "Trend since the last snapshot",
        "Action-plan progress",
        "Largest gaps, by priority × gap",
    ]
    text = " ".join(" ".join(page.text).split())  # the snapshot's label is its own element
    assert "Since Q4 review" in text
    assert "DE.CM-02" in text


def test_workpaper_html_lists_every_outcome_the_plan_and_provenance(build, reference):
    report = build("workpaper")
    page = render_html(report)
    parsed = parse(page)
    articles = [a for t, a in parsed.tags if t == "article"]
    assert len(articles) == len(report.outcomes) == 105
    text = " ".join(parsed.text)
    assert reference.catalog.info.source_sha256 in text
    assert "Board minutes 2024-02-14, item 6" in text
    assert HOSTILE_NOTE in text  # the note is there, as text
    assert "A-900" in text
    assert "onerror" not in {k for _, a in parsed.tags for k in a}


def test_pdf_brief_has_the_text_and_at_most_two_pages(build):
    data = render_pdf(build("brief"))
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert 1 <= len(reader.pages) <= 2
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Board brief" in text.replace("\n", " ") or "BOARD BRIEF" in text
    assert "CSF Tiers" in text
    assert "DE.CM-02" in text
    assert "Risk Informed" in text


def test_pdf_renders_traditional_chinese(build):
    data = render_pdf(build("brief", words=CHINESE, language="zh-Hant"))
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    for word in ("董事會簡報", "層級", "網路安全風險治理", "各功能分數"):
        assert word in text, word
    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("CJK" in f for f in fonts), fonts


def test_xlsx_sheets_tables_chart_and_formula_neutralising(build):
    report = build("workpaper")
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    assert wb.sheetnames == ["Summary", "Profile", "Gaps", "Action plan", "About"]
    summary = wb["Summary"]
    assert [c.value for c in summary[1]][:5] == ["Function", "Name", "Current", "Target", "Gap"]
    assert summary["A2"].value == "GV" and summary["C2"].value == report.functions[0]["current"]
    assert summary["A2"].font.bold is False and summary["A1"].font.bold is True
    assert summary.freeze_panes == "A2"
    charts = summary._charts
    assert len(charts) == 1 and charts[0].type == "bar" and len(charts[0].series) == 2
    profile = wb["Profile"]
    assert profile.max_row == 1 + 105
    assert profile.auto_filter.ref == f"A1:V{profile.max_row}"
    gaps = wb["Gaps"]
    assert [gaps.cell(r, 2).value for r in range(2, 5)] == [g["outcome"] for g in report.gaps[:3]]
    plan = wb["Action plan"]
    row = next(r for r in plan.iter_rows(min_row=2) if r[0].value == "A-900")
    # Formula-like text stays text: a leading apostrophe, stored as a string.
    assert row[1].value == "'=cmd|'/c calc'!A0 review" and row[1].data_type == "s"
    assert row[7].value == "Yes"
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=2)}
    assert about["SHA-256 of the source"] == report.provenance["sha256"]
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=")
        for ws in wb.worksheets
        for r in ws.iter_rows()
        for c in r
    )


def test_markdown_brief_and_workpaper(build):
    brief = render_markdown(build("brief"))
    assert brief.startswith("# Board brief: \\<script\\>")
    assert "## CSF Tiers" in brief and "| **GV Govern** |" in brief
    assert "<script>" not in brief
    work = render_markdown(build("workpaper"))
    assert "### GV.OC-01" in work and "## Appendix: method and data provenance" in work
    assert "\\<img src=x onerror=alert(2)\\>" in work
    assert "<img" not in work.replace("\\<img", "")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("a|b\nc", "a\\|b c"),
        ("<b>&amp;", "\\<b\\>\\&amp;"),
        (
            "*bold* _it_ `code` ~~s~~ ![i](u)",
            "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\!\\[i\\](u)",
        ),
    ],
)
def test_markdown_escaping(text, escaped):
    assert md(text) == escaped


def test_docx_brief_is_editable(build):
    document = docx.Document(io.BytesIO(render_docx(build("brief"))))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        HOSTILE_NAME,
        "CSF Tiers",
        "Score per Function",
        "Largest gaps, by priority × gap",
        "Trend since the last snapshot",
        "Action-plan progress",
    ]
    assert len(document.inline_shapes) == 1  # the Function chart, as a picture
    tiers = document.tables[1]
    assert tiers.cell(1, 0).text == "Cybersecurity risk governance"
    assert tiers.cell(1, 1).text == "Tier 2 · Risk Informed → Tier 3 · Repeatable"
    gaps = document.tables[3]
    assert gaps.cell(1, 1).text.startswith("DE.CM-02")
    assert document.core_properties.title.startswith("Board brief")
