"""Hostile and malformed profile files: refused with a clear message, nothing built."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from csfpilot.core.errors import InputRefused
from csfpilot.formats.native import MAX_PROFILE_BYTES, parse_profile, read_profile

HEAD = "format_version: 1\nframework: csf-2.0\nname: Hostile\nscale: status\n"


@pytest.fixture(autouse=True, params=["libyaml", "python"])
def yaml_parser(request, monkeypatch):
    """Every case runs on libyaml's C parser and on PyYAML's pure-Python fallback."""
    if request.param == "python":
        monkeypatch.setattr(yaml, "__with_libyaml__", False)
    elif not yaml.__with_libyaml__:
        pytest.fail("libyaml is not installed; PyYAML should be built with it")
    return request.param


def refused_yaml(text: str | bytes) -> InputRefused:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(InputRefused) as exc:
        parse_profile(data, name="evil.yaml", fmt="yaml")
    return exc.value


def test_a_200_mb_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no disk used, nothing to read
    with pytest.raises(InputRefused) as exc:
        read_profile(path)
    assert exc.value.file == str(path)
    assert exc.value.message == (
        f"the file is 209,715,200 bytes; the limit is {MAX_PROFILE_BYTES:,} bytes "
        "(refused before reading it)"
    )


def test_a_billion_laughs_alias_bomb_is_refused_at_the_first_anchor():
    bomb = HEAD + 'description: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[i]
        bomb += f"x{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    exc = refused_yaml(bomb)
    assert (exc.line, exc.message) == (
        5,
        "YAML anchors (&a) are not allowed in profile files",
    )


def test_an_alias_without_anchor_is_refused():
    exc = refused_yaml(HEAD + "description: *undefined\n")
    assert exc.line == 5
    assert exc.message.startswith("YAML aliases (*undefined) are not allowed")


def test_merge_keys_are_refused():
    exc = refused_yaml(HEAD + "tiers:\n  <<: {governance: {current: 1}}\n")
    assert (exc.line, exc.message) == (6, "only plain text keys are allowed (no merge keys)")


def test_nesting_deeper_than_32_levels_is_refused():
    exc = refused_yaml(HEAD + "notes: " + "[" * 40 + "]" * 40 + "\n")
    assert (exc.line, exc.message) == (5, "the YAML is nested more than 32 levels deep")


def test_very_deep_nesting_is_refused_without_exhausting_the_stack():
    exc = refused_yaml(HEAD + "notes: " + "[" * 50000 + "]" * 50000 + "\n")
    assert "nest" in exc.message


def test_python_object_tags_are_refused():
    exc = refused_yaml(HEAD + "description: !!python/object/apply:os.system ['true']\n")
    assert exc.line == 5
    assert "tag:yaml.org,2002:python/object/apply:os.system" in exc.message


def test_duplicate_keys_are_refused_naming_both_lines():
    exc = refused_yaml(
        HEAD + "outcomes:\n  GV.OC-01: {current: fully}\n  GV.OC-01: {current: not}\n"
    )
    assert (exc.line, exc.message) == (7, "the key 'GV.OC-01' appears twice (first on line 6)")
    exc = refused_yaml(HEAD + "name: Again\n")
    assert (exc.line, exc.message) == (5, "the key 'name' appears twice (first on line 3)")


def test_broken_yaml_names_the_line_where_the_problem_starts():
    # The unclosed "{" is on line 6; the parser only gives up on line 7.
    exc = refused_yaml(HEAD + "outcomes:\n  GV.OC-01: {current: fully\n")
    assert (exc.line, exc.column) == (6, "13")
    assert exc.message.startswith("not valid YAML: a flow mapping that starts here: ")
    assert "expected ',' or '}'" in exc.message and exc.message.endswith(" on line 7")


def test_an_unclosed_quote_is_named_where_it_opens_not_at_the_end_of_the_file():
    exc = refused_yaml(
        HEAD.replace("name: Hostile", 'name: "Plant 2')
        + "outcomes:\n  GV.OC-01: {current: fully}\n  GV.OC-02: {current: fully}\n"
    )
    assert (exc.line, exc.column) == (3, "7")
    assert "a quoted scalar that starts here: found unexpected end of stream" in exc.message


def test_a_badly_indented_key_is_named_on_its_own_line():
    exc = refused_yaml(HEAD + "outcomes:\n  GV.OC-01:\n    current: fully\n   target: fully\n")
    assert exc.line == 8
    assert "(in a block mapping that starts on line 6)" in exc.message


def test_more_than_one_document_is_refused():
    exc = refused_yaml(HEAD + "---\n" + HEAD)
    assert exc.message == "not valid YAML: but found another document"


def test_a_utf16_file_is_refused_as_not_utf8():
    exc = refused_yaml(HEAD.encode("utf-16"))
    assert "not UTF-8" in exc.message


def test_non_text_keys_and_a_top_level_list_are_refused():
    exc = refused_yaml(HEAD + "outcomes:\n  1: {current: fully}\n")
    assert (exc.line, exc.message) == (6, "the key '1' must be text; quote it")
    exc = refused_yaml("- format_version: 1\n")
    assert exc.message == "expected a mapping of keys to values, found a list"


def test_an_empty_file_is_refused():
    assert refused_yaml("").message == "the file is empty"
    assert refused_yaml("# only a comment\n").message == "the file is empty"


def test_json_with_duplicate_keys_nan_or_deep_nesting_is_refused():
    def refused_json(text: str) -> InputRefused:
        with pytest.raises(InputRefused) as exc:
            parse_profile(text.encode(), name="evil.json", fmt="json")
        return exc.value

    head = '{"format_version": 1, "framework": "csf-2.0", "name": "J", "scale": "status"'
    assert "appears twice" in refused_json(head + ', "name": "K"}').message
    custom = json.dumps({"key": "x", "levels": [{"key": "a", "score": 0}]})
    nan = head.replace('"scale": "status"', '"scale": ' + custom.replace("0}", "NaN}")) + "}"
    assert "NaN is not a JSON number" in refused_json(nan).message
    assert (
        "nested too deeply"
        in refused_json(head + ', "notes": ' + "[" * 3000 + "]" * 3000 + "}").message
    )


def test_a_string_too_long_for_a_key_is_just_text_but_the_size_limit_still_holds():
    big = HEAD + "description: '" + "x" * (MAX_PROFILE_BYTES + 10) + "'\n"
    exc = refused_yaml(big)
    assert exc.message.startswith("the document is")
