"""English and Traditional Chinese: every UI string translated, the compiled
catalog in step with its source, and the switch between the two languages.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from scripts import compile_messages, extract_messages

PO = extract_messages.po_path("zh_Hant")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def test_every_ui_string_has_a_traditional_chinese_translation():
    catalog = extract_messages.extract()
    po = polib.pofile(str(PO))
    gaps = extract_messages.missing(catalog, po)
    listed = "\n".join(
        f"  {m.msgid!r} ({', '.join(catalog.where[(m.context, m.msgid)][:2])})" for m in gaps
    )
    assert not gaps, (
        f"untranslated in {PO.name}; run scripts/extract_messages.py, translate, then "
        f"scripts/compile_messages.py:\n{listed}"
    )


def test_the_extractor_finds_the_strings_of_the_layout_and_the_pages():
    catalog = extract_messages.extract()
    keys = set(catalog.messages)
    assert ("", "Skip to main content") in keys  # {% translate %} in base.html
    assert ("", "%(n)s outcome") in keys  # {% blocktranslate count %} on the home page
    assert catalog.messages[("", "%(n)s outcome")].plural == "%(n)s outcomes"
    assert ("", "not recorded") in keys  # _("...") inside a filter argument
    assert ("framework level", "Subcategory") in keys  # pgettext_lazy in a module
    assert ("", "Crosswalks") in keys  # gettext_lazy in the navigation registry


def test_blocktranslate_ids_are_built_as_django_builds_them():
    source = (
        "{% load i18n %}{% blocktranslate with v=x trimmed %}\n  50% of {{ v }}\n"
        "  done{% endblocktranslate %}{% translate 'it\\'s' context 'menu' %}"
        "{% comment %}{% translate 'ignored' %}{% endcomment %}"
    )
    found = list(extract_messages.template_messages(source, "inline"))
    assert found == [
        extract_messages.Message("50%% of %(v)s done"),
        extract_messages.Message("it's", context="menu"),
    ]


def test_translations_keep_every_placeholder_of_the_english():
    po = polib.pofile(str(PO))
    wrong = []
    for entry in po.translated_entries():
        english = sorted(PLACEHOLDER.findall(entry.msgid))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        wrong += [entry.msgid for form in forms if sorted(PLACEHOLDER.findall(form)) != english]
    assert wrong == []


def test_the_committed_mo_matches_the_po():
    assert compile_messages.stale(PO) is None, "run scripts/compile_messages.py"


def test_a_stale_mo_is_detected(tmp_path: Path):
    po = polib.pofile(str(PO))
    copy = tmp_path / "django.po"
    po.save(str(copy))
    po.save_as_mofile(str(copy.with_suffix(".mo")))
    assert compile_messages.stale(copy) is None
    po.find("Frameworks").msgstr = "架構"
    po.save(str(copy))
    assert (
        compile_messages.stale(copy)
        == f"{copy.with_suffix('.mo')} does not match its .po ('Frameworks')"
    )
    copy.with_suffix(".mo").unlink()
    assert compile_messages.stale(copy) == f"{copy.with_suffix('.mo')} is missing"


def test_taiwan_terms_for_the_core():
    po = polib.pofile(str(PO))
    expected = {
        "Govern": "治理",
        "Identify": "識別",
        "Protect": "保護",
        "Detect": "偵測",
        "Respond": "回應",
        "Recover": "復原",
        "Adopt the NIST Cybersecurity Framework 2.0": "導入 NIST 網路安全框架 2.0",
        "Implementation Examples": "實作範例",
        "Search": "搜尋",
    }
    assert {k: po.find(k).msgstr for k in expected} == expected


@pytest.mark.django_db
def test_switching_the_language_translates_the_ui_but_not_nist_text(client):
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/frameworks/"})
    assert response.status_code == 302 and response["Location"] == "/frameworks/"
    body = client.get("/frameworks/csf-2.0/GV.OC-01").content.decode()
    assert '<html lang="zh-Hant-TW">' in body
    nav = body[body.index('<nav class="main-nav"') : body.index("</nav>")]
    assert ">框架</a>" in nav and ">框架對照</a>" in nav and ">搜尋</a>" in nav
    assert "跳至主要內容" in body
    assert '<h2 id="examples-h">實作範例' in body
    assert 'value="zh-hant" lang="zh-Hant-TW" aria-pressed="true">繁體中文</button>' in body
    # NIST's outcome stays as published, marked as English for screen readers.
    assert (
        '<div class="nist-text" lang="en"><p>The organizational mission is understood and '
        "informs cybersecurity risk management</p></div>"
    ) in body
    home = client.get("/").content.decode()
    assert '<span class="fn-name">治理</span>' in home
    assert "31 項成果" in home

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body and "Skip to main content" in body


@pytest.mark.django_db
def test_the_browser_language_picks_traditional_chinese(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="zh-Hant-TW">' in body
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="en">' in body
