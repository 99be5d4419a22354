from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.audit.presenting import type_label
from csfpilot.webapp.audit.queries import Filters


class FilterForm(forms.Form):
    """The trail page's filters, read from the query string (all optional)."""

    type = forms.ChoiceField(label=_("Object type"), required=False)
    actor = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, types: list[str], actors: list[tuple[int, str]]) -> None:
        super().__init__(data)
        self.fields["type"].choices = [("", _("All"))] + [(t, type_label(t)) for t in types]
        self.fields["actor"].choices = [("", _("Everyone"))] + [(str(i), n) for i, n in actors]

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        d = self.cleaned_data
        return Filters(
            object_type=d.get("type") or "",
            actor_id=d.get("actor"),
            since=d.get("since"),
            until=d.get("until"),
        )
