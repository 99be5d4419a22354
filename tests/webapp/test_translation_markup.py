"""The pieces behind the Traditional Chinese pages: the reader of visible text, the
project's own Category names, the translated texts csfpilot's importers store, and
the report page's size limits."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from csfpilot.webapp.catalog.models import Framework, MappingDataset, Node
from csfpilot.webapp.site import category_names, data_texts
from tests.webapp.visible_text import english_runs, visible_texts


def test_the_reader_skips_marked_text_and_reads_what_a_person_perceives():
    html = (
        "<html><head><title>Skipped title</title><script>var x = 'code here';</script></head>"
        '<body><h1>設定檔 <span lang="en">Organizational Context</span></h1>'
        '<p translate="no">Whole company</p><p>Left in English</p>'
        '<input type="search" placeholder="Search here"><button aria-label="Close it">×</button>'
        '<input type="submit" value="Send now"><img alt="A logo"><code>csfpilot serve</code>'
        "<ul><li>open item<li>後續</ul><textarea>typed by someone</textarea>"
        '<div lang="zh-Hant-TW">中文 <b>bold words</b></div></body></html>'
    )
    texts = {(t.text, t.where) for t in visible_texts(html)}
    assert texts == {
        ("設定檔", "h1"),
        ("Left in English", "p"),
        ("Search here", "input@placeholder"),
        ("Close it", "button@aria-label"),
        ("×", "button"),
        ("Send now", "input@value"),
        ("A logo", "img@alt"),
        ("open item", "li"),
        ("後續", "li"),
        ("中文", "div"),
        ("bold words", "b"),
    }


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("搜尋成果與控制措施，例如 supply chain", ["supply chain"]),
        ("NIST Cybersecurity Framework 2.0 核心", ["Cybersecurity Framework"]),
        ("Draft", ["Draft"]),
        ("草稿 · Q3 2026 review", ["review"]),
        ("GV.OC-01、AC-2(1)、4.2(a)、csf-2.0", []),
        ("demo@example.com · csf-2.0-reference-tool-elements.json（.json）", []),
        ("以 Excel 或 LibreOffice 編輯；最大 8 MiB；API 權杖", []),
        ("可用 csfpilot audit verify 檢查，then more", ["then more"]),
        ("CSF 2.0 ↔ CIS Controls v8.1", []),
        ("Fully implemented, N/A", ["Fully implemented"]),
    ],
)
def test_english_runs(text, runs):
    assert english_runs(text) == runs


@pytest.mark.django_db
def test_every_csf_2_0_category_has_the_projects_name_for_nists_english_title():
    titles = set(
        Node.objects.filter(
            framework__key="csf-2.0", level="category", withdrawn=False
        ).values_list("title", flat=True)
    )
    assert len(titles) == 22
    assert titles == set(category_names.NAMES)
    with translation.override("zh-hant"):
        named = {t: category_names.category_name(t) for t in titles}
    assert all(named.values()), [t for t, zh in named.items() if not zh]
    assert named["Organizational Context"] == "組織環境"
    assert (
        named["Identity Management, Authentication, and Access Control"]
        == "身分管理、鑑別與存取控制"
    )
    with translation.override("en"):
        assert category_names.category_name("Organizational Context") is None
    assert category_names.category_name("Not a Category") is None


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load csf_display %}" + source).render(Context(context))


def test_a_category_name_in_chinese_is_labelled_and_keeps_nists_english_beside_it():
    out = _render("{{ t|category_title }}", "zh-hant", t="Organizational Context")
    assert out == (
        '<span class="project-translation" title="csfpilot 專案譯名；NIST 僅以英文發布此名稱">'
        '組織環境</span> <span class="nist-name" lang="en">Organizational Context</span>'
    )
    assert _render("{{ t|category_title }}", "en", t="Organizational Context") == (
        '<span lang="en">Organizational Context</span>'
    )
    # A name NIST may give a Category later is shown as NIST wrote it, marked English.
    assert _render("{{ t|category_title }}", "zh-hant", t="New <Name>") == (
        '<span lang="en">New &lt;Name&gt;</span>'
    )
    assert _render("{{ t|category_title_plain }}", "zh-hant", t="Policy") == "政策"


@pytest.mark.django_db
def test_every_stored_dataset_name_and_terms_text_the_importers_wrote_is_translated():
    stored = set(MappingDataset.objects.values_list("name", flat=True))
    stored |= set(MappingDataset.objects.values_list("terms", flat=True))
    stored |= set(Framework.objects.values_list("terms", flat=True))
    stored.discard("")
    assert stored <= data_texts.KNOWN, sorted(stored - data_texts.KNOWN)
    with translation.override("zh-hant"):
        missing = [t for t in stored if data_texts.translated(t) is None]
    assert missing == []


def test_a_stored_text_that_is_not_ours_is_shown_as_stored_and_marked_english():
    assert _render("{{ t|data_text }}", "zh-hant", t="My own crosswalk") == (
        '<span lang="en">My own crosswalk</span>'
    )
    assert _render("{{ t|data_text }}", "zh-hant", t="CSF 2.0 ↔ CIS Controls v8.1") == (
        "CSF 2.0 ↔ CIS Controls v8.1"
    )
    assert _render(
        "{{ t|data_text }}", "zh-hant", t="CSF 2.0 ↔ ISO/IEC 27001:2022 (identifiers only)"
    ) == ("CSF 2.0 ↔ ISO/IEC 27001:2022（僅識別碼）")


def test_user_text_inside_a_translation_is_escaped_and_marked():
    out = _render(
        "{% load i18n %}{% blocktranslate with name=n|user_text %}Delete {{ name }}"
        "{% endblocktranslate %}",
        "zh-hant",
        n="<b>Acme</b>",
    )
    assert out == '刪除 <span translate="no">&lt;b&gt;Acme&lt;/b&gt;</span>'


def test_the_report_pages_size_limits_are_in_the_readers_language():
    """They were formatted when the module loaded, so always in English."""
    from csfpilot.webapp.reports.forms import TemplateForm

    with translation.override("zh-hant"):
        form = TemplateForm()
        assert str(form.fields["template"].help_text).startswith("最多 256 KB")
        assert str(form.fields["logo"].help_text) == "最多 512 KB。"
    with translation.override("en"):
        assert str(TemplateForm().fields["logo"].help_text) == "At most 512 KB."
