"""Forms of the supplier pages and the guest questionnaire."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.webapp.suppliers import models as m

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SupplierForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    services = forms.CharField(
        label=_("Services provided"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("Two-letter ISO code, e.g. TW, US, DE."),
    )
    data_access = forms.ChoiceField(label=_("Access to our data"), choices=m.DataAccess.choices)
    system_access = forms.ChoiceField(
        label=_("Access to our systems"), choices=m.SystemAccess.choices
    )
    service_dependency = forms.ChoiceField(
        label=_("How much we depend on the service"), choices=m.ServiceDependency.choices
    )
    tier_override = forms.ChoiceField(
        label=_("Criticality set by hand"),
        choices=[("", _("Derived from access and dependency")), *m.TierChoice.choices],
        required=False,
    )
    tier_reason = forms.CharField(
        label=_("Reason for the criticality set by hand"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    contract_start = forms.DateField(label=_("Contract start"), required=False, widget=DATE)
    contract_end = forms.DateField(label=_("Contract end"), required=False, widget=DATE)
    requirement_profile = forms.ChoiceField(
        label=_("Community Profile required"),
        required=False,
        widget=forms.Select(attrs={"translate": "no"}),  # profile names, as typed
    )
    requirements = forms.CharField(
        label=_("Or these outcomes with target levels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "translate": "no"}),
    )
    # Each language is named in its own language, as in the page header.
    language = forms.ChoiceField(
        label=_("Questionnaire language"),
        choices=m.Language.choices,
        widget=forms.Select(attrs={"translate": "no"}),
    )
    next_assessment_due = forms.DateField(
        label=_("Next assessment due"), required=False, widget=DATE
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contacts = forms.CharField(
        label=_("Contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("One per line: name, e-mail address, role (the role is optional)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, profiles: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement_profile"].choices = [
            ("", _("None (use the outcomes listed below)")),
            *((str(p.pk), p.name) for p in profiles),
        ]

    def clean_contacts(self) -> list[dict[str, str]]:
        out = []
        for number, line in enumerate(self.cleaned_data["contacts"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 2 or "@" not in parts[1]:
                raise forms.ValidationError(
                    _("Line %(n)s: write the name, then the e-mail address."),
                    params={"n": number},
                )
            out.append({"name": parts[0], "email": parts[1], "role": ", ".join(parts[2:])})
        return out

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("contacts", None)
        data.pop("version", None)
        data["requirement_profile_id"] = int(data.pop("requirement_profile") or 0) or None
        return data


def contacts_text(contacts: list[m.Contact]) -> str:
    return "\n".join(", ".join(p for p in (c.name, c.email, c.role) if p) for c in contacts)


class SendForm(forms.Form):
    due = forms.DateField(label=_("Answers due"), widget=DATE)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=m.Language.choices,
        widget=forms.Select(attrs={"translate": "no"}),
    )
    guidance = forms.CharField(
        label=_("Guidance for the supplier"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class LinkForm(forms.Form):
    email = forms.EmailField(label=_("Contact's e-mail address"))


class RemediationForm(forms.Form):
    code = forms.CharField(label=_("Outcome"), required=False, max_length=20)
    request = forms.CharField(
        label=_("What must be fixed"), widget=forms.Textarea(attrs={"rows": 3})
    )
    due = forms.DateField(label=_("Due"), widget=DATE)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the e-mail"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
