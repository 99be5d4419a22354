"""The two shipped scales and the rules a custom scale must follow."""

from __future__ import annotations

from fractions import Fraction

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.core.profiles import (
    BUILTIN_SCALES,
    MATURITY,
    STATUS,
    Level,
    Scale,
    answer_keys,
    key_of_level,
)


def test_status_levels_and_their_normalized_scores():
    assert [(lv.key, lv.score) for lv in STATUS.levels] == [
        ("not", Fraction(0)),
        ("partially", Fraction(1, 3)),
        ("largely", Fraction(2, 3)),
        ("fully", Fraction(1)),
        ("na", None),
    ]
    assert not STATUS.get("na").applicable


def test_maturity_levels_are_integers_0_to_5_normalized_by_5():
    assert [(lv.key, lv.score) for lv in MATURITY.levels if lv.applicable] == [
        (i, Fraction(i, 5)) for i in range(6)
    ]
    assert MATURITY.get("na").score is None


def test_builtin_scales_are_registered_by_key():
    assert dict(BUILTIN_SCALES) == {"status": STATUS, "maturity": MATURITY}
    assert STATUS.builtin and MATURITY.builtin


def test_a_yes_no_value_never_matches_maturity_level_1():
    # YAML reads `current: yes` as True, and True == 1 in Python.
    assert MATURITY.get(True) is None
    assert MATURITY.get(1).label == "1 – Initial"


def test_a_wrong_level_names_the_valid_ones_and_suggests_the_closest():
    with pytest.raises(InputRefused) as exc:
        STATUS.level("partialy", element="GV.OC-01", field="current")
    assert str(exc.value) == (
        "element GV.OC-01: field current: 'partialy' is not a level of the 'status' scale; "
        "use one of: not, partially, largely, fully, na; did you mean 'partially'?"
    )


def test_a_quoted_number_on_the_maturity_scale_says_to_drop_the_quotes():
    with pytest.raises(InputRefused, match=r"write it as the number 3, without quotes"):
        MATURITY.level("3")


def test_a_custom_scale_with_fraction_scores():
    scale = Scale(
        "three-step",
        "Three steps",
        (
            Level("none", "None", Fraction(0)),
            Level("some", "Some", Fraction(1, 2)),
            Level("all", "All", Fraction(1)),
            Level("skip", "Out of scope", None),
        ),
    )
    assert scale.level("some").score == Fraction(1, 2)
    assert not scale.builtin


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ((), "at least one level"),
        ((Level("a", "A", Fraction(0)), Level("a", "A again", Fraction(1))), "appears twice"),
        ((Level("a", "A", Fraction(3, 2)),), "outside 0..1"),
        ((Level("a", "A", None),), "at least one level with a score"),
        ((Level(True, "A", Fraction(0)),), "non-empty string or an integer"),
        ((Level("a", "A", Fraction(0), hotkey="q"),), "hotkey 'q' must be one character"),
        (
            (Level("a", "A", Fraction(0), hotkey="x"), Level("b", "B", Fraction(1), hotkey="x")),
            "used twice",
        ),
    ],
)
def test_a_malformed_custom_scale_is_refused(levels, message):
    with pytest.raises(InputRefused, match=message):
        Scale("mine", "Mine", levels)


def test_answer_keys_are_each_levels_own_key():
    # One scheme for the browser, the terminal and the Excel Scale sheet.
    assert {k: lv.key for k, lv in answer_keys(STATUS).items()} == {
        "n": "not",
        "p": "partially",
        "l": "largely",
        "f": "fully",
        "a": "na",
    }
    assert {k: lv.key for k, lv in answer_keys(MATURITY).items()} == {
        **{str(i): i for i in range(6)},
        "a": "na",
    }
    assert key_of_level(MATURITY)["na"] == "a" and key_of_level(STATUS)["largely"] == "l"


def test_levels_without_a_key_take_the_free_digits_in_order():
    scale = Scale(
        "custom",
        "Custom",
        (
            Level("low", "Low", Fraction(0)),
            Level("mid", "Mid", Fraction(1, 2), hotkey="1"),
            Level("high", "High", Fraction(1)),
            Level("na", "N/A", None, hotkey="x"),
        ),
    )
    # "1" belongs to "mid", so "low" and "high" get 2 and 3; the keys come in scale order.
    assert [(k, lv.key) for k, lv in answer_keys(scale).items()] == [
        ("2", "low"),
        ("1", "mid"),
        ("3", "high"),
        ("x", "na"),
    ]


def test_only_ten_levels_without_keys_get_one():
    levels = tuple(Level(f"l{i}", f"L{i}", Fraction(i, 11)) for i in range(12))
    keys = answer_keys(Scale("many", "Many", levels))
    assert list(keys) == list("1234567890")
    assert [lv.key for lv in keys.values()] == [f"l{i}" for i in range(10)]
