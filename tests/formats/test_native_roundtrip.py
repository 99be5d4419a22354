"""Profiles as code: model → file → model loses nothing, in YAML and in JSON."""

from __future__ import annotations

import json

from hypothesis import given

from csfpilot.formats.native import (
    check_schema,
    dump_profile,
    from_document,
    parse_profile,
    to_document,
)
from tests.core.strategies import PROFILE_SETTINGS, profiles


def reread(text: str, fmt: str):
    return parse_profile(text.encode("utf-8"), name=f"p.{fmt}", fmt=fmt).profile


@PROFILE_SETTINGS
@given(profiles())
def test_yaml_round_trip_is_lossless(profile):
    text = dump_profile(profile, "yaml")
    assert reread(text, "yaml") == profile
    # Writing what was read gives the same bytes: files stay diff-friendly.
    assert dump_profile(reread(text, "yaml"), "yaml") == text


@PROFILE_SETTINGS
@given(profiles())
def test_json_round_trip_is_lossless(profile):
    text = dump_profile(profile, "json")
    assert reread(text, "json") == profile
    assert json.loads(text) == to_document(profile)


@PROFILE_SETTINGS
@given(profiles())
def test_the_document_validates_against_the_schema_and_converts_back(profile):
    doc = to_document(profile)
    check_schema(doc)
    assert from_document(doc) == profile


@PROFILE_SETTINGS
@given(profiles())
def test_yaml_and_json_hold_the_same_profile(profile):
    assert reread(dump_profile(profile, "yaml"), "yaml") == reread(
        dump_profile(profile, "json"), "json"
    )
