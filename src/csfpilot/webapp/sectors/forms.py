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


class ContributionForm(forms.Form):
    """Which sector and which profile a signed contribution is for."""

    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    profile = forms.ChoiceField(
        label=_("Profile"),
        required=False,
        widget=forms.Select(attrs={"translate": "no"}),
    )

    def __init__(self, *args: object, profiles: list[object], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["profile"].choices = [
            ("", _("The profile that counts")),
            *((str(p.pk), p.name) for p in profiles),  # type: ignore[attr-defined]
        ]


class AggregateUploadForm(forms.Form):
    file = forms.FileField(label=_("Aggregate package from the sector body"))


class MemberKeyForm(forms.Form):
    name = forms.CharField(label=_("Member organization"), max_length=200)
    fingerprint = forms.CharField(
        label=_("Key fingerprint"),
        max_length=80,
        help_text=_("40 hexadecimal digits; spaces are ignored. Compare it with the member."),
    )


class PublishForm(forms.Form):
    org = forms.ChoiceField(
        label=_("Sign as"),
        help_text=_("The sector body's organization on this instance; its key signs."),
        widget=forms.Select(attrs={"translate": "no"}),
    )

    def __init__(self, *args: object, orgs: list[object], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # No organization preselected: signing with the wrong key is a choice to make, not
        # a default to overlook.
        self.fields["org"].choices = [
            ("", _("Choose the organization")),
            *((o.slug, o.name) for o in orgs),  # type: ignore[attr-defined]
        ]
