"""Recognising framework files by content: every shipped NIST file, and what is refused."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats import detect
from csfpilot.formats.detect import SUPPORTED_FORMATS, detect_format, read_framework_file

REFERENCE_TOOL = "nist-csf-2.0/csf-2.0-reference-tool-elements.json"
CPRT = "nist-csf-2.0/cprt_CSF_2_0_0_04-24-2024.json"
CATALOG = "nist-sp800-53r5/oscal-5.0.1-2021/NIST_SP-800-53_rev5_catalog.json"
LOW = "nist-sp800-53r5/oscal-5.1.1/NIST_SP-800-53_rev5_LOW-baseline_profile.json"
CSF11 = "nist-csf-1.1/csf-pf-to-sp800-53r5-mappings.xlsx"
CROSSWALK = "crosswalks/Cybersecurity_Framework_v2-0_Concept_Crosswalk_800-53_final.xlsx"
PROFILE_TEMPLATE = "nist-csf-2.0/CSF_2.0_Organizational_Profile_Template.xlsx"


def _keys(bundle) -> tuple[list[str], list[str], list[str]]:
    return (
        [c.info.key for c in bundle.catalogs],
        [m.info.key for m in bundle.mapping_sets],
        [b.name for b in bundle.baselines],
    )


def test_both_csf_exports_are_recognised_and_agree(nist_data: Path) -> None:
    reftool = read_framework_file(nist_data / REFERENCE_TOOL)
    cprt = read_framework_file(nist_data / CPRT)
    assert reftool.catalogs[0].info.key == cprt.catalogs[0].info.key == "csf-2.0"
    # Same Core, except the one correction NIST made after the CPRT export's date.
    differ = [a.code for a, b in zip(reftool.catalogs[0], cprt.catalogs[0], strict=True) if a != b]
    assert differ == ["GV.OC-04"]
    assert reftool.catalogs[0].info.source_file == "csf-2.0-reference-tool-elements.json"
    assert "olir-sp800-53r5-5.2.0" in _keys(reftool)[1]


def test_a_newer_release_gets_its_own_key(nist_data: Path) -> None:
    bundle = read_framework_file(nist_data / REFERENCE_TOOL, version="2.1")
    assert bundle.catalogs[0].info.key == "csf-2.1"
    assert bundle.catalogs[0].info.version == "2.1"
    assert read_framework_file(nist_data / CPRT, key="csf-2.0-cprt").catalogs[0].info.key == (
        "csf-2.0-cprt"
    )


def test_oscal_catalog_and_profile(nist_data: Path) -> None:
    catalog = read_framework_file(nist_data / CATALOG)
    assert _keys(catalog) == (["sp800-53r5"], [], [])
    assert len(catalog.catalogs[0]) == 1209
    low = read_framework_file(nist_data / LOW)
    assert _keys(low) == ([], [], ["LOW"])
    assert low.baselines[0].framework == "sp800-53r5" and len(low.baselines[0].codes) == 149
    other = read_framework_file(nist_data / LOW, key="sp800-53r5.1.1")
    assert other.baselines[0].framework == "sp800-53r5.1.1"


def test_workbooks(nist_data: Path) -> None:
    csf11 = read_framework_file(nist_data / CSF11)
    assert _keys(csf11) == (["csf-1.1"], ["csf-1.1-sp800-53r5"], [])
    crosswalk = read_framework_file(nist_data / CROSSWALK)
    assert _keys(crosswalk) == ([], ["olir-sp800-53r5-5.1.1"], [])
    assert len(crosswalk.mapping_sets[0].mappings) == 740
    newer = read_framework_file(nist_data / CROSSWALK, version="5.2.0")
    assert newer.mapping_sets[0].info.key == "olir-sp800-53r5-5.2.0"
    assert newer.mapping_sets[0].info.version == "5.2.0"


def test_uploaded_bytes_are_named_by_the_caller(nist_data: Path) -> None:
    raw = (nist_data / CATALOG).read_bytes()
    bundle = read_framework_file(raw, name="800-53.json")
    assert bundle.catalogs[0].info.source_file == "800-53.json"
    with pytest.raises(InputRefused) as caught:
        read_framework_file(b"   ")
    assert caught.value.file == "<upload>" and caught.value.message == "the file is empty"


def test_options_that_do_not_apply_are_refused(nist_data: Path) -> None:
    with pytest.raises(InputRefused) as caught:
        read_framework_file(nist_data / LOW, version="5.1.1")
    assert caught.value.field == "version"
    with pytest.raises(InputRefused) as caught:
        read_framework_file(nist_data / CSF11, key="csf-1.1-b")
    assert caught.value.field == "key"
    assert "CSF 1.1 to SP 800-53 Rev. 5 mapping workbook" in caught.value.message


def _refused(source: Path | bytes, **kwargs) -> InputRefused:
    with pytest.raises(InputRefused) as caught:
        read_framework_file(source, **kwargs)
    return caught.value


def _lists_the_formats(err: InputRefused) -> bool:
    return all(f.description in err.message for f in SUPPORTED_FORMATS)


def test_unknown_json_lists_the_supported_formats() -> None:
    err = _refused(json.dumps({"controls": []}).encode(), name="mystery.json")
    assert err.file == "mystery.json"
    assert err.message.startswith("this JSON is none of the framework formats csfpilot knows.")
    assert _lists_the_formats(err)
    err = _refused(json.dumps({"assessment-results": {"uuid": "x"}}).encode())
    assert err.message.startswith("this is an OSCAL assessment-results, which is not a framework")
    assert _lists_the_formats(_refused(b"[1, 2, 3]"))


def test_other_content_is_refused_with_a_reason(nist_data: Path, tmp_path: Path) -> None:
    assert _refused(nist_data / PROFILE_TEMPLATE).message.startswith(
        "this workbook is a CSF Organizational Profile (Current and Target Profile), not a "
        "framework."
    )
    assert "XML" in _refused(b'<?xml version="1.0"?><catalog/>').message
    assert ".xls file" in _refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100).message
    # A .csv is read as a framework of one's own, which names the columns it lacks.
    err = _refused(b"Function,Category\nGV,GV.OC\n", name="core.csv")
    assert err.message.startswith("the header lacks the column(s) ID, Parent, Title, Text")
    err = _refused(b"just some notes\n", name="notes.txt")
    assert err.message.startswith(
        "the file is neither JSON, YAML, CSV nor an Excel .xlsx workbook."
    )
    assert _lists_the_formats(err)

    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    assert "not an Excel .xlsx workbook" in _refused(zipped.getvalue()).message

    wb = openpyxl.Workbook()
    wb.active.title = "Controls"
    wb.create_sheet("Notes")
    path = tmp_path / "controls.xlsx"
    wb.save(path)
    err = _refused(path)
    assert err.file == "controls.xlsx"
    assert err.message.startswith("this workbook's sheets (Controls, Notes) match no known format.")


def test_size_is_checked_before_reading(nist_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect, "MAX_FRAMEWORK_BYTES", 1000)
    err = _refused(nist_data / CATALOG)
    assert err.message == (
        "the file is 3,169,371 bytes; the limit is 1,000 bytes (refused before reading it)"
    )
    assert "limit" in _refused(b"{" + b" " * 2000 + b"}").message


def test_detect_format_looks_at_the_first_bytes() -> None:
    assert detect_format(b"PK\x03\x04rest") == "xlsx"
    assert detect_format(b"\xef\xbb\xbf  \n{") == "json"
    assert detect_format(b"\n[") == "json"
    assert detect_format(b"<catalog") == "XML"
    assert detect_format(b"catalog:\n  uuid: x") == "unknown"
