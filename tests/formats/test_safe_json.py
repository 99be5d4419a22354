"""The defensive JSON loader: what it accepts and how it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats.safe_json import load_json, read_limited


def test_plain_document():
    assert load_json(b'{"a": [1, 2.5, "x", null, true]}', name="x.json") == {
        "a": [1, 2.5, "x", None, True]
    }


def test_utf8_bom_is_accepted():
    assert load_json(b'\xef\xbb\xbf{"t": "caf\xc3\xa9"}', name="x.json") == {"t": "café"}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused(encoding):
    with pytest.raises(InputRefused, match="not UTF-8") as err:
        load_json('{"a": 1}'.encode(encoding), name="wide.json")
    assert err.value.file == "wide.json"


def test_latin1_byte_is_refused_with_its_offset():
    data = b'{"a": "ok",\n "b": "caf\xe9"}'
    with pytest.raises(InputRefused) as err:
        load_json(data, name="latin.json")
    assert "byte 0xe9 at byte offset 22" in str(err.value)
    assert err.value.line == 2
    assert str(err.value).startswith("latin.json:2: the file is not UTF-8")


def test_syntax_error_names_line_and_column():
    with pytest.raises(InputRefused) as err:
        load_json(b'{\n  "a": 1,\n  "b": }\n', name="bad.json")
    assert (err.value.file, err.value.line, err.value.column) == ("bad.json", 3, "8")
    assert "not valid JSON" in str(err.value)


def test_empty_document_is_refused():
    with pytest.raises(InputRefused, match="not valid JSON"):
        load_json(b"", name="empty.json")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(literal):
    data = f'{{\n "text": "NaN is fine inside a string",\n "v": {literal}\n}}'.encode()
    with pytest.raises(InputRefused, match="not a JSON number") as err:
        load_json(data, name="nan.json")
    assert (err.value.line, err.value.column) == (3, "7")


def test_duplicate_keys_are_refused():
    with pytest.raises(InputRefused, match="appears twice") as err:
        load_json(b'{"id": "GV", "id": "ID"}', name="dup.json")
    assert err.value.field == "id"


def test_depth_limit():
    ok = b"[" * 64 + b"]" * 64
    assert load_json(ok, name="deep.json", max_depth=64) is not None
    with pytest.raises(InputRefused, match="nested too deeply"):
        load_json(b"[" * 65 + b"]" * 65, name="deep.json", max_depth=64)


def test_depth_beyond_the_interpreter_stack():
    data = b'{"a":' * 200_000 + b"1" + b"}" * 200_000
    with pytest.raises(InputRefused, match="nested too deeply") as err:
        load_json(data, name="abyss.json")
    assert err.value.file == "abyss.json"


def test_size_limit_on_bytes():
    with pytest.raises(InputRefused, match="limit is 10 bytes"):
        load_json(b'{"a": 12345678}', name="big.json", max_bytes=10)


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "huge.json"
    with big.open("wb") as fh:
        fh.truncate(300 * 1024 * 1024)  # sparse: no disk used, no time spent

    def no_reading(self, *args, **kwargs):
        raise AssertionError(f"{self} was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(InputRefused, match="refused before reading") as err:
        load_json(big, name="huge.json")
    assert "314,572,800 bytes" in str(err.value)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(InputRefused, match="cannot read the file") as err:
        read_limited(tmp_path / "nowhere.json", name="nowhere.json")
    assert err.value.file == "nowhere.json"
