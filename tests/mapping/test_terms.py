"""The words the lexical scorer counts: English stems, Chinese bigrams, cited ids."""

from __future__ import annotations

import pytest

from csfpilot.mapping.paths import cited_ids
from csfpilot.mapping.terms import has_han, stem, terms


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("backups", "backup"), True),
        (("create", "created", "creates"), True),
        (("response", "responses"), True),
        (("monitoring", "monitored", "monitors"), True),
        (("policies", "policy"), True),
        (("access", "accesses"), True),
        (("access", "accept"), False),
    ],
)
def test_light_stemmer_meets_inflections_only(words: tuple[str, ...], same: bool) -> None:
    assert (len({stem(w) for w in words}) == 1) is same


def test_stop_words_and_catalogue_boilerplate_are_not_terms() -> None:
    found = [s for s, _ in terms("[Assignment: organization-defined frequency] the backups")]
    assert found == ["frequency", "backup"]


def test_surface_forms_are_kept_for_reasons() -> None:
    assert ("backup", "backups") in terms("Backups are tested")


def test_traditional_chinese_becomes_character_bigrams_without_function_words() -> None:
    got = [s for s, _ in terms("應定期備份資料")]
    assert got == ["定期", "期備", "備份", "份資", "資料"]
    assert has_han("資料備份") and not has_han("backup")


def test_full_width_letters_are_normalised() -> None:
    assert [s for s, _ in terms("ＢＡＣＫＵＰ")] == ["backup"]


def test_cited_identifiers_in_canonical_spelling() -> None:
    text = (
        "See NIST SP 800-53 AC-02(1) and CP-9 (2), CSF PR.DS-11, CIS Safeguard 11.2, "
        "ISO/IEC 27001:2022 Annex A 5.15; not the year 2024 or section 5.1."
    )
    assert cited_ids(text) == ["AC-2(1)", "CP-9(2)", "PR.DS-11", "11.2", "5.15", "A.5.15"]
