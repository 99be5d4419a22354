"""Identifier spellings NIST's files use, read into one canonical form (property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csfpilot.core.ids import csf11_canonical, csf_canonical, sp800_53_canonical
from csfpilot.formats.nist.cis import safeguard_id
from csfpilot.formats.nist.iso27001 import KNOWN_IDS, normalise

letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
numbers = st.integers(min_value=1, max_value=99)


def _case(text: str, lower: bool) -> str:
    return text.lower() if lower else text


@given(letters, letters, numbers, st.booleans(), st.booleans(), st.sampled_from(["", " ", "\t"]))
def test_csf_ids_in_any_common_spelling(fn, cat, num, padded, lower, pad):
    raw = pad + _case(f"{fn}.{cat}-{num:02d}" if padded else f"{fn}.{cat}-{num}", lower) + pad
    assert csf_canonical(raw) == f"{fn}.{cat}-{num:02d}"
    assert csf11_canonical(raw) == f"{fn}.{cat}-{num}"
    assert csf_canonical(csf_canonical(raw)) == csf_canonical(raw)
    assert csf11_canonical(csf11_canonical(raw)) == csf11_canonical(raw)
    # CSF 2.0 and 1.1 spellings convert into each other without loss.
    assert csf_canonical(csf11_canonical(raw)) == csf_canonical(raw)


@given(letters, numbers, st.none() | numbers, st.sampled_from(["paren", "padded", "dot"]),
       st.booleans())  # fmt: skip
def test_sp800_53_ids_in_any_common_spelling(family, number, enhancement, style, lower):
    if enhancement is None:
        raw = f"{family}-{number:02d}" if style == "padded" else f"{family}-{number}"
        expected = f"{family}-{number}"
    else:
        raw = {
            "paren": f"{family}-{number}({enhancement})",
            "padded": f"{family}-{number:02d}({enhancement:02d})",
            "dot": f"{family}-{number}.{enhancement}",
        }[style]
        expected = f"{family}-{number}({enhancement})"
    assert sp800_53_canonical(_case(raw, lower)) == expected
    assert sp800_53_canonical(expected) == expected


@given(st.sampled_from(sorted(KNOWN_IDS - {"A"})), st.sampled_from(["", " ", "  "]),
       st.sampled_from(["", ",", " ,"]))  # fmt: skip
def test_iso_entries_normalise_whatever_the_spacing(code, spaces, trailing):
    prefix = "Annex A Controls:" if code.startswith("A.") else "Mandatory Clause:"
    number = code.removeprefix("A.")
    ref = normalise(f"{prefix}{spaces} {number}{trailing}")
    assert (ref.code, ref.known) == (code, True)
    assert ref.comment == ""


@pytest.mark.parametrize(
    ("raw", "code", "known"),
    [
        ("Mandatory Clause:  4.1", "4.1", True),
        ("Mandatory Clause:  6.1,", "6.1", True),
        ("Mandatory Clause: 4.2 (a)", "4.2(a)", True),
        ("Mandatory Clause: 4.2(b)", "4.2(b)", True),
        ("Annex A Controls: 5.1", "A.5.1", True),
        ("Annex A Controls: 8.34", "A.8.34", True),
        ("Annex A Controls: All applicable controls", "A", True),
        ("Mandatory Clause: 7.1, 7.2", "7.1", True),
        ("Mandatory Clause: 6.11", "6.11", False),
        ("Annex A Controls: 5.38", "A.5.38", False),
        ("Mandatory Clause: None", "", True),
        ("Annex A Controls: None", "", True),
        ("Annex A Controls:", "", True),
    ],
)
def test_iso_entries_nist_writes(raw, code, known):
    ref = normalise(raw)
    assert (ref.code, ref.known) == (code, known)


def test_iso_structure_counts():
    annex = [c for c in KNOWN_IDS if c.count(".") == 2 and c.startswith("A.")]
    assert len(annex) == 93  # 37 organizational + 8 people + 14 physical + 34 technological


@given(st.integers(1, 18), st.integers(1, 20), st.sampled_from(["", " ", "\n"]))
def test_cis_safeguard_ids(control, safeguard, pad):
    assert safeguard_id(f"{pad}{control}.{safeguard}{pad}") == f"{control}.{safeguard}"
