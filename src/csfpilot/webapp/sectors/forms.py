"""Owners' choices on the benchmark page: the sector, and the profile that counts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.organizations.sectors import Sector


class SectorForm(forms.Form):
    sector = forms.ChoiceField(
        label=_("Sector"),
        choices=[("", _("No sector (take part in no benchmark)")), *Sector.choices],
        required=False,
    )


class CountedProfileForm(forms.Form):
    profile = forms.ChoiceField(
        label=_("Profile that counts"),
        required=False,
        widget=forms.Select(attrs={"translate": "no"}),  # profile names, as typed
    )

    def __init__(self, *args: object, profiles: list[object], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["profile"].choices = [
            ("", _("The latest one (automatic)")),
            *((str(p.pk), p.name) for p in profiles),  # type: ignore[attr-defined]
        ]
