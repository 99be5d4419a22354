"""The demo's reports say what its pages say: the same action figures in the same words.

The plan page, the overview, the dashboard, the profile list and the board brief in every
format (HTML, PDF, XLSX, Markdown, DOCX), in English and in Traditional Chinese, all count the
plan with :func:`csfpilot.core.profiles.plan_progress` and name the figures with the same
words: the four statuses, "closed" (done + risk accepted) and "overdue".
"""

from __future__ import annotations

import html
import io
import re

import docx
import openpyxl
import pypdf
import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

from csfpilot.core.profiles import plan_progress
from csfpilot.webapp.profiles.models import Action

from .test_report_web import SLUG, demo, member  # noqa: F401  (the demo fixture)

pytestmark = pytest.mark.django_db
STATUSES = ("Open", "In progress", "Done", "Risk accepted")


def text_of(page: bytes) -> str:
    """A page's visible text, tags removed and white space folded."""
    body = page.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_the_brief_counts_and_names_the_plan_as_the_pages_do(demo, lang):  # noqa: F811
    org, profile = demo
    client = member(org, "owner")
    client.cookies["django_language"] = lang
    progress = plan_progress(Action.objects.filter(profile=profile), timezone.localdate())
    # The demo's plan has done and risk-accepted actions and overdue ones: "closed" and
    # "done" are different numbers, so a brief that mixes them up is caught.
    assert progress.done and progress.risk_accepted and progress.overdue
    with translation.override(lang):
        closed_of = gettext("%(n)s of %(total)s closed (%(p)s%%)") % {
            "n": progress.closed,
            "total": progress.total,
            "p": progress.closed_percent,
        }
        actions_closed = gettext("actions closed")
        action_plan = gettext("Action plan")
        overdue = ngettext("%(n)s overdue", "%(n)s overdue", progress.overdue) % {
            "n": progress.overdue
        }
        statuses = [pgettext("action status", s) for s in STATUSES]
        left = progress.total - progress.closed
        not_closed = ngettext("%(n)s not closed", "%(n)s not closed", left) % {"n": left}
        closed_word = gettext("Closed")
        below = ngettext("%(n)s outcome below target", "%(n)s outcomes below target", 2)
    below = below.split("%(n)s")[1]  # " outcomes below target", " 項成果未達目標"
    counts = [progress.open, progress.in_progress, progress.done, progress.risk_accepted]
    base = f"/orgs/{SLUG}/profiles/{profile.pk}/"
    get = lambda path: client.get(base + path, HTTP_ACCEPT_LANGUAGE=lang)  # noqa: E731

    plan_page = text_of(get("plan/").content)
    assert closed_of in plan_page
    for status, n in zip(statuses, counts, strict=True):
        assert f"{status} {n}" in plan_page
    card = f"{action_plan} {progress.closed} / {progress.total} {actions_closed} · {overdue}"
    # The profile list counts what is not closed yet, not "open" (a status of its own).
    assert f"{not_closed} {overdue}" in text_of(client.get(f"/orgs/{SLUG}/profiles/").content)
    assert card in text_of(get("").content)  # the overview
    assert card in text_of(get("dashboard/").content)

    dashboard = text_of(get("dashboard/").content)
    with_gap = re.search(r"(\d+)" + re.escape(below), dashboard).group(1)
    brief = text_of(get("reports/brief.html").content)
    assert f"{with_gap}{below}" in brief
    assert f"{progress.closed}/{progress.total} {action_plan} · {actions_closed}" in brief
    assert closed_of in brief
    # The plan's table: the plan page's status names, then closed, overdue and the total.
    head = " ".join([*statuses, closed_word])
    row = " ".join(str(n) for n in [*counts, progress.closed, progress.overdue, progress.total])
    assert f"{head}" in brief and row in brief

    markdown = get("reports/brief.md").content.decode()
    assert f"{progress.closed}/{progress.total} {actions_closed}" in markdown
    assert closed_of in markdown
    assert "| " + " | ".join(statuses) + f" | {closed_word} |" in markdown

    document = docx.Document(io.BytesIO(get("reports/brief.docx").content))
    assert any(p.text.startswith(closed_of) for p in document.paragraphs)
    assert [c.text for c in document.tables[-1].rows[0].cells][:5] == [*statuses, closed_word]

    pdf = pypdf.PdfReader(io.BytesIO(get("reports/brief.pdf").content))
    assert folded(closed_of) in folded(" ".join(p.extract_text() for p in pdf.pages))

    book = openpyxl.load_workbook(io.BytesIO(get("reports/brief.xlsx").content))
    sheet = book.worksheets[3]  # the action plan's progress
    figures = {r[0].value: r[1].value for r in sheet.iter_rows(min_row=2)}
    assert [figures[s] for s in statuses] == counts
    assert figures[closed_word] == progress.closed
