"""The background import form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.formats.native import MAX_PROFILE_BYTES


class ImportJobForm(forms.Form):
    file = forms.FileField(
        label=_("Profile file"),
        help_text=_("YAML or JSON in csfpilot's profile format, at most 8 MiB."),
    )
    name = forms.CharField(label=_("Store it under this name (optional)"), required=False)
    replace = forms.BooleanField(
        label=_("If a profile of that name exists, give it the file's content"), required=False
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PROFILE_BYTES:
            raise forms.ValidationError(
                _("%(name)s has %(size)s bytes; a profile file has at most %(max)s."),
                params={"name": upload.name, "size": upload.size, "max": MAX_PROFILE_BYTES},
            )
        return upload
