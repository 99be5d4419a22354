"""What a person picks for a transfer: the target framework, the route, the rule, where to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.core.crosswalks import CombineRule

RULE_LABELS = {
    CombineRule.WEAKEST.value: _("Weakest link (the lowest value)"),
    CombineRule.AVERAGE.value: _("Average"),
    CombineRule.STRONGEST.value: _("Strongest (the highest value)"),
}

RELATIONSHIP_LABELS = {
    "equivalent": _("equivalent"),
    "superset_of": _("superset of"),
    "subset_of": _("subset of"),
    "intersects_with": _("intersects with"),
    "related_to": _("related to"),
}
COVERAGE_LABELS = {
    "full": _("full"),
    "partial": _("partial"),
    "none": _("no rated source"),
}


class TransferForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Target framework"), widget=forms.Select(attrs={"translate": "no"})
    )
    via = forms.MultipleChoiceField(
        label=_("Crosswalk datasets to go through (optional)"),
        required=False,
        help_text=_(
            "Leave empty to use the shortest chain of crosswalks csfpilot finds; the ones "
            "you pick are chained from this profile's framework onwards."
        ),
        widget=forms.SelectMultiple(attrs={"translate": "no", "size": 4}),
    )
    rule = forms.ChoiceField(
        label=_("Several sources into one outcome"),
        choices=list(RULE_LABELS.items()),
        initial=CombineRule.WEAKEST.value,
    )
    onto = forms.ChoiceField(
        label=_("Write into"), required=False, widget=forms.Select(attrs={"translate": "no"})
    )

    def __init__(
        self,
        *args: Any,
        targets: list[tuple[str, str]],
        datasets: list[tuple[str, str]],
        profiles: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = targets
        self.fields["via"].choices = datasets
        self.fields["onto"].choices = [("", _("A new draft profile")), *profiles]
