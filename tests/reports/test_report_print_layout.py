"""The demo's reports as printed: no mostly blank pages, the brief on two pages in both
languages, and a figure never split from its label.

Read back with pypdf: the text of each page, and where its lowest line of text sits
(the page footer, in the bottom margin, is left out). The workpaper used to force a page
break before its outcomes, gaps and appendix, and its Function chart did not fit under the
Tiers: pages 1 and 3 were mostly blank.
"""

from __future__ import annotations

import io
import statistics

import pypdf
import pytest
from django.utils import timezone

from csfpilot.core.profiles import plan_progress
from csfpilot.webapp.profiles.models import Action

from .test_report_web import SLUG, demo, member  # noqa: F401  (the demo fixture)

pytestmark = pytest.mark.django_db
MM = 72 / 25.4
TOP, BOTTOM = 16 * MM, 18 * MM  # the @page margins of the built-in templates


def pages(pdf: bytes) -> list[tuple[str, float]]:
    """Each page's text and how far down its body text reaches (0 empty, 1 full)."""
    out = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        height = float(page.mediabox.height)
        lows: list[float] = []

        def visit(text, cm, tm, _font, _size, lows=lows):
            if text.strip():
                lows.append(tm[5] * cm[3] + tm[4] * cm[1] + cm[5])

        text = page.extract_text(visitor_text=visit)
        body = [y for y in lows if y > BOTTOM]
        reach = (height - TOP - min(body)) / (height - TOP - BOTTOM) if body else 0.0
        out.append((text, reach))
    return out


def fetch(client, profile, name: str, lang: str) -> bytes:
    client.cookies["django_language"] = lang
    url = f"/orgs/{SLUG}/profiles/{profile.pk}/reports/{name}"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("lang", ["en", "zh-hant"])
def test_the_workpaper_has_no_mostly_blank_page(demo, lang):  # noqa: F811
    org, profile = demo
    printed = pages(fetch(member(org, "auditor"), profile, "workpaper.pdf", lang))
    assert len(printed) > 20
    typical = statistics.median(len(text) for text, _ in printed)
    for number, (text, reach) in enumerate(printed[:-1], start=1):
        assert reach > 0.8, f"page {number} is filled to {reach:.0%} only"
        assert len(text) > typical / 4, f"page {number} holds {len(text)} characters"


def test_the_brief_fits_two_pages_and_keeps_figures_with_their_labels(demo):  # noqa: F811
    org, profile = demo
    client = member(org, "owner")
    overdue = plan_progress(Action.objects.filter(profile=profile), timezone.localdate()).overdue
    assert overdue
    english = pages(fetch(client, profile, "brief.pdf", "en"))
    chinese = pages(fetch(client, profile, "brief.pdf", "zh-hant"))
    assert len(english) == 2 and len(chinese) == 2
    first = chinese[0][0]
    # "3 項逾期" on one line: no break between the number and its label.
    assert f"{overdue} 項逾期" in first
    assert "逾\n期" not in first
    assert f"{overdue} overdue" in english[0][0]
