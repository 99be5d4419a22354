"""Forms of the mapping pages; the rules themselves live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.catalog import models as cm
from csfpilot.webapp.mapping import models as m
from csfpilot.webapp.mapping.services import DEFAULT_TARGET, MAX_TOP

RELATIONSHIP_CHOICES = [(r.value, r.label) for r in m.PairRelationship]


def framework_choices() -> list[tuple[str, str]]:
    """Frameworks with their requirements' text (not the id-only ones crosswalks name)."""
    rows = cm.Framework.objects.filter(named_by_crosswalks=False).order_by("family", "key")
    return [(f.key, f"{f.name} {f.version} ({f.key})") for f in rows]


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    # Frameworks are named as their publishers name them, in their language.
    source = forms.ChoiceField(
        label=_("Framework to map"),
        widget=forms.Select(attrs={"translate": "no"}),
        help_text=_(
            "Its assessable requirements are proposed targets one by one. A framework of your "
            "own is imported by the instance's operator (CSV or Excel)."
        ),
    )
    target = forms.ChoiceField(
        label=_("Map onto"),
        initial=DEFAULT_TARGET,
        widget=forms.Select(attrs={"translate": "no"}),
    )
    top = forms.IntegerField(
        label=_("Proposals per requirement"), min_value=1, max_value=MAX_TOP, initial=5
    )
    method = forms.ChoiceField(
        label=_("How the assistant proposes"),
        initial="combined",
        choices=[
            ("combined", _("All three: shared terms, crosswalk paths and meaning (best)")),
            ("lexical", _("Shared terms only")),
            ("crosswalk", _("Paths through loaded crosswalks only")),
            ("semantic", _("Meaning only (the multilingual text model)")),
        ],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = framework_choices()
        self.fields["source"].choices = choices  # type: ignore[attr-defined]
        self.fields["target"].choices = choices  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("accept", "reject", "change", "reset")])
    relationship = forms.ChoiceField(choices=[("", "—"), *RELATIONSHIP_CHOICES], required=False)
    target = forms.CharField(max_length=100, required=False)
    note = forms.CharField(max_length=500, required=False)
    version = forms.IntegerField(min_value=1, required=False)


class BulkForm(forms.Form):
    threshold = forms.FloatField(label=_("Lowest score"), min_value=0, max_value=1, initial=0.5)
    best_only = forms.BooleanField(
        label=_("Only each unreviewed requirement's best proposal"), required=False, initial=True
    )
    expected = forms.IntegerField(min_value=0, required=False)
