"""Malformed and hostile framework files: each is refused, naming where the problem is."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from csfpilot.core.errors import CatalogInvariantError, InputRefused
from csfpilot.formats.nist.csf11 import read_csf11_workbook
from csfpilot.formats.nist.reftool import read_reference_tool
from csfpilot.formats.xlsx_safety import open_workbook

from .conftest import CSF11, REFTOOL


def _node(doc, code):
    stack = list(doc["response"]["elements"])
    while stack:
        node = stack.pop()
        if node["elementIdentifier"] == code and node["elementTypeIdentifier"] != "party":
            return node
        stack.extend(
            c for c in node.get("elements", []) if c["elementTypeIdentifier"] != "withdraw_reason"
        )
    raise KeyError(code)


# --- Reference Tool JSON --------------------------------------------------------------


def test_truncated_json():
    data = REFTOOL.read_bytes()[:1_000_000]
    with pytest.raises(InputRefused) as err:
        read_reference_tool(data, name="csf.json")
    assert err.value.file == "csf.json"
    assert err.value.line == 1
    assert "not valid JSON" in str(err.value)


def test_a_107th_subcategory(reftool_variant):
    def add(doc):
        category = _node(doc, "GV.OC")
        extra = dict(_node(doc, "GV.OC-05"), elementIdentifier="GV.OC-06", elements=[])
        category["elements"].append(extra)

    with pytest.raises(CatalogInvariantError) as err:
        read_reference_tool(reftool_variant(add), name="csf.json")
    assert err.value.element == "GV.OC-06"
    assert "found 107 active subcategory elements" in str(err.value)
    assert str(err.value).startswith("csf.json: element GV.OC-06")


def test_a_withdrawn_id_marked_active(reftool_variant):
    def reactivate(doc):
        node = _node(doc, "ID.AM-06")
        node["elements"] = [
            c for c in node["elements"] if c["elementTypeIdentifier"] != "withdraw_reason"
        ]

    with pytest.raises(CatalogInvariantError) as err:
        read_reference_tool(reftool_variant(reactivate), name="csf.json")
    assert err.value.element == "ID.AM-06"
    assert "no active subcategory ID.AM-06" in str(err.value)


def test_a_duplicated_id(reftool_variant):
    def duplicate(doc):
        _node(doc, "PR.AA")["elements"].append(json.loads(json.dumps(_node(doc, "PR.AA-01"))))

    with pytest.raises(CatalogInvariantError, match="appears twice") as err:
        read_reference_tool(reftool_variant(duplicate), name="csf.json")
    assert err.value.element == "PR.AA-01"


def test_an_active_copy_of_a_withdrawn_id(reftool_variant):
    def shadow(doc):
        copy = dict(_node(doc, "ID.AM-05"), elementIdentifier="ID.AM-06")
        _node(doc, "ID.AM")["elements"].append(copy)

    with pytest.raises(CatalogInvariantError, match="once withdrawn, once active") as err:
        read_reference_tool(reftool_variant(shadow), name="csf.json")
    assert err.value.element == "ID.AM-06"


def test_a_subcategory_under_the_wrong_category(reftool_variant):
    def misplace(doc):
        moved = _node(doc, "GV.RM-01")
        _node(doc, "GV.RM")["elements"].remove(moved)
        _node(doc, "GV.OC")["elements"].append(moved)

    with pytest.raises(CatalogInvariantError, match=r"sits under GV\.OC, not GV\.RM") as err:
        read_reference_tool(reftool_variant(misplace), name="csf.json")
    assert err.value.element == "GV.RM-01"


def test_a_text_of_the_wrong_type(reftool_variant):
    def number(doc):
        _node(doc, "DE.CM-01")["text"] = 42

    with pytest.raises(InputRefused, match="text must be a string") as err:
        read_reference_tool(reftool_variant(number), name="csf.json")
    assert err.value.element == "DE.CM-01"
    assert err.value.field.endswith(".text")
    assert err.value.field.startswith("response.elements[3]")


def test_a_withdrawal_pointing_nowhere(reftool_variant):
    def dangle(doc):
        reason = next(
            c
            for c in _node(doc, "ID.BE-01")["elements"]
            if c["elementTypeIdentifier"] == "withdraw_reason"
        )
        reason["elements"][0]["elementIdentifier"] = "GV.OC-99"

    with pytest.raises(CatalogInvariantError, match=r"GV\.OC-99 is not an active element") as err:
        read_reference_tool(reftool_variant(dangle), name="csf.json")
    assert err.value.element == "ID.BE-01"


def test_a_malformed_iso_identifier(reftool_variant):
    def garble(doc):
        for rel in _node(doc, "GV.OC-02")["externalRelationships"]:
            if rel.get("olirName", "").startswith("ISO/IEC"):
                rel["elementIdentifier"] = "Annex B: 3"
                return

    with pytest.raises(InputRefused, match="'Annex B: 3' is not an ISO/IEC 27001") as err:
        read_reference_tool(reftool_variant(garble), name="csf.json")
    assert err.value.element == "GV.OC-02"


def test_a_reference_of_the_wrong_type_is_named_by_its_place(reftool_variant):
    def number(doc):
        _node(doc, "GV.OC-02")["externalRelationships"][2]["relationIdentifier"] = 7

    with pytest.raises(InputRefused, match="relationIdentifier must be a non-empty string") as err:
        read_reference_tool(reftool_variant(number), name="csf.json")
    assert err.value.field.startswith("response.elements[0].elements[")
    assert err.value.field.endswith(".externalRelationships[2].relationIdentifier")


def test_not_a_reference_tool_export():
    with pytest.raises(InputRefused, match="not a CSF Reference Tool export"):
        read_reference_tool(b'{"catalog": {}}', name="oscal.json")


def test_a_300_mb_file_is_refused_by_its_size(tmp_path, monkeypatch):
    big = tmp_path / "csf-2.0-reference-tool-elements.json"
    with big.open("wb") as fh:
        fh.truncate(300 * 1024 * 1024)

    def no_reading(self, *args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(InputRefused, match="refused before reading") as err:
        read_reference_tool(big)
    assert err.value.file == big.name


def test_deeply_nested_json():
    with pytest.raises(InputRefused, match="nested too deeply") as err:
        read_reference_tool(b'{"response": ' + b"[" * 5000 + b"]" * 5000 + b"}", name="deep.json")
    assert err.value.file == "deep.json"


def test_a_utf16_file():
    data = REFTOOL.read_bytes().decode("utf-8").encode("utf-16")
    with pytest.raises(InputRefused, match="not UTF-8") as err:
        read_reference_tool(data, name="csf-utf16.json")
    assert err.value.file == "csf-utf16.json"


def test_nan_in_the_file():
    text = REFTOOL.read_text(encoding="utf-8")
    data = text.replace('"olirEntryElementId":142170', '"olirEntryElementId":NaN', 1)
    assert data != text
    with pytest.raises(InputRefused, match="NaN is not a JSON number") as err:
        read_reference_tool(data.encode(), name="nan.json")
    assert (err.value.file, err.value.line) == ("nan.json", 1)


# --- xlsx archives -------------------------------------------------------------------------


def _local_header(name: bytes, data: bytes) -> bytes:
    return struct.pack(
        "<4sHHHHHIIIHH",
        b"PK\x03\x04", 20, 0, 0, 0, 0, zlib.crc32(data), len(data), len(data), len(name), 0,
    ) + name  # fmt: skip


def _central_entry(name: bytes, data: bytes, offset: int) -> bytes:
    return struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02", 20, 20, 0, 0, 0, 0, zlib.crc32(data), len(data), len(data),
        len(name), 0, 0, 0, 0, 0, offset,
    ) + name  # fmt: skip


def _overlapping_zip() -> bytes:
    """A stored entry whose data contains a second entry: both names share bytes."""
    inner_name, inner_data = b"xl/worksheets/sheet1.xml", b"<worksheet/>"
    inner = _local_header(inner_name, inner_data) + inner_data
    outer_name = b"xl/workbook.xml"
    outer = _local_header(outer_name, inner) + inner
    inner_offset = 30 + len(outer_name)
    directory = _central_entry(outer_name, inner, 0) + _central_entry(
        inner_name, inner_data, inner_offset
    )
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 2, 2, len(directory), len(outer), 0)
    return outer + directory + end


def test_the_overlapping_zip_is_a_valid_archive():
    # The trick only works if ordinary readers accept it: they do.
    with zipfile.ZipFile(io.BytesIO(_overlapping_zip())) as z:
        assert z.read("xl/worksheets/sheet1.xml") == b"<worksheet/>"


def test_overlapping_entries_are_refused():
    with pytest.raises(InputRefused, match="overlap") as err:
        open_workbook(_overlapping_zip(), name="overlap.xlsx")
    assert "'xl/workbook.xml' and 'xl/worksheets/sheet1.xml'" in str(err.value)
    assert err.value.file == "overlap.xlsx"


def _zip_bomb(size: int, sheets: int = 1) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"\0" * (1024 * 1024)
        for sheet in range(1, sheets + 1):
            with z.open(f"xl/worksheets/sheet{sheet}.xml", "w") as entry:
                for _ in range(size // len(chunk)):
                    entry.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_is_refused_by_its_ratio():
    bomb = _zip_bomb(64 * 1024 * 1024)
    assert len(bomb) < 200_000
    with pytest.raises(InputRefused, match="possible zip bomb") as err:
        read_csf11_workbook(bomb, name="bomb.xlsx")
    assert "'xl/worksheets/sheet1.xml' is compressed" in str(err.value)
    assert err.value.file == "bomb.xlsx"


def test_a_zip_bomb_is_refused_by_its_total_size():
    with pytest.raises(InputRefused, match="would decompress to more than 8,388,608 bytes"):
        open_workbook(_zip_bomb(6 * 1024 * 1024, sheets=2), name="bomb.xlsx",
                      max_uncompressed=8 * 1024 * 1024, max_ratio=10_000)  # fmt: skip


@pytest.mark.parametrize(
    "entry", ["../../etc/passwd", "/abs/path.xml", "xl\\worksheets\\s.xml", "C:/x.xml"]
)
def test_path_tricks_in_entry_names(entry):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr(zipfile.ZipInfo(entry), "x")
    with pytest.raises(InputRefused, match="in its name") as err:
        open_workbook(out.getvalue(), name="tricks.xlsx")
    assert repr(entry) in str(err.value)


def test_not_a_zip_at_all():
    with pytest.raises(InputRefused, match="not a zip archive") as err:
        read_csf11_workbook(b"\xd0\xcf\x11\xe0 an old binary .xls", name="old.xls")
    assert err.value.file == "old.xls"


# --- CSF 1.1 workbook --------------------------------------------------------------------------


SHEET = "CSF to SP 800-53r5"


@pytest.fixture(scope="module")
def csf11_rows() -> list[list[object]]:
    """The CSF sheet of NIST's 1.1 workbook as values (the other sheets don't matter here)."""
    wb = openpyxl.load_workbook(CSF11, read_only=True, data_only=True)
    try:
        return [list(r) for r in wb[SHEET].iter_rows(values_only=True)]
    finally:
        wb.close()


def _workbook(rows: list[list[object]], title: str = SHEET) -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    wb.create_sheet("README").append(["NIST's README sheet"])
    ws = wb.create_sheet(title)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_copied_sheet_reads_like_the_original(csf11_rows):
    bundle = read_csf11_workbook(_workbook(csf11_rows), name="copy.xlsx")
    csf = bundle.catalogs[0]
    assert [len(csf.at_level(level)) for level in csf.info.levels] == [5, 23, 108]
    assert len(bundle.mapping_sets[0].mappings) == 552


def test_a_renamed_sheet(csf11_rows):
    with pytest.raises(InputRefused, match="no sheet 'CSF to SP 800-53r5'") as err:
        read_csf11_workbook(_workbook(csf11_rows, "CSF mappings"), name="renamed.xlsx")
    assert "sheets: README, CSF mappings" in str(err.value)
    assert (err.value.file, err.value.sheet) == ("renamed.xlsx", SHEET)


def test_a_missing_column(csf11_rows):
    rows = [r[:3] + r[4:] for r in csf11_rows]
    with pytest.raises(InputRefused, match="no 'nist sp 800-53' column") as err:
        read_csf11_workbook(_workbook(rows), name="cut.xlsx")
    assert (err.value.sheet, err.value.row) == (SHEET, 2)
    assert str(err.value).startswith("cut.xlsx: sheet 'CSF to SP 800-53r5': row 2")


def test_a_garbled_control_cell(csf11_rows):
    rows = [list(r) for r in csf11_rows]
    rows[4][3] = "AC-4, see the appendix"
    with pytest.raises(InputRefused, match="'see the appendix' is not an SP 800-53") as err:
        read_csf11_workbook(_workbook(rows), name="garbled.xlsx")
    assert (err.value.row, err.value.column, err.value.element) == (5, "D", "ID.AM-3")


def test_a_lost_subcategory(csf11_rows):
    rows = [list(r) for r in csf11_rows]
    rows[3][2] = rows[3][3] = None
    with pytest.raises(
        CatalogInvariantError, match="108 subcategory elements; the sheet lists 107"
    ):
        read_csf11_workbook(_workbook(rows), name="short.xlsx")


def test_a_subcategory_in_the_wrong_category(csf11_rows):
    rows = [list(r) for r in csf11_rows]
    rows[3][2] = "PR.DS-9: Misplaced outcome"
    with pytest.raises(CatalogInvariantError, match="not under its Category") as err:
        read_csf11_workbook(_workbook(rows), name="misplaced.xlsx")
    assert (err.value.row, err.value.element) == (4, "PR.DS-9")


def test_an_oversized_workbook_is_refused_by_its_size(tmp_path, monkeypatch):
    big = tmp_path / "profile.xlsx"
    with big.open("wb") as fh:
        fh.truncate(100 * 1024 * 1024)

    def no_reading(self, *args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(InputRefused, match="refused before reading") as err:
        open_workbook(big, name="profile.xlsx")
    assert "104,857,600 bytes; the limit is 67,108,864 bytes" in str(err.value)
