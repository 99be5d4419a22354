"""The background import form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.profiles.uploads import too_big


class ImportJobForm(forms.Form):
    file = forms.FileField(
        label=_("Profile file"),
        help_text=_(
            "YAML or JSON in csfpilot's profile format, within the import limit "
            "(CSFPILOT_IMPORT_MAX_MB). Workbooks and OSCAL files are imported from a "
            "profile's Excel/OSCAL import page."
        ),
    )
    name = forms.CharField(label=_("Store it under this name (optional)"), required=False)
    replace = forms.BooleanField(
        label=_("If a profile of that name exists, give it the file's content"), required=False
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        refusal = too_big(upload.size)
        if refusal:
            raise forms.ValidationError(refusal)
        return upload
