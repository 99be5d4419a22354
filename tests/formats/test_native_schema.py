"""The published JSON Schema: shipped in the package, valid, and in step with the reader."""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from pathlib import Path

import fastjsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from csfpilot.core.errors import InputRefused
from csfpilot.formats.native import (
    parse_profile,
    profile_schema,
    profile_validator,
    schema_errors,
    to_document,
)
from csfpilot.formats.native import schema as native_schema

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def test_the_schema_ships_inside_the_package_and_is_valid_draft_2020_12():
    text = files("csfpilot.formats.native").joinpath("profile.schema.json").read_text("utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    assert schema == profile_schema()
    assert schema["properties"]["format_version"] == {
        "description": "Version of this file format: 2 when the file cites evidence library "
        "items, 1 otherwise.",
        "enum": [1, 2],
    }


def test_the_package_data_rule_ships_the_schema():
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
    assert '"formats/**/*.json"' in pyproject


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_file_validates_and_reads(path: Path):
    doc = yaml.safe_load(path.read_text("utf-8"))
    assert schema_errors(doc) == []
    profile = parse_profile(path.read_bytes(), name=path.name, fmt="yaml").profile
    assert to_document(profile) == doc


def test_the_examples_are_an_organizational_and_a_community_profile():
    kinds = {p.name: yaml.safe_load(p.read_text("utf-8"))["kind"] for p in EXAMPLES}
    assert kinds == {
        "community-outpatient-care.yaml": "community",
        "profile-riverbend-clinics.yaml": "organizational",
    }


def _base() -> dict:
    return {"format_version": 1, "framework": "csf-2.0", "name": "S", "scale": "status"}


@pytest.mark.parametrize(
    ("patch", "path"),
    [
        ({"tiers": {"governance": {"current": 5}}}, ["tiers", "governance", "current"]),
        ({"outcomes": {"GV.OC-01": {"current": "partialy"}}}, ["outcomes", "GV.OC-01", "current"]),
        (
            {"scale": "maturity", "outcomes": {"GV.OC-01": {"current": 6}}},
            ["outcomes", "GV.OC-01", "current"],
        ),
        (
            {"kind": "community", "outcomes": {"GV.OC-01": {"current": "fully"}}},
            ["outcomes", "GV.OC-01", "current"],
        ),
        ({"outcomes": {"GV.OC-01": {"owner": 7}}}, ["outcomes", "GV.OC-01", "owner"]),
        (
            {"actions": [{"id": "A-1", "title": "t", "outcomes": [], "status": "open"}]},
            ["actions", 0, "outcomes"],
        ),
        ({"format_version": 3}, ["format_version"]),
        ({"unknown": 1}, []),
    ],
)
def test_schema_and_reader_both_refuse_bad_documents(patch, path):
    doc = {**_base(), **patch}
    errors = Draft202012Validator(profile_schema()).iter_errors(doc)
    assert any(list(e.absolute_path) == path for e in errors)
    with pytest.raises(InputRefused):
        parse_profile(json.dumps(doc).encode(), name="bad.json", fmt="json")


def test_schema_errors_name_outcome_and_field():
    doc = {**_base(), "outcomes": {"GV.OC-01": {"target_details": {"evidence": "x"}}}}
    first = schema_errors(doc)[0]
    assert (first.element, first.field) == ("GV.OC-01", "target_details.evidence")


def _no_draft7_differences(node: object) -> bool:
    """No keyword whose meaning differs between draft 7 and 2020-12 (see schema._fast)."""
    if isinstance(node, dict):
        if "$ref" in node and set(node) - {"$ref", "description", "title", "$comment"}:
            return False
        if isinstance(node.get("items"), list) or {"prefixItems", "$dynamicRef"} & set(node):
            return False
        if {"unevaluatedProperties", "unevaluatedItems", "dependentSchemas"} & set(node):
            return False
        return all(_no_draft7_differences(v) for v in node.values())
    if isinstance(node, list):
        return all(_no_draft7_differences(v) for v in node)
    return True


def test_the_schema_means_the_same_to_the_fast_validator():
    assert _no_draft7_differences(profile_schema())


def _accepted_by_both(doc: object) -> tuple[bool, bool]:
    try:
        native_schema._fast()(doc)
        fast = True
    except fastjsonschema.JsonSchemaValueException:
        fast = False
    precise = not any(True for _ in Draft202012Validator(profile_schema()).iter_errors(doc))
    return fast, precise


@pytest.mark.parametrize(
    "patch",
    [
        {"tiers": {"governance": {"current": 5}}},
        {"outcomes": {"GV.OC-01": {"current": "partialy"}}},
        {"kind": "community", "outcomes": {"GV.OC-01": {"current": "fully"}}},
        {"actions": [{"id": "A-1", "title": "t", "outcomes": [], "status": "open"}]},
        {"format_version": 3},
        {"unknown": 1},
        {"outcomes": {"GV.OC-01": {"target_details": {"evidence": "x"}}}},
    ],
)
def test_the_fast_validator_refuses_what_the_schema_refuses(patch):
    assert _accepted_by_both({**_base(), **patch}) == (False, False)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 7) | st.sampled_from(["", "fully", "x", "GV"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_fast_and_the_precise_validator_agree_on_changed_examples(data):
    """Any value put anywhere in a real profile: accepted by both validators or by neither."""
    doc = copy.deepcopy(yaml.safe_load((EXAMPLES[-1]).read_text("utf-8")))
    node = doc
    for _ in range(data.draw(st.integers(0, 4))):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        if not isinstance(node[key], dict | list):
            break
        node = node[key]
    if isinstance(node, dict):
        key = data.draw(st.sampled_from([*node, "extra"]))
        node[key] = data.draw(_JSON)
    elif node:
        node[data.draw(st.integers(0, len(node) - 1))] = data.draw(_JSON)
    fast, precise = _accepted_by_both(doc)
    assert fast == precise


def test_the_shipped_validator_is_the_one_generated_from_the_schema():
    # Fails when the schema changed without python scripts/gen_profile_validator.py.
    shipped = files("csfpilot.formats.native").joinpath("profile_validator.py")
    assert shipped.read_text("utf-8") == native_schema.validator_source()
    assert native_schema._fast() is profile_validator.validate


def test_a_schema_edited_without_regenerating_is_compiled_instead(monkeypatch):
    stricter = copy.deepcopy(profile_schema())
    stricter["required"] = [*stricter["required"], "description"]
    doc = yaml.safe_load(EXAMPLES[0].read_text("utf-8"))
    doc.pop("description", None)
    profile_validator.validate(doc)  # the shipped code knows nothing of the change
    for cached in (native_schema._schema_text, native_schema.profile_schema, native_schema._fast):
        cached.cache_clear()
    monkeypatch.setattr(native_schema, "_schema_text", lambda: json.dumps(stricter))
    try:
        assert native_schema._fast() is not profile_validator.validate
        with pytest.raises(fastjsonschema.JsonSchemaValueException, match="description"):
            native_schema._fast()(doc)
    finally:
        native_schema.profile_schema.cache_clear()
        native_schema._fast.cache_clear()
