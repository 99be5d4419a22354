"""Forms for organization pages; the rules themselves live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from csfpilot.core.errors import InputRefused
from csfpilot.webapp.organizations.roles import ROLE_ORDER, Role
from csfpilot.webapp.organizations.services import NAME_MAX, SLUG_MAX

ROLE_CHOICES = [(r.value, r.label) for r in ROLE_ORDER]


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    slug = forms.CharField(
        label=_("Short name (optional)"),
        max_length=SLUG_MAX,
        required=False,
        help_text=_(
            "Used in addresses and the API, and fixed once chosen: lower-case letters, digits "
            "and hyphens. Made from the name when left empty; one already in use gets a "
            "random suffix."
        ),
    )


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)


class AddMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=Role.VIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


def refuse(form: forms.Form, exc: InputRefused | Exception) -> None:
    """Show a service's refusal on the field it names (or on the whole form)."""
    field = getattr(exc, "field", None)
    message = getattr(exc, "message", None) or str(exc)
    form.add_error(field if field in form.fields else None, message)
