"""Forms of the key, export and import pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

LEVEL_CHOICES = [
    ("full", _("Full: everything, including notes, rationales and evidence descriptions")),
    ("no-text", _("No free text: ratings, priorities, Tiers and dates only")),
    ("scores", _("Scores only: Function and Category scores")),
]


class LevelForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Redaction level"),
        choices=LEVEL_CHOICES,
        initial="no-text",
        widget=forms.RadioSelect,
    )


class TrustForm(forms.Form):
    fingerprint = forms.CharField(
        label=_("Fingerprint"),
        max_length=80,
        help_text=_("40 hexadecimal digits; spaces are ignored. Compare it with the partner."),
    )
    partner = forms.CharField(label=_("Partner's name"), max_length=200)


class FingerprintForm(forms.Form):
    fingerprint = forms.CharField(max_length=80, widget=forms.HiddenInput)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Package file"), required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Store as (profile name)"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the name in the package."),
    )
    accept_untrusted = forms.BooleanField(
        label=_("Import even though the signer is not trusted (it stays marked untrusted)"),
        required=False,
    )
