"""A framework of one's own from CSV or Excel: columns ID, Parent, Title, Text (any case,
any order), errors that name the file, row and column, and hostile files refused whole."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from csfpilot.core.catalog import Catalog
from csfpilot.core.errors import InputRefused
from csfpilot.formats.bundled import read_bundled
from csfpilot.formats.custom_framework import read_custom_csv, read_custom_xlsx
from csfpilot.formats.detect import read_framework_file
from csfpilot.formats.framework_export import export_framework

ACME = (
    "ID,Parent,Title,Text\r\n"
    "GOV,,Governance,Direct and oversee security.\r\n"
    'GOV-1,GOV,Policy,"A security policy is approved,\npublished and reviewed yearly."\r\n'
    "GOV-2,GOV,,Roles are assigned.\r\n"
    "OPS,,Operations,\r\n"
    "OPS-1,OPS,Backups,'=Backups are tested monthly.\r\n"
)


def _csv(text: str, name: str = "acme-controls.csv") -> Catalog:
    (catalog,) = read_custom_csv(text.encode("utf-8"), name=name).catalogs
    return catalog


def _refused_csv(text: str | bytes, name: str = "acme.csv") -> InputRefused:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(InputRefused) as info:
        read_framework_file(data, name=name)
    return info.value


def _xlsx(rows: list[list[object]], about: list[list[object]] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Controls"
    for row in rows:
        ws.append(row)
    if about is not None:
        info = wb.create_sheet("About")
        for row in about:
            info.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_csv_framework() -> None:
    cat = _csv(ACME)
    info = cat.info
    assert (info.key, info.name, info.version, info.levels) == (
        "acme-controls",
        "acme-controls",
        "1",
        ("level_1", "level_2"),
    )
    assert info.source_file == "acme-controls.csv"
    assert [(n.code, n.parent, n.level, n.order) for n in cat.nodes] == [
        ("GOV", None, "level_1", 0),
        ("GOV-1", "GOV", "level_2", 1),
        ("GOV-2", "GOV", "level_2", 2),
        ("OPS", None, "level_1", 3),
        ("OPS-1", "OPS", "level_2", 4),
    ]
    assert cat.get("GOV-1").text == "A security policy is approved,\npublished and reviewed yearly."
    assert cat.get("GOV-2").title == ""
    # The apostrophe a spreadsheet export puts before formula-like text is taken off again.
    assert cat.get("OPS-1").text == "=Backups are tested monthly."


def test_headers_in_any_case_and_order_semicolons_and_a_level_column() -> None:
    text = (
        "\ufefftext ; LEVEL;title; id ;PARENT;Owner\n"
        "Direct and oversee.;domain;Governance;GOV;;Alice\n"
        "Approve a policy.;control;Policy;GOV-1;GOV;Bob\n"
    )
    cat = _csv(text, name="acme.csv")
    assert cat.info.levels == ("domain", "control")
    assert [(n.code, n.level, n.title, n.text) for n in cat.nodes] == [
        ("GOV", "domain", "Governance", "Direct and oversee."),
        ("GOV-1", "control", "Policy", "Approve a policy."),
    ]


def test_options_give_key_and_version() -> None:
    (cat,) = read_custom_csv(
        ACME.encode(), name="x.csv", key="acme-2026", version="2026.1"
    ).catalogs
    assert (cat.info.key, cat.info.version) == ("acme-2026", "2026.1")


def test_the_import_dispatcher_recognises_csv_by_name_or_by_header() -> None:
    by_name = read_framework_file(ACME.encode(), name="acme-controls.csv").catalogs[0]
    by_header = read_framework_file(ACME.encode(), name="upload").catalogs[0]
    assert by_name.content_digest() == _csv(ACME).content_digest()
    assert [n.code for n in by_header.nodes] == [n.code for n in by_name.nodes]


# --- what is refused, and where it says the problem is --------------------------------------


def test_a_missing_column_is_named() -> None:
    err = _refused_csv("ID,Parent,Title\nA,,x\n")
    assert str(err) == (
        "acme.csv: row 1: the header lacks the column(s) Text (found: 'ID', 'Parent', "
        "'Title'); a framework file needs the columns ID, Parent, Title and Text"
    )


def test_a_renamed_column_is_named() -> None:
    err = _refused_csv("Identifier,Parent,Title,Text\nA,,x,y\n")
    assert err.row == 1
    assert err.message.startswith("the header lacks the column(s) ID (found: 'Identifier',")


def test_a_duplicate_id_names_both_rows() -> None:
    err = _refused_csv("ID,Parent,Title,Text\nA,,x,y\nB,A,x,y\nA,,z,w\n")
    assert str(err) == "acme.csv:4: row 4: column ID: the ID 'A' appears twice (first in row 2)"


def test_an_unknown_parent() -> None:
    err = _refused_csv("ID,Parent,Title,Text\nA,,x,y\nB,Z,x,y\n")
    assert (err.row, err.column) == (3, "Parent")
    assert err.message == "no row has the ID 'Z' named as parent"


def test_a_parent_loop() -> None:
    err = _refused_csv("ID,Parent,Title,Text\nA,B,x,y\nB,A,x,y\n")
    assert (err.row, err.column) == (2, "Parent")
    assert err.message == "the parents of this element lead back to it"


def test_an_empty_id_and_a_blank_row() -> None:
    err = _refused_csv("ID,Parent,Title,Text\nA,,x,y\n,,,\n,A,t,u\n")
    assert (err.row, err.column, err.message) == (4, "ID", "the ID is empty")


def test_a_duplicated_header() -> None:
    err = _refused_csv("ID,Parent,Title,Text,id\nA,,x,y,z\n")
    assert (err.row, err.column) == (1, "id")
    assert err.message == "the column 'id' appears twice in the header"


def test_a_header_without_rows() -> None:
    assert _refused_csv("ID,Parent,Title,Text\n").message == "the file has a header but no elements"


def test_a_windows_1252_file_is_refused_naming_the_line() -> None:
    data = "ID,Parent,Title,Text\nA,,Überwachung,Prüfen\n".encode("cp1252")
    err = _refused_csv(data)
    assert err.line == 2
    assert err.message.startswith("the file is not UTF-8: byte 0xdc at byte offset 24")


def test_a_utf16_file_is_refused() -> None:
    err = _refused_csv(ACME.encode("utf-16"))
    assert err.message == (
        "the file is not UTF-8: it starts with a UTF-16 (little-endian) byte-order mark; "
        "save it as UTF-8"
    )


def test_a_500_mb_file_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "huge.csv"
    with big.open("wb") as fh:
        fh.truncate(500 * 1024 * 1024)  # sparse: no disk space is used

    def no_reading(self: Path, *args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(InputRefused) as info:
        read_framework_file(big)
    assert str(info.value) == (
        "huge.csv: the file is 524,288,000 bytes; the limit is 67,108,864 bytes "
        "(refused before reading it)"
    )


# --- Excel ------------------------------------------------------------------------------------


def test_an_excel_framework_with_an_about_sheet() -> None:
    data = _xlsx(
        [
            ["ID", "Parent", "Title", "Text"],
            ["GOV", None, "Governance", "Direct."],
            [7, "GOV", "Seven", 1.5],
        ],
        about=[["Field", "Value"], ["Key", "acme-isms"], ["Name", "Acme ISMS"], ["Version", 3]],
    )
    (cat,) = read_framework_file(data, name="acme.xlsx").catalogs
    assert (cat.info.key, cat.info.name, cat.info.version) == ("acme-isms", "Acme ISMS", "3")
    assert [(n.code, n.parent, n.title, n.text) for n in cat.nodes] == [
        ("GOV", None, "Governance", "Direct."),
        ("7", "GOV", "Seven", "1.5"),
    ]


def test_excel_errors_name_sheet_row_and_column_letter() -> None:
    data = _xlsx([["ID", "Parent", "Title", "Text"], ["A", None, "x", "y"], ["B", "Q", "x", "y"]])
    with pytest.raises(InputRefused) as info:
        read_custom_xlsx(data, name="acme.xlsx")
    assert str(info.value) == (
        "acme.xlsx: sheet 'Controls': row 3: column B (Parent): "
        "no row has the ID 'Q' named as parent"
    )


def test_an_excel_sheet_with_a_renamed_column() -> None:
    data = _xlsx([["Control ID", "Parent", "Title", "Text"], ["A", None, "x", "y"]])
    with pytest.raises(InputRefused) as info:
        read_custom_xlsx(data, name="acme.xlsx")
    assert (info.value.sheet, info.value.row) == ("Controls", 1)
    assert info.value.message.startswith("the header lacks the column(s) ID (found: 'Control ID'")


def test_a_zip_bomb_disguised_as_xlsx_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as entry:
            for _ in range(64):
                entry.write(b"\0" * (1024 * 1024))
    bomb = out.getvalue()
    assert len(bomb) < 200_000
    with pytest.raises(InputRefused, match="possible zip bomb") as info:
        read_framework_file(bomb, name="framework.xlsx")
    assert info.value.file == "framework.xlsx"


def test_xml_entity_expansion_inside_an_xlsx_is_refused() -> None:
    data = _xlsx([["ID", "Parent", "Title", "Text"], ["A", None, "x", "y"]])
    bombed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(bombed, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                if content.startswith(b"<?xml"):
                    content = content.split(b"?>", 1)[1]
                content = (
                    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                    + content.replace(b"<t>A</t>", b"<t>&lol2;</t>", 1)
                )
            dst.writestr(item, content)
    with pytest.raises(InputRefused) as info:
        read_custom_xlsx(bombed.getvalue(), name="entities.xlsx")
    assert str(info.value) == (
        "entities.xlsx: the workbook's XML declares a DTD or entities, which csfpilot refuses "
        "(entity expansion and external entities are attacks, never part of a real workbook)"
    )


def test_xml_is_not_read_as_a_framework() -> None:
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol9 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<catalog>&lol9;</catalog>"
    )
    with pytest.raises(InputRefused) as info:
        read_framework_file(billion_laughs, name="catalog.xml")
    assert info.value.message.startswith(
        "this is XML; csfpilot reads NIST's JSON editions (OSCAL in JSON, not XML)."
    )


# --- csfpilot's own spreadsheet exports import back ---------------------------------------


@pytest.fixture(scope="module")
def sp800_53() -> Catalog:
    return next(c for c in read_bundled().catalogs if c.info.key == "sp800-53r5")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_framework_imports_as_a_custom_one(sp800_53: Catalog, fmt: str) -> None:
    file = export_framework(sp800_53, fmt)
    # Unchanged, it is NIST's release: kept as a framework of one's own only when asked.
    recognised = read_framework_file(file.content, name=file.filename, key="my-sp800-53")
    assert recognised.catalogs == [] and recognised.aliases[0].official_key == "sp800-53r5"
    (cat,) = read_framework_file(
        file.content, name=file.filename, key="my-sp800-53", core_copy="separate"
    ).catalogs
    assert cat.info.key == "my-sp800-53"
    assert cat.info.levels == ("family", "control", "enhancement")
    if fmt == "xlsx":  # the About sheet carries the identity
        assert (cat.info.name, cat.info.version) == (
            f"{sp800_53.info.name} (a copy of sp800-53r5)",
            "5.0.1",
        )
    assert [(n.code, n.parent, n.level, n.title, n.text) for n in cat.nodes] == [
        (n.code, n.parent, n.level, n.title, n.text) for n in sp800_53.nodes
    ]
