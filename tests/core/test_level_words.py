"""Typed ratings read as levels: the documented table, exact values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csfpilot.core.profiles import MATURITY, STATUS, Priority
from csfpilot.core.profiles.level_words import (
    WORD_SHARES,
    propose_level,
    read_included,
    read_priority,
)


@pytest.mark.parametrize(
    ("text", "status", "maturity"),
    [
        ("partially", "partially", 2),  # a status key is exact on its own scale, 1/3 elsewhere
        ("Largely implemented", "largely", 3),
        ("  FULLY\nimplemented ", "fully", 5),
        ("N/A", "na", "na"),
        ("does not apply", "na", "na"),
        ("In progress", "partially", 2),
        ("Tier 3", "largely", 4),
        ("Tier 4 – Adaptive", "fully", 5),
        ("Repeatable", "largely", 4),
        ("Tier 2", "largely", 3),  # 1/2 lies between partially and largely: the higher
        ("Required", "fully", 5),
        ("Recommended", "largely", 3),
        ("75 %", "largely", 4),
        ("3", None, 3),
        ("Baseline", None, None),
        ("", None, None),
    ],
)
def test_the_documented_table(text, status, maturity):
    found = propose_level(text, STATUS)
    assert (found.key if found else None) == status
    found = propose_level(text, MATURITY)
    assert (found.key if found else None) == maturity


def test_priorities_and_included():
    assert read_priority("H") is Priority.HIGH
    assert read_priority("2") is Priority.MEDIUM
    assert read_priority("optional") is Priority.LOW
    assert read_priority("urgent") is None
    assert [read_included(t) for t in ("x", "Yes", "", "-", "no", "maybe")] == [
        True,
        True,
        False,
        False,
        False,
        None,
    ]


@given(st.sampled_from(sorted(WORD_SHARES)))
def test_every_word_is_proposed_on_both_scales(word):
    assert propose_level(word, STATUS) is not None
    assert propose_level(word, MATURITY) is not None
