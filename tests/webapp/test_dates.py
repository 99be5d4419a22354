"""One date format in every language: ISO 8601 (2026-12-06, 2026-12-06 14:30), shown and
accepted, never a locale's 12/06/2026 that reads as June in one country and December in
another."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from csfpilot.webapp.audit.forms import FilterForm

WHEN = datetime(2026, 12, 6, 14, 30, tzinfo=UTC)
SHOWN = Template(
    '{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}|{{ d|date }}|'
    '{{ t|date:"DATETIME_FORMAT" }}|{{ t|date:"SHORT_DATETIME_FORMAT" }}|{{ d }}'
)


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_dates_and_times_are_shown_as_iso_8601(language):
    with translation.override(language):
        text = SHOWN.render(Context({"d": date(2026, 12, 6), "t": WHEN}))
    assert text == "2026-12-06|2026-12-06|2026-12-06|2026-12-06 14:30|2026-12-06 14:30|2026-12-06"


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_date_fields_accept_iso_8601_only(language):
    class DueForm(forms.Form):
        due = forms.DateField()

    with translation.override(language):
        assert DueForm({"due": "2026-12-06"}).is_valid()
        assert not DueForm({"due": "12/06/2026"}).is_valid()
        assert not DueForm({"due": "2026/12/06"}).is_valid()
        assert FilterForm({"since": "2026-12-06"}, types=[], actors=[]).is_valid()
