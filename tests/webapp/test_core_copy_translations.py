"""Translations carried in another tool's copy of the Core (a CISO Assistant library's
``translations:`` per element) are attached to NIST's elements with their source, never
dropped and never a parallel framework."""

from __future__ import annotations

import pytest

from csfpilot.core.errors import InputRefused
from csfpilot.formats.detect import read_framework_file
from csfpilot.webapp.catalog import models as m
from csfpilot.webapp.catalog.services import load_bundle
from tests.foreign_core import foreign_library

pytestmark = pytest.mark.django_db
SOURCE = "NIST CSF 2.0 (vendor edition), Example Vendor (vendor.yaml)"


def stored(framework: str) -> list[tuple[str, str, str, str, str]]:
    return sorted(
        m.NodeTranslation.objects.filter(node__framework__key=framework).values_list(
            "node__code", "language", "title", "text", "source"
        )
    )


def test_a_faithful_copy_s_translations_are_attached_to_nist_s_elements() -> None:
    bundle = read_framework_file(
        foreign_library(faithful=True, translated=True), name="vendor.yaml"
    )
    assert bundle.warnings == [
        "vendor.yaml: recognised as NIST's csf-2.0: the same ids and texts; no framework is "
        "stored; 363 of 363 Implementation Examples are NIST's; 5 translation(s) attached to "
        "NIST's elements (es, fr, zh-hant)"
    ]
    report = load_bundle(bundle)
    assert report.created == [
        "vendor-csf-2.0 → csf-2.0",
        "translations csf-2.0 fr",
        "translations csf-2.0 es",
        "translations csf-2.0 zh-hant",
    ]
    assert not m.Framework.objects.filter(key="vendor-csf-2.0").exists()
    assert stored("csf-2.0") == [
        (
            "GV",
            "es",
            "GOBERNAR",
            "",
            SOURCE,
        ),
        (
            "GV",
            "fr",
            "GOUVERNER",
            "La stratégie, les attentes et la politique de gestion des risques de "
            "cybersécurité de l'organisation sont établies, communiquées et surveillées",
            SOURCE,
        ),
        ("GV.OC", "fr", "Contexte organisationnel", "", SOURCE),
        (
            "GV.OC-01",
            "fr",
            "",
            "La mission organisationnelle est comprise et informe la gestion des risques de "
            "cybersécurité",
            SOURCE,
        ),
        ("GV.OC-01", "zh-hant", "", "組織的使命已被理解，並為網路安全風險管理提供依據", SOURCE),
    ]
    # The same library again stores nothing new.
    again = load_bundle(
        read_framework_file(foreign_library(faithful=True, translated=True), name="vendor.yaml")
    )
    assert again.created == []
    assert "translations csf-2.0 fr" in again.unchanged
    assert m.NodeTranslation.objects.count() == 5


def test_a_copy_mapped_onto_nist_s_core_attaches_translations_through_its_renamed_ids() -> None:
    bundle = read_framework_file(
        foreign_library(translated=True), name="vendor.yaml", core_copy="official"
    )
    (line,) = [w for w in bundle.warnings if "mapped onto NIST's" in w]
    assert line.endswith(
        "; 5 translation(s) attached to NIST's elements (es, fr, zh-hant); 1 left out, their "
        "elements are not in csf-2.0: DE.CM-10"
    )
    load_bundle(bundle)
    # GV.OC-1 in the copy is NIST's GV.OC-01.
    assert ("GV.OC-01", "fr") in [(c, lang) for c, lang, *_ in stored("csf-2.0")]
    assert len(stored("csf-2.0")) == 5


def test_a_copy_kept_separate_keeps_its_translations_on_its_own_elements() -> None:
    bundle = read_framework_file(
        foreign_library(translated=True), name="vendor.yaml", core_copy="separate"
    )
    load_bundle(bundle)
    assert stored("csf-2.0") == []
    codes = [(c, lang) for c, lang, *_ in stored("vendor-csf-2.0")]
    assert ("GV.OC-1", "fr") in codes and ("DE.CM-10", "fr") in codes
    assert len(codes) == 6


def test_a_translation_already_loaded_with_other_words_is_kept_and_reported() -> None:
    load_bundle(
        read_framework_file(foreign_library(faithful=True, translated=True), name="vendor.yaml")
    )
    other = foreign_library(faithful=True, translated=True).replace(b"GOUVERNER", b"GOUVERNANCE")
    report = load_bundle(read_framework_file(other, name="vendor.yaml"))
    assert (
        "1 fr translation(s) of csf-2.0 differ from the ones already loaded, which are kept: GV"
        in report.warnings
    )
    assert m.NodeTranslation.objects.get(node__code="GV", language="fr").title == "GOUVERNER"


def test_a_language_that_is_no_language_tag_is_refused_with_its_line() -> None:
    bad = foreign_library(faithful=True, translated=True).replace(b"zh_TW:", b"Chinese (TW):")
    with pytest.raises(InputRefused) as caught:
        read_framework_file(bad, name="vendor.yaml")
    assert "'Chinese (TW)' is not a language tag" in caught.value.message
    assert caught.value.file == "vendor.yaml" and caught.value.line
    assert m.NodeTranslation.objects.count() == 0


def test_the_element_page_says_whose_translation_it_is(client) -> None:
    load_bundle(
        read_framework_file(foreign_library(faithful=True, translated=True), name="vendor.yaml")
    )
    page = client.get("/frameworks/csf-2.0/GV.OC-01", HTTP_ACCEPT_LANGUAGE="zh-Hant")
    body = page.content.decode()
    assert "組織的使命已被理解" in body
    assert SOURCE in body
    # Every other language is listed with its source, in its own language.
    english = client.get("/frameworks/csf-2.0/GV.OC-01", HTTP_ACCEPT_LANGUAGE="en").content
    text = english.decode()
    assert 'lang="fr"' in text and "La mission organisationnelle est comprise" in text
    assert SOURCE in text
    api = client.get("/api/frameworks/csf-2.0/nodes/GV.OC-01").json()
    assert [(t["language"], t["source"]) for t in api["translations"]] == [
        ("fr", SOURCE),
        ("zh-hant", SOURCE),
    ]


def test_the_framework_page_names_whose_translations_it_shows(client) -> None:
    load_bundle(
        read_framework_file(foreign_library(faithful=True, translated=True), name="vendor.yaml")
    )
    client.cookies["django_language"] = "zh-hant"
    body = client.get("/frameworks/csf-2.0/").content.decode()
    note = f'本頁有 1 段文字為 <span translate="no">{SOURCE}</span> 的譯文'
    assert note + "；NIST 僅以英文發布這些內文。" in body
    assert '<div class="outcome-text" lang="zh-Hant-TW">組織的使命已被理解' in body
    client.cookies["django_language"] = "en"
    assert "translations by" not in client.get("/frameworks/csf-2.0/").content.decode()
    assert "translation by" not in client.get("/frameworks/csf-2.0/").content.decode()
